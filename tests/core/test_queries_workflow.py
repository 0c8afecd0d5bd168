# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries in the workspace: templates, draft to closed, the encounter waits."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.errors import UsageError
from coderdesk.core.queries.lint import can_issue, lint_query
from coderdesk.core.queries.model import parse_query
from coderdesk.core.queries.templates import templates
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.services.queries import QueryService
from coderdesk.core.services.settings import ProviderInput, SettingsService
from coderdesk.core.store.models import EncounterStatus, Sex

if TYPE_CHECKING:
    from coderdesk.core.store.workspace import Workspace

INDICATORS = [{"text": "Hgb 7.1 g/dL", "source": "Lab report", "date": "2026-03-12"}]
VALUES = {
    "condition": "anemia",
    "documented": "chronic kidney disease",
    "option1": "Acute blood loss anemia",
    "option2": "Anemia in chronic kidney disease",
    "option3": "Iron deficiency anemia",
}


def test_every_template_filled_is_compliant() -> None:
    assert set(templates()) >= {
        "clarification",
        "specificity",
        "conflicting",
        "clinical_validation",
        "cause_and_effect",
        "present_on_admission",
    }
    for name, template in templates().items():
        query = parse_query(
            {**template.fill(VALUES, INDICATORS), "documented": [VALUES["documented"]]}
        )
        findings = lint_query(query)
        assert can_issue(findings), (name, [f.message for f in findings])


def test_a_template_names_the_fields_it_lacks() -> None:
    with pytest.raises(UsageError, match="needs: condition"):
        templates()["clarification"].fill({}, INDICATORS)


def _encounter(workspace: Workspace) -> int:
    patient = PatientService(workspace).create(
        PatientInput("Q1", "Query", "Pat", dt.date(1960, 1, 1), Sex.FEMALE)
    )
    return EncounterService(workspace).create(
        EncounterInput(patient, dt.date(2026, 3, 14), "Office visit")
    )


def test_the_workflow_moves_the_encounter_and_tracks_the_answer(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    service = QueryService(workspace)
    template = templates()["specificity"]
    draft = parse_query(template.fill(VALUES, INDICATORS))
    first = service.create(encounter, draft, due_date=dt.date(2026, 3, 20))
    second = service.create(encounter, draft, due_date=dt.date(2026, 3, 30))
    service.issue(first)
    service.issue(second)
    encounters = EncounterService(workspace)
    assert encounters.open(encounter).status is EncounterStatus.QUERY_PENDING
    assert [q.id for q in service.overdue(dt.date(2026, 3, 25))] == [first]
    service.answer(first, "Acute blood loss anemia", "", "Dr. Quill")
    record = service.get(first)
    assert (record.status, record.answer_option, record.answered_by) == (
        "answered",
        "Acute blood loss anemia",
        "Dr. Quill",
    )
    service.close(first)
    assert encounters.open(encounter).status is EncounterStatus.QUERY_PENDING  # one still open
    service.withdraw(second)
    assert encounters.open(encounter).status is EncounterStatus.IN_PROGRESS
    with pytest.raises(UsageError, match="cannot become"):
        service.answer(second, "Yes", "", "Dr. Quill")


def test_a_leading_query_cannot_be_issued(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    service = QueryService(workspace)
    leading = parse_query(
        {
            "trigger": "incomplete",
            "format": "open_ended",
            "question": "Please document sepsis.",
            "indicators": INDICATORS,
        }
    )
    query_id = service.create(encounter, leading)
    with pytest.raises(UsageError, match="cannot be issued"):
        service.issue(query_id)
    assert service.get(query_id).status == "draft"
    assert EncounterService(workspace).open(encounter).status is EncounterStatus.NEW


def test_the_worklist_shows_open_and_overdue_queries(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    service = QueryService(workspace)
    draft = parse_query(templates()["clarification"].fill(VALUES, INDICATORS))
    service.issue(service.create(encounter, draft, due_date=dt.date(2026, 3, 20)))
    service.issue(service.create(encounter, draft, due_date=dt.date(2026, 4, 20)))
    [row] = EncounterService(workspace).worklist(today=dt.date(2026, 3, 25))
    assert (row.open_queries, row.overdue_queries) == (2, 1)


def _queried_encounter(workspace: Workspace) -> int:
    provider = SettingsService(workspace).add_provider(
        ProviderInput("Avery Quill", "1234567893", credentials="MD")
    )
    patient = PatientService(workspace).create(
        PatientInput("Q9", "Query", "Pat", dt.date(1960, 1, 1), Sex.FEMALE)
    )
    return EncounterService(workspace).create(
        EncounterInput(
            patient, dt.date(2026, 3, 14), "Office visit", rendering_provider_id=provider
        )
    )


def _issue(service: QueryService, encounter: int, due: dt.date) -> int:
    draft = parse_query(templates()["clarification"].fill(VALUES, INDICATORS))
    query_id = service.create(encounter, draft, due_date=due)
    service.issue(query_id)
    return query_id


def test_an_overdue_query_is_reminded_then_escalated(workspace: Workspace) -> None:
    service = QueryService(workspace)
    query_id = _issue(service, _queried_encounter(workspace), dt.date(2026, 3, 20))
    today = dt.date(2026, 3, 25)
    assert service.get(query_id).days_overdue(today) == 5
    assert service.escalate(query_id, dt.date(2026, 3, 30), today=today) == 1
    assert service.overdue(today) == []
    level = service.escalate(query_id, dt.date(2026, 4, 6), "Dr. Lee, medical director", today)
    record = service.get(query_id)
    assert (level, record.escalated_to, record.due_date, record.first_due_date) == (
        2,
        "Dr. Lee, medical director",
        dt.date(2026, 4, 6),
        dt.date(2026, 3, 20),
    )
    with pytest.raises(UsageError, match="after today"):
        service.escalate(query_id, today, today=today)
    service.answer(query_id, "Other", "Anemia of chronic disease", "Dr. Quill")
    with pytest.raises(UsageError, match="Only an issued query"):
        service.escalate(query_id, dt.date(2026, 5, 1), today=today)


def test_the_letter_names_provider_account_date_due_and_reminder(workspace: Workspace) -> None:
    service = QueryService(workspace)
    query_id = _issue(service, _queried_encounter(workspace), dt.date(2026, 3, 20))
    letter, issued = service.letter_query(query_id)
    assert letter.extra["provider"] == {"name": "Avery Quill, MD"}  # the rendering provider
    assert letter.extra["patient"] == {"account": "Q9"}  # the minimum necessary: no name
    assert letter.extra["encounter"] == {"date_of_service": "03/14/2026"}
    assert letter.extra["due_date"] == "03/20/2026"
    assert "reminder" not in letter.extra
    service.escalate(query_id, dt.date(2099, 1, 8), "Dr. Lee", today=dt.date(2099, 1, 1))
    letter, again = service.letter_query(query_id)
    reminded = service.get(query_id).escalated_at
    assert reminded is not None
    assert again == reminded.date()  # the reminder is dated; "first sent" keeps the first
    assert letter.extra["reminder"]["first_sent"] == f"{issued:%m/%d/%Y}"
    assert letter.extra["reminder"]["level"] == 1
    assert letter.extra["reminder"]["to"] == "Dr. Lee"
    assert letter.extra["due_date"] == "01/08/2099"


def test_turnaround_counts_answers_on_time_and_late(workspace: Workspace) -> None:
    service = QueryService(workspace)
    encounter = _queried_encounter(workspace)
    late = _issue(service, encounter, dt.date(2000, 1, 1))  # already past when answered
    on_time = _issue(service, encounter, dt.date(2099, 1, 1))
    waiting = _issue(service, encounter, dt.date(2099, 1, 1))
    service.answer(late, "Other", "words", "Dr. Quill")
    service.answer(on_time, "Other", "words", "Dr. Quill")
    service.escalate(waiting, dt.date(2099, 2, 1), today=dt.date(2099, 1, 1))
    figures = service.turnaround(today=dt.date(2099, 3, 1))
    assert (figures.issued, figures.answered, figures.answered_on_time) == (3, 2, 1)
    assert (figures.open_now, figures.overdue_now, figures.escalated) == (1, 1, 1)
    assert figures.on_time_rate == 0.5
    assert figures.median_days is not None
    assert figures.median_days < 1
