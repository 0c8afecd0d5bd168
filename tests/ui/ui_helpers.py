# SPDX-License-Identifier: GPL-3.0-or-later
"""What several UI tests do the same way: find an account's worklist row, open it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coderdesk.core.demo import DEMO_CHARTS

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow

ACCOUNT_COLUMN = 1
FIRST_ACCOUNT = DEMO_CHARTS[0].patient.account_number  # Rowan: in progress, a text note


def row_of_account(window: MainWindow, account: str) -> int:
    """The worklist row (as sorted and filtered) of the encounter of `account`."""
    proxy = window.worklist.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, ACCOUNT_COLUMN).data() == account:
            return row
    raise LookupError(account)


def open_account(
    qtbot: QtBot, window: MainWindow, workspace: Workspace, account: str = FIRST_ACCOUNT
) -> int:
    """Attach `workspace`, select the account's encounter, wait for it; its id."""
    window.attach(workspace)
    window.worklist.table.selectRow(row_of_account(window, account))
    qtbot.waitUntil(lambda: window.detail is not None)
    assert window.detail is not None
    return window.detail.id
