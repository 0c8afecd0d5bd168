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
