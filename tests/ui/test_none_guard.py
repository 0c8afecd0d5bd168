# SPDX-License-Identifier: GPL-3.0-or-later
"""The None guard: PySide6 6.12.0 void calls must not drive None's refcount to zero (3.11)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from coderdesk.ui._none_guard import GUARD_REFERENCES, guard_none_refcount

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

VOID_CALLS = 20_000
OLD_PYTHON = sys.version_info < (3, 12)


@pytest.mark.skipif(not OLD_PYTHON, reason="None is immortal from Python 3.12 on")
def test_none_refcount_is_raised_on_old_python() -> None:
    assert sys.getrefcount(None) > GUARD_REFERENCES // 2


@pytest.mark.skipif(not OLD_PYTHON, reason="None is immortal from Python 3.12 on")
def test_guard_is_applied_only_once() -> None:
    before = sys.getrefcount(None)
    assert guard_none_refcount() is True
    # A second call must not add another 2**40: the count moves only by ordinary noise.
    assert abs(sys.getrefcount(None) - before) < GUARD_REFERENCES // 4


def test_guard_is_not_needed_from_python_3_12() -> None:
    assert guard_none_refcount() is OLD_PYTHON


def test_many_void_calls_do_not_crash(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for index in range(VOID_CALLS):
        label.setText(str(index))
        QCoreApplication.processEvents()
    assert label.text() == str(VOID_CALLS - 1)
    if OLD_PYTHON:
        # Whatever the binding leaks per call, None stays far from zero.
        assert sys.getrefcount(None) > GUARD_REFERENCES // 2
        assert before - sys.getrefcount(None) < GUARD_REFERENCES // 4
