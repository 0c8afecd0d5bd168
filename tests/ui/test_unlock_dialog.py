# SPDX-License-Identifier: GPL-3.0-or-later
"""The unlock dialog: open with the right or a wrong passphrase, create with a strong one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from coderdesk.core.demo import DEMO_PASSPHRASE
from coderdesk.core.store.registry import WorkspaceRegistry
from coderdesk.ui.dialogs.unlock_dialog import UnlockDialog

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.ui.tasks import TaskRunner

WRONG_PASSPHRASE = "maple hollow demo 2025"


@pytest.fixture
def dialog(qtbot: QtBot, runner: TaskRunner) -> Iterator[UnlockDialog]:
    """An unlock dialog (not shown); whatever it opened is closed at teardown."""
    unlock = UnlockDialog(runner)
    qtbot.addWidget(unlock)
    yield unlock
    runner.wait_all()
    if unlock.workspace is not None:
        unlock.workspace.close()


def _fill(dialog: UnlockDialog, path: Path, passphrase: str, confirmation: str = "") -> None:
    dialog.path_box.setCurrentText(str(path))
    dialog.passphrase.setText(passphrase)
    dialog.confirmation.setText(confirmation)


def _ok_button_text(dialog: UnlockDialog) -> str:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text()


def test_right_passphrase_unlocks(qtbot: QtBot, dialog: UnlockDialog, demo_path: Path) -> None:
    assert _ok_button_text(dialog) == "Unlock"
    _fill(dialog, demo_path, DEMO_PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        dialog.submit()
    assert dialog.workspace is not None
    assert dialog.workspace.is_unlocked
    assert dialog.workspace.path == demo_path.absolute()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.passphrase.text() == ""
    assert dialog.buttons.isEnabled()


def test_wrong_passphrase_is_refused(qtbot: QtBot, dialog: UnlockDialog, demo_path: Path) -> None:
    _fill(dialog, demo_path, WRONG_PASSPHRASE)
    with qtbot.assertNotEmitted(dialog.unlocked, wait=0):
        dialog.submit()
        assert not dialog.buttons.isEnabled()
        qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.message.text(), timeout=10_000)
    assert dialog.workspace is None
    assert dialog.buttons.isEnabled()
    assert dialog.result() != QDialog.DialogCode.Accepted
    # One failure costs no delay: the right passphrase still opens it at once.
    dialog.passphrase.setText(DEMO_PASSPHRASE)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        dialog.submit()
    assert dialog.workspace is not None
    assert dialog.workspace.is_unlocked


def test_missing_path_is_asked_for(dialog: UnlockDialog) -> None:
    dialog.path_box.setCurrentText("  ")
    dialog.passphrase.setText(DEMO_PASSPHRASE)
    dialog.submit()
    assert dialog.message.text() == "Choose a workspace file."
    assert dialog.workspace is None
    assert dialog.buttons.isEnabled()


def test_create_mode_reports_a_weak_passphrase(
    qtbot: QtBot, dialog: UnlockDialog, tmp_path: Path
) -> None:
    dialog.create_mode.setChecked(True)
    assert _ok_button_text(dialog) == "Create"
    assert not dialog.confirmation.isHidden()
    dialog.passphrase.setText("short")
    assert dialog.message.text().startswith("Too weak: ")
    assert "at least 12 characters" in dialog.message.text()
    dialog.passphrase.setText("Tidy-Harbor 48 lanterns")
    assert dialog.message.text() == "Strong enough."
    # Submitting a weak passphrase anyway is refused by the core, and creates nothing.
    target = tmp_path / "new" / "weak.cdws"
    _fill(dialog, target, "short", "short")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Passphrase too weak"))
    assert dialog.buttons.isEnabled()
    assert dialog.workspace is None
    assert not target.exists()


def test_open_mode_hides_the_confirmation(dialog: UnlockDialog) -> None:
    dialog.create_mode.setChecked(True)
    dialog.open_mode.setChecked(True)
    assert dialog.confirmation.isHidden()
    dialog.passphrase.setText("short")
    assert dialog.message.text() == ""


def test_create_mode_with_a_strong_passphrase_creates_the_file(
    qtbot: QtBot, dialog: UnlockDialog, tmp_path: Path, passphrase: str
) -> None:
    target = tmp_path / "workspaces" / "practice.cdws"
    dialog.create_mode.setChecked(True)
    _fill(dialog, target, passphrase, passphrase)
    assert dialog.message.text() == "Strong enough."
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        dialog.submit()
    assert target.is_file()
    assert target.read_bytes()[:16] != b"SQLite format 3\x00"
    assert dialog.workspace is not None
    assert dialog.workspace.is_unlocked
    assert dialog.workspace.path == target
    assert dialog.confirmation.text() == ""
    assert target.resolve() in [entry.path for entry in WorkspaceRegistry().recent()]
