# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole coding session driven from the keyboard, and what the workspace holds after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from ui_helpers import row_of_account  # the tests' folder is on the path

from coderdesk.core.demo import DEMO_CHARTS
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.evidence import EvidenceService
from coderdesk.ui.widgets.code_sheet_pane import MODIFIERS_COLUMN, POINTERS_COLUMN

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow
    from coderdesk.ui.widgets.chart_pane import TextDocumentView


def _type_and_add(qtbot: QtBot, window: MainWindow, text: str, downs: int = 0) -> None:
    window.search_action.trigger()  # Ctrl+K
    qtbot.keyClicks(window.encoder.search, text)
    qtbot.waitUntil(lambda: window.encoder.shown_query == text)
    if downs:
        qtbot.keyClick(window.encoder.search, Qt.Key.Key_Down)
        for _ in range(downs):
            qtbot.keyClick(window.encoder.results, Qt.Key.Key_Down)
        qtbot.keyClick(window.encoder.results, Qt.Key.Key_Return)
    else:
        qtbot.keyClick(window.encoder.search, Qt.Key.Key_Return)


def test_a_coding_session_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.attach(demo_workspace)
    qtbot.waitUntil(lambda: window.codes.is_ready)
    # Open an encounter from the worklist with the keyboard.
    chart = next(c for c in DEMO_CHARTS if not c.diagnoses)
    row = row_of_account(window, chart.patient.account_number)
    window.worklist.table.setFocus()
    window.worklist.table.selectRow(row)
    qtbot.waitUntil(lambda: window.detail is not None)
    assert window.detail is not None
    encounter_id = window.detail.id

    # Search and add two diagnoses, then sequence the second first.
    _type_and_add(qtbot, window, "hypertension")
    _type_and_add(qtbot, window, "diabetes", downs=1)  # E11.9, below the E11 header
    tree = window.code_sheet.diagnoses
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(1))
    qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)

    # A service line, an office visit beside a procedure, with pointers and a modifier.
    _type_and_add(qtbot, window, "wellness")
    window.add_code("hcpcs", "99213")
    lines = window.code_sheet.lines
    lines.topLevelItem(1).setText(POINTERS_COLUMN, "AB")
    # A finding appears (the fake: no 25 on 99213 beside another line); fix it in one key.
    qtbot.waitUntil(lambda: window.findings.select("MOD.25"))
    qtbot.keyClick(window.findings.fix_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.findings.select("MOD.25"))
    lines.topLevelItem(0).setText(MODIFIERS_COLUMN, "33")

    # Link evidence from the chart text to the selected diagnosis.
    views = window.chart.text_views()
    view: TextDocumentView = views[0]
    window.chart.tabs.setCurrentWidget(view)
    tree.setCurrentItem(tree.topLevelItem(1))  # I10
    words = view.toPlainText().split()
    needle = words[min(5, len(words) - 1)]
    start = view.toPlainText().index(needle)
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(needle), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.setFocus()
    qtbot.keyClick(
        view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )

    # The workspace holds the result.
    saved = EncounterService(demo_workspace).open(encounter_id)
    assert [d.code for d in saved.diagnoses] == ["E11.9", "I10"]
    assert [(line.code, line.modifiers, line.pointers) for line in saved.service_lines] == [
        ("G0438", ("33",), (1, 2)),
        ("99213", ("25",), (1, 2)),
    ]
    [link] = EvidenceService(demo_workspace).links(encounter_id)
    assert (link.code, link.quote) == ("I10", needle)
