# SPDX-License-Identifier: GPL-3.0-or-later
"""The encoder pane and live findings: search as you type, Enter adds, rules re-run."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from ui_helpers import open_account  # the tests' folder is on the path

from coderdesk.core.services.encounters import EncounterService
from coderdesk.ui.widgets.encoder_pane import CODE_ROLE

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow


def _result_codes(window: MainWindow) -> list[str]:
    model = window.encoder.model
    codes = []
    for group_row in range(model.rowCount()):
        group = model.index(group_row, 0)
        codes += [model.index(r, 0, group).data(CODE_ROLE) for r in range(model.rowCount(group))]
    return codes


def test_typing_searches_in_the_background_and_groups_results(
    qtbot: QtBot, window: MainWindow, backend: Any
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    window.encoder.focus_search()
    qtbot.keyClicks(window.encoder.search, "diabetes")
    qtbot.waitUntil(lambda: _result_codes(window) == ["E11", "E11.9", "E11.40"])
    group = window.encoder.model.index(0, 0)
    assert group.data() == "ICD-10-CM"
    header_title = window.encoder.model.index(0, 1, group).data()
    assert header_title.endswith("(header)")
    assert threading.get_ident() not in backend.threads


def test_enter_adds_the_code_and_findings_follow(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    before = [d.code for d in EncounterService(demo_workspace).open(encounter_id).diagnoses]
    window.encoder.focus_search()
    qtbot.keyClicks(window.encoder.search, "type 2 diabetes")
    qtbot.waitUntil(lambda: "E11" in _result_codes(window))
    qtbot.keyClick(window.encoder.search, Qt.Key.Key_Return)  # the first result: E11, a header
    qtbot.waitUntil(lambda: window.findings.blocking_count() == 1)
    errors = window.findings.tree.topLevelItem(0)
    assert errors.text(0) == "Errors (1)"
    assert errors.child(0).text(0) == "E11 is a header."
    window.findings.tree.setCurrentItem(errors.child(0))
    assert "ICD10CM.HEADER_CODE" in window.findings.detail.text()
    # Down into the results, down again to E11.9, Enter.
    qtbot.keyClick(window.encoder.search, Qt.Key.Key_Down)
    qtbot.keyClick(window.encoder.results, Qt.Key.Key_Down)
    qtbot.keyClick(window.encoder.results, Qt.Key.Key_Return)
    after = [d.code for d in EncounterService(demo_workspace).open(encounter_id).diagnoses]
    assert after == [*before, "E11", "E11.9"]
    codes_on_sheet = [
        window.code_sheet.diagnoses.topLevelItem(i).text(1)
        for i in range(window.code_sheet.diagnoses.topLevelItemCount())
    ]
    assert codes_on_sheet == after


def test_a_procedure_code_becomes_a_service_line(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    detail = EncounterService(demo_workspace).open(encounter_id)
    window.encoder.focus_search()
    qtbot.keyClicks(window.encoder.search, "wellness")
    qtbot.waitUntil(lambda: _result_codes(window) == ["G0438"])
    qtbot.keyClick(window.encoder.search, Qt.Key.Key_Return)
    lines = EncounterService(demo_workspace).open(encounter_id).service_lines
    assert lines[-1].code == "G0438"
    assert lines[-1].date_from == detail.date_of_service
    assert lines[-1].pointers == tuple(range(1, min(4, len(detail.diagnoses)) + 1))


def test_typing_never_waits_for_a_slow_search(
    qtbot: QtBot, window: MainWindow, backend: Any
) -> None:
    backend.search_seconds = 0.4
    qtbot.waitUntil(lambda: window.codes.is_ready)
    window.encoder.focus_search()
    slowest = 0.0
    for character in "hypertension":
        started = time.perf_counter()
        qtbot.keyClick(window.encoder.search, character)
        qtbot.wait(30)  # the debounce fires now and then: searches start while typing
        slowest = max(slowest, time.perf_counter() - started - 0.03)
    assert window.encoder.search.text() == "hypertension"
    assert slowest < 0.2, f"a keystroke waited {slowest:.2f} s"
    qtbot.waitUntil(lambda: _result_codes(window) == ["I10"], timeout=5000)
    # Searches were not queued one per keystroke: the newest text replaced waiting ones.
    assert len(backend.queries) < len("hypertension")
    assert backend.queries[-1] == "hypertension"


def test_ctrl_k_focuses_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.worklist.filter.setFocus()
    window.search_action.trigger()
    qtbot.waitUntil(window.encoder.search.hasFocus)


def test_the_tabular_detail_follows_the_selection_and_adds_a_7th_character(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    window.encoder.focus_search()
    qtbot.keyClicks(window.encoder.search, "diabetes")
    qtbot.waitUntil(lambda: "E11" in _result_codes(window))
    qtbot.waitUntil(lambda: "Type 2 diabetes mellitus" in window.encoder.detail_view.toPlainText())
    text = window.encoder.detail_view.toPlainText()
    assert "Excludes1" in text
    assert "(from category E11)" not in text  # E11's own note, not inherited
    assert "E11.9" in text  # a child, linked
    # Ctrl+Enter on E11.9 shows its detail; its 7th-character link adds the full code.
    qtbot.keyClick(window.encoder.search, Qt.Key.Key_Down)
    qtbot.keyClick(window.encoder.results, Qt.Key.Key_Down)
    qtbot.keyClick(window.encoder.results, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "E11.9XXA" in window.encoder.detail_view.toPlainText())
    window.encoder._link(QUrl("add:E11.9XXA"))
    codes = [d.code for d in EncounterService(demo_workspace).open(encounter_id).diagnoses]
    assert codes[-1] == "E11.9XXA"


def test_status_bar_names_the_code_sets_in_force(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: "Fake HCPCS 2026" in window.versions_label.text())
    assert window.code_versions == ["Fake ICD-10-CM FY2026", "Fake HCPCS 2026"]
    assert window.shortcuts_action.shortcut().toString() == "F1"


def test_the_results_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    from PySide6.QtGui import QBrush

    from coderdesk.core.search.engine import SearchResult
    from coderdesk.ui.widgets.encoder_pane import ResultsModel

    model = ResultsModel()
    results = (
        SearchResult("E11", "Type 2 diabetes mellitus", "icd10cm", False, 2.0),
        SearchResult("E11.9", "Type 2 diabetes mellitus without complications", "icd10cm", True, 1),
        SearchResult("G0438", "Annual wellness visit, first", "hcpcs", True, 0.5),
    )
    model.show(results, QBrush())
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "ICD-10-CM",
        "HCPCS Level II",
    ]


def _first_term(index: Any) -> str:
    item = index.tree.topLevelItem(0)
    return str(item.text(0)) if item is not None else ""


def test_the_index_walk_opens_terms_follows_see_and_adds_codes(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    encounter_id = open_account(qtbot, window, demo_workspace)
    index = window.encoder.index
    window.encoder.tabs.setCurrentWidget(index)
    qtbot.keyClicks(index.term, "Diab")
    qtbot.waitUntil(lambda: index.tree.topLevelItemCount() == 1)
    diabetes = index.tree.topLevelItem(0)
    assert diabetes.text(0) == "Diabetes (mellitus)"
    diabetes.setExpanded(True)
    qtbot.waitUntil(lambda: diabetes.childCount() == 2)
    neuropathy = diabetes.child(1)
    index.tree.setCurrentItem(neuropathy)
    qtbot.waitUntil(lambda: "E11.40" in window.encoder.detail_view.toPlainText())
    index.tree.setFocus()
    qtbot.keyClick(index.tree, Qt.Key.Key_Return)
    codes = [d.code for d in EncounterService(demo_workspace).open(encounter_id).diagnoses]
    assert codes[-1] == "E11.40"

    # "see" is followed to its main term.
    index.term.setText("Sugar")
    qtbot.waitUntil(lambda: _first_term(index) == "Sugar diabetes")
    sugar = index.tree.topLevelItem(0)
    assert sugar.text(2) == "see Diabetes"
    index.tree.setCurrentItem(sugar)
    qtbot.keyClick(index.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _first_term(index) == "Diabetes (mellitus)")

    # The Neoplasm table shows one column per behavior.
    index.which.setCurrentIndex(index.which.findData("icd10cm-neoplasm"))
    index.term.setText("Lu")
    qtbot.waitUntil(lambda: _first_term(index) == "Lung")
    header = index.tree.headerItem()
    assert header.text(1) == "Malignant primary"
    assert index.tree.topLevelItem(0).text(1) == "C34.90"
