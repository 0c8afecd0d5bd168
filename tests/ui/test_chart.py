# SPDX-License-Identifier: GPL-3.0-or-later
"""The chart pane: find with every hit highlighted, selection to the encoder, evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor
from ui_helpers import open_account  # the tests' folder is on the path

from coderdesk.core.demo import DEMO_CHARTS
from coderdesk.core.documents.extract import read_document
from coderdesk.core.services.documents import DocumentContent
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.evidence import EvidenceService
from coderdesk.ui.widgets.chart_pane import (
    EVIDENCE_CHOSEN,
    ChartPane,
    PdfDocumentView,
    TextDocumentView,
)

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow


def _text_view(window: MainWindow) -> TextDocumentView:
    views = window.chart.text_views()
    assert views
    window.chart.tabs.setCurrentWidget(views[0])
    return views[0]


def _select(view: TextDocumentView, needle: str) -> tuple[int, int]:
    start = view.toPlainText().lower().index(needle.lower())
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(needle), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    return start, start + len(needle)


def test_find_highlights_every_hit(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    open_account(qtbot, window, demo_workspace, DEMO_CHARTS[0].patient.account_number)
    view = _text_view(window)
    expected = view.toPlainText().lower().count("diabetes")
    assert expected >= 2
    window.find_action.trigger()
    qtbot.keyClicks(window.chart.find_box, "diabetes")
    assert len(view.find_hits) == expected
    assert len(view.extraSelections()) == expected
    assert window.chart.find_count.text() == f"{expected} found"
    first = view.textCursor().position()
    window.chart.find_box.returnPressed.emit()
    assert view.textCursor().position() > first


def test_find_in_a_pdf_and_leaving_it_is_safe(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    pdf_chart = next(c for c in DEMO_CHARTS if any(as_pdf for *_, as_pdf in c.documents))
    open_account(qtbot, window, demo_workspace, pdf_chart.patient.account_number)
    pdf = window.chart.tabs.widget(0)
    assert isinstance(pdf, PdfDocumentView)
    window.chart.tabs.setCurrentWidget(pdf)
    window.chart.find_box.setText("patient")
    assert window.chart.find_count.text() == "highlighted in the pages"
    qtbot.waitUntil(lambda: window.chart.page.text().startswith("Page 1 of"))
    fitted = pdf.zoomFactor()
    window.chart.zoom_in.trigger()
    assert pdf.zoomMode() == PdfDocumentView.ZoomMode.Custom
    assert pdf.zoomFactor() > fitted
    window.chart.zoom_fit.trigger()
    assert pdf.zoomMode() == PdfDocumentView.ZoomMode.FitToWidth
    window.lock()  # closes the documents while a search model is attached


def test_selection_goes_to_the_encoder_and_becomes_evidence(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    encounter_id = open_account(
        qtbot, window, demo_workspace, DEMO_CHARTS[0].patient.account_number
    )
    view = _text_view(window)
    _select(view, "hypertension")
    window.chart.search_action.trigger()
    assert window.encoder.search.text().lower() == "hypertension"

    # Link to the selected diagnosis (I10, the second on Rowan's sheet).
    diagnoses = window.code_sheet.diagnoses
    diagnoses.setCurrentItem(diagnoses.topLevelItem(1))
    window.chart.tabs.setCurrentWidget(view)
    start, end = _select(view, "hypertension")
    window.chart.link_action.trigger()
    [link] = EvidenceService(demo_workspace).links(encounter_id)
    assert (link.code, link.start, link.end) == ("I10", start, end)
    assert link.quote.lower() == "hypertension"
    assert (start, end, True) in view.evidence

    # Selecting another code dims it; selecting I10 again brings it back into view.
    diagnoses.setCurrentItem(diagnoses.topLevelItem(0))
    assert (start, end, False) in view.evidence
    view.go_to(0)
    diagnoses.setCurrentItem(diagnoses.topLevelItem(1))
    assert view.textCursor().position() == start
    chosen = [s for s in view.extraSelections() if s.format.background().color() == EVIDENCE_CHOSEN]
    assert len(chosen) == 1


def test_every_ccda_example_opens_in_the_chart_pane(qtbot: QtBot, shared_data: Path) -> None:
    pane = ChartPane()
    qtbot.addWidget(pane)
    examples = sorted((shared_data / "charts" / "ccda-examples").rglob("*.xml"))
    assert len(examples) >= 400
    empty = []
    for number, path in enumerate(examples):
        kind, extracted = read_document(path.name, path.read_bytes())
        document = DocumentContent(number, path.stem, kind, b"", extracted.text, 1)
        pane.show_documents([document])
        if not pane.current_text().strip():
            empty.append(path.name)
    pane.clear()
    # A few examples are bare templates with nothing to show; every other one has text.
    assert len(empty) <= len(examples) // 50, empty


def test_documents_are_added_by_drop_and_by_the_file_menu(
    qtbot: QtBot,
    window: MainWindow,
    demo_workspace: Workspace,
    shared_data: Path,
    tmp_path: Path,
    shown_errors: list[BaseException],
) -> None:
    encounter_id = open_account(
        qtbot, window, demo_workspace, DEMO_CHARTS[0].patient.account_number
    )
    before = window.chart.tabs.count()
    note = tmp_path / "addendum.txt"
    note.write_text("Addendum: patient also reports numbness in both feet.", encoding="utf-8")
    ccda = next((shared_data / "charts" / "ccda-examples").rglob("*.xml"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(note))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.chart.dropEvent(drop)
    window.file_actions.add_documents([ccda])
    qtbot.waitUntil(lambda: window.chart.tabs.count() == before + 2, timeout=10_000)
    titles = [d.title for d in EncounterService(demo_workspace).open(encounter_id).documents]
    assert {"addendum", ccda.stem} <= set(titles)

    missing = tmp_path / "gone.pdf"
    window.file_actions.add_documents([missing])
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10_000)
    assert "Cannot read gone.pdf" in str(shown_errors.pop())
