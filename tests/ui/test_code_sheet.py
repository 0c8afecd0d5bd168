# SPDX-License-Identifier: GPL-3.0-or-later
"""Code sheet editing: cell parsing, sequencing with pointers, keyboard edits, undo/redo."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from ui_helpers import open_account  # the tests' folder is on the path

import coderdesk.ui.main_window as main_window_module
from coderdesk.core.services.claims import ClaimService
from coderdesk.core.services.codesheet import LineInput
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.store.models import EncounterStatus
from coderdesk.ui.widgets.code_sheet_pane import (
    FROM_COLUMN,
    MODIFIERS_COLUMN,
    TO_COLUMN,
    UNITS_COLUMN,
    Sheet,
    move_diagnosis,
    parse_charge,
    parse_modifiers,
    parse_pointers,
    remove_diagnosis,
)

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow

DAY = dt.date(2026, 3, 14)


def test_cells_are_parsed_or_refused_with_a_reason() -> None:
    assert parse_modifiers("25, rt") == ("25", "RT")
    assert parse_pointers("a c", 3) == (1, 3)
    assert parse_charge("$1,250.50") == 125050
    with pytest.raises(ValueError, match="not a modifier"):
        parse_modifiers("255")
    with pytest.raises(ValueError, match="at most 4"):
        parse_modifiers("22 51 59 76 77")
    with pytest.raises(ValueError, match=r"'D' is not a listed diagnosis \(A-C\)"):
        parse_pointers("AD", 3)
    with pytest.raises(ValueError, match="not an amount"):
        parse_charge("ten")


def test_pointers_follow_their_diagnosis_when_it_moves_or_goes() -> None:
    line = LineInput("99213", DAY, pointers=(1, 3))
    sheet = Sheet(("E11.42", "I10", "E78.5"), (line,))
    moved = move_diagnosis(sheet, 2, -2)
    assert moved.diagnoses == ("E78.5", "E11.42", "I10")
    assert moved.lines[0].pointers == (2, 1)  # still E11.42 and E78.5
    removed = remove_diagnosis(sheet, 0)
    assert removed.diagnoses == ("I10", "E78.5")
    assert removed.lines[0].pointers == (2,)


def test_a_keyboard_session_on_the_code_sheet(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    stored = EncounterService(demo_workspace)
    assert [d.code for d in stored.open(encounter_id).diagnoses] == ["E11.42", "I10", "E78.5"]
    window.add_code("hcpcs", "G0438")  # as Enter in the encoder does
    assert stored.open(encounter_id).service_lines[0].pointers == (1, 2, 3)

    # Sequence: the third diagnosis up twice; the line's pointers follow.
    tree = window.code_sheet.diagnoses
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(2))
    qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    detail = stored.open(encounter_id)
    assert [d.code for d in detail.diagnoses] == ["E78.5", "E11.42", "I10"]
    assert detail.service_lines[0].pointers == (2, 3, 1)

    # Edit a cell: modifiers saved at once; bad units refused and shown.
    lines = window.code_sheet.lines
    lines.topLevelItem(0).setText(MODIFIERS_COLUMN, "33")
    assert stored.open(encounter_id).service_lines[0].modifiers == ("33",)
    lines.topLevelItem(0).setText(FROM_COLUMN, "03/13/2026")
    assert stored.open(encounter_id).service_lines[0].date_from == dt.date(2026, 3, 13)
    lines.topLevelItem(0).setText(TO_COLUMN, "03/01/2026")
    assert "cannot end before it starts" in window.statusBar().currentMessage()
    window.undo_action.trigger()  # the date change
    lines.topLevelItem(0).setText(UNITS_COLUMN, "two")
    assert "Units must be a whole number" in window.statusBar().currentMessage()
    assert lines.topLevelItem(0).text(UNITS_COLUMN) == "1"
    assert stored.open(encounter_id).service_lines[0].units == 1

    # Undo the modifier and the move; redo the move.
    window.undo_action.trigger()
    assert stored.open(encounter_id).service_lines[0].modifiers == ()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert [d.code for d in stored.open(encounter_id).diagnoses] == ["E11.42", "I10", "E78.5"]
    window.redo_action.trigger()
    assert [d.code for d in stored.open(encounter_id).diagnoses] == ["E11.42", "E78.5", "I10"]

    # Delete the line from the keyboard.
    lines.setFocus()
    lines.setCurrentItem(lines.topLevelItem(0))
    qtbot.keyClick(lines, Qt.Key.Key_Delete)
    assert stored.open(encounter_id).service_lines == ()
    qtbot.waitUntil(lambda: window.findings.summary.text() != "")


def test_findings_fix_and_override(
    qtbot: QtBot,
    window: MainWindow,
    demo_workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    stored = EncounterService(demo_workspace)
    window.add_code("hcpcs", "99213")
    window.add_code("hcpcs", "G0438")
    panel = window.findings
    qtbot.waitUntil(lambda: panel.select("MOD.25"))
    assert panel.fix_button.isEnabled()
    panel.fix_button.click()
    assert stored.open(encounter_id).service_lines[0].modifiers == ("25",)
    qtbot.waitUntil(lambda: not panel.select("MOD.25"))

    # A header code: Fix offers its children; the choice replaces it in place.
    window.add_code("icd10cm", "E11")
    qtbot.waitUntil(lambda: panel.select("ICD10CM.HEADER_CODE"))
    offered: list[str] = []

    def choose(
        _parent: object, _title: str, _label: str, items: list[str], *_a: object
    ) -> tuple[str, bool]:
        offered.extend(items)
        return items[0], True

    monkeypatch.setattr(main_window_module.QInputDialog, "getItem", choose)
    panel.fix_button.click()
    qtbot.waitUntil(lambda: "E11.9" in [d.code for d in stored.open(encounter_id).diagnoses])
    assert offered[0].startswith("E11.9")
    assert [d.code for d in stored.open(encounter_id).diagnoses][-1] == "E11.9"

    # Override: the reason is stored, the finding stays listed and stops blocking.
    window.undo_action.trigger()  # back to E11
    qtbot.waitUntil(lambda: panel.select("ICD10CM.HEADER_CODE"))
    assert panel.override_button.isEnabled()
    monkeypatch.setattr(
        main_window_module.QInputDialog, "getText", lambda *_a: ("Payer asks for it", True)
    )
    panel.override_button.click()
    qtbot.waitUntil(lambda: panel.blocking_count() == 0)
    assert any(f.overridden == "Payer asks for it" for f in panel.findings)
    overrides = ClaimService(demo_workspace).overrides(encounter_id)
    assert [(o.rule, o.codes, o.reason) for o in overrides] == [
        ("ICD10CM.HEADER_CODE", ("E11",), "Payer asks for it")
    ]


def test_status_moves_follow_the_workflow_and_ready_waits_for_errors(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)  # in progress
    actions = window.status_actions
    assert actions[EncounterStatus.READY].isEnabled()
    assert not actions[EncounterStatus.EXPORTED].isEnabled()
    window.add_code("icd10cm", "E11")  # the fake rules call it a header: an error
    qtbot.waitUntil(lambda: window.findings.blocking_count() == 1)
    actions[EncounterStatus.READY].trigger()
    assert "Resolve or override" in window.statusBar().currentMessage()
    assert not window.export_claim_action.isEnabled()
    assert EncounterService(demo_workspace).open(encounter_id).status is EncounterStatus.IN_PROGRESS
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.findings.blocking_count() == 0)
    qtbot.waitUntil(window.export_claim_action.isEnabled)
    exported = tmp_path / "claim.json"
    window.file_actions.export_claim(exported)
    assert json.loads(exported.read_text(encoding="utf-8"))["diagnoses"] == [
        "E11.42",
        "I10",
        "E78.5",
    ]
    actions[EncounterStatus.READY].trigger()
    assert EncounterService(demo_workspace).open(encounter_id).status is EncounterStatus.READY
    assert actions[EncounterStatus.EXPORTED].isEnabled()
    assert window.worklist.selected_encounter_id() == encounter_id
    assert window.productivity_label.text().startswith("Today: 1 coded")

    # A claim needs a service line; the 837P leaves through the workspace: numbered, and
    # the encounter is exported.
    window.add_code("hcpcs", "G0438")
    qtbot.waitUntil(lambda: window.detail is not None and len(window.detail.service_lines) == 1)
    qtbot.waitUntil(window.export_837p_action.isEnabled)
    x12 = tmp_path / "claim.x12"
    window.file_actions.export_837p(x12)
    qtbot.waitUntil(x12.exists)
    assert x12.read_text(encoding="ascii").startswith("ISA*")
    qtbot.waitUntil(
        lambda: (
            EncounterService(demo_workspace).open(encounter_id).status is EncounterStatus.EXPORTED
        )
    )
    qtbot.waitUntil(lambda: "interchange 000000001" in window.statusBar().currentMessage())
    pdf = tmp_path / "claim.pdf"
    window.file_actions.export_cms1500(pdf)
    qtbot.waitUntil(pdf.exists)
    assert pdf.read_bytes().startswith(b"%PDF")
