# SPDX-License-Identifier: GPL-3.0-or-later
"""The query composer: live compliance check, indicators from the chart, issue and print."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QTextCursor

import coderdesk.ui.workspace_actions as actions_module
from coderdesk.core.demo import DEMO_CHARTS
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.queries import QueryService
from coderdesk.core.store.models import EncounterStatus

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.main_window import MainWindow

ACCOUNT_COLUMN = 1


def test_compose_check_issue_and_print(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, monkeypatch: Any
) -> None:
    window.attach(demo_workspace)
    account = DEMO_CHARTS[0].patient.account_number  # Rowan, in progress, with a text note
    proxy = window.worklist.proxy
    row = next(
        r for r in range(proxy.rowCount()) if proxy.index(r, ACCOUNT_COLUMN).data() == account
    )
    window.worklist.table.selectRow(row)
    qtbot.waitUntil(lambda: window.detail is not None)
    assert window.detail is not None
    encounter_id = window.detail.id
    printed: list[str] = []
    monkeypatch.setattr(
        actions_module, "preview_and_print", lambda _w, _pdf, title: printed.append(title) or True
    )

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
