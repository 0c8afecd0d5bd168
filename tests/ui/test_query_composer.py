# SPDX-License-Identifier: GPL-3.0-or-later
"""The query composer: live compliance check, indicators from the chart, issue and print."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader
from PySide6.QtGui import QTextCursor
from ui_helpers import open_account  # the tests' folder is on the path

import coderdesk.ui.workspace_actions as actions_module
from coderdesk.core.demo import DEMO_CHARTS
from coderdesk.core.queries.model import parse_query
from coderdesk.core.queries.templates import templates
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.queries import QueryService
from coderdesk.core.store.models import EncounterStatus

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow


def test_compose_check_issue_and_print(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, monkeypatch: Any
) -> None:
    account = DEMO_CHARTS[0].patient.account_number  # Rowan, in progress, with a text note
    encounter_id = open_account(qtbot, window, demo_workspace, account)
    printed: list[str] = []
    letters: list[bytes] = []

    def fake_print(_window: object, pdf: bytes, title: str) -> bool:
        printed.append(title)
        letters.append(pdf)
        return True

    monkeypatch.setattr(actions_module, "preview_and_print", fake_print)

    composer = window.file_actions.new_query()
    assert composer is not None
    qtbot.addWidget(composer)
    composer.question.setPlainText("Please document the type of neuropathy.")
    assert not composer.issue_button.isEnabled()
    texts = [composer.findings.item(i).text() for i in range(composer.findings.count())]
    assert any("QUERY.LEADING" in t for t in texts)
    assert any("QUERY.NO_INDICATOR" in t for t in texts)

    # A template, then an indicator taken from the chart selection.
    composer.template.setCurrentIndex(composer.template.findData("specificity"))
    composer.condition.setText("diabetic neuropathy")
    composer.apply_template()
    composer.options.setPlainText(
        "Diabetic polyneuropathy\nDiabetic mononeuropathy\nOther (please specify)\n"
        "Clinically undetermined"
    )
    view = window.chart.text_views()[0]
    window.chart.tabs.setCurrentWidget(view)
    words = view.toPlainText().split()
    start = view.toPlainText().index(words[3])
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(words[3]), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    composer.add_chart_selection()
    assert composer.indicators[0]["text"] == words[3]
    assert composer.indicators[0]["source"]
    assert composer.issue_button.isEnabled(), [
        composer.findings.item(i).text() for i in range(composer.findings.count())
    ]
    composer.issue_button.click()

    [query] = QueryService(demo_workspace).for_encounter(encounter_id)
    assert query.status == "issued"
    assert (
        EncounterService(demo_workspace).open(encounter_id).status is EncounterStatus.QUERY_PENDING
    )
    assert printed == ["Provider query"]
    text = _text(letters[0])
    assert account in text  # the letter names the encounter by account, not by name
    assert DEMO_CHARTS[0].patient.last_name not in text

    # The answer comes back: record it, then close; the encounter is in progress again.
    dialog = window.file_actions.show_queries()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.answer_button.isEnabled()
    assert not dialog.close_button.isEnabled()
    dialog.option.setCurrentText("Diabetic polyneuropathy")
    dialog.answered_by.setText("Dr. Quill")
    dialog.record_answer()
    assert dialog.close_button.isEnabled()
    dialog.close_query()
    [closed] = QueryService(demo_workspace).for_encounter(encounter_id)
    assert (closed.status, closed.answer_option, closed.answered_by) == (
        "closed",
        "Diabetic polyneuropathy",
        "Dr. Quill",
    )
    status = EncounterService(demo_workspace).open(encounter_id).status
    assert status is EncounterStatus.IN_PROGRESS
    dialog.close()


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_an_overdue_query_shows_on_the_worklist_and_is_escalated(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, monkeypatch: Any
) -> None:
    service = QueryService(demo_workspace)
    encounter_id = EncounterService(demo_workspace).worklist()[0].encounter_id
    values = {"condition": "anemia"}
    indicators = [{"text": "Hgb 7.1 g/dL", "source": "Lab report", "date": "2026-03-12"}]
    draft = parse_query(templates()["clarification"].fill(values, indicators))
    query_id = service.create(encounter_id, draft, due_date=dt.date.today() - dt.timedelta(3))
    service.issue(query_id)
    window.attach(demo_workspace)
    assert "Queries overdue: 1" in window.status_counts.text()
    letters: list[bytes] = []
    monkeypatch.setattr(
        actions_module, "preview_and_print", lambda _w, pdf, _t: letters.append(pdf) or True
    )

    dialog = window.file_actions.show_open_queries()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "Last 90 days: 1 issued" in dialog.figures.text()
    assert "3 days overdue" in dialog.listing.currentItem().text()
    assert dialog.escalate_button.isEnabled()
    dialog.escalate_to.setText("Dr. Lee, medical director")
    dialog.escalate_query()

    record = service.get(query_id)
    assert (record.escalation_level, record.escalated_to) == (1, "Dr. Lee, medical director")
    assert record.due_date is not None
    assert record.due_date > dt.date.today()
    assert "Second request" in _text(letters[0])
    assert "reminded 1x to Dr. Lee" in dialog.listing.currentItem().text()
    assert "Queries overdue" not in window.status_counts.text()
    dialog.close()
