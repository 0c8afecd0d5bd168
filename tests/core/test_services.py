# SPDX-License-Identifier: GPL-3.0-or-later
"""Services over the workspace: worklist, statuses, documents, code sheet, settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.errors import NotFound, UsageError, WorkspaceLocked
from coderdesk.core.services.codesheet import CodeSheetService, LineInput
from coderdesk.core.services.documents import DocumentService
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.services.evidence import EvidenceService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.services.settings import ProviderInput, SettingsService
from coderdesk.core.store.models import DocumentKind, EncounterStatus, Sex

if TYPE_CHECKING:
    from coderdesk.core.store.workspace import Workspace


def _encounter(workspace: Workspace, due: dt.date | None = None, priority: int = 3) -> int:
    patient = PatientService(workspace).create(
        PatientInput(f"P{priority}{due}", "Example", "Person", dt.date(1960, 1, 1), Sex.MALE)
    )
    return EncounterService(workspace).create(
        EncounterInput(
            patient, dt.date(2026, 3, 1), "Office visit", due_date=due, priority=priority
        )
    )


def test_worklist_is_ordered_by_due_date_then_priority(workspace: Workspace) -> None:
    late = _encounter(workspace, dt.date(2026, 4, 1), 1)
    undated = _encounter(workspace, None, 1)
    soon_low = _encounter(workspace, dt.date(2026, 3, 10), 5)
    soon_high = _encounter(workspace, dt.date(2026, 3, 10), 1)
    order = [row.encounter_id for row in EncounterService(workspace).worklist()]
    assert order == [soon_high, soon_low, late, undated]


def test_status_moves_follow_the_workflow(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    service = EncounterService(workspace)
    with pytest.raises(UsageError, match="cannot become"):
        service.set_status(encounter, EncounterStatus.EXPORTED)
    for status in (
        EncounterStatus.IN_PROGRESS,
        EncounterStatus.QUERY_PENDING,
        EncounterStatus.IN_PROGRESS,
        EncounterStatus.READY,
        EncounterStatus.EXPORTED,
        EncounterStatus.REWORK,
    ):
        service.set_status(encounter, status)
        assert service.open(encounter).status is status
    counts = EncounterService.status_counts(service.worklist())
    assert counts[EncounterStatus.REWORK] == 1
    assert sum(counts.values()) == 1


def test_documents_are_stored_whole_and_read_back(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    documents = DocumentService(workspace)
    doc_id = documents.add(encounter, "visit.txt", b"Assessment: hypertension.", "Visit")
    loaded = documents.load(doc_id)
    assert loaded.kind is DocumentKind.TEXT
    assert loaded.content == b"Assessment: hypertension."
    assert loaded.text == "Assessment: hypertension."
    detail = EncounterService(workspace).open(encounter)
    assert [d.title for d in detail.documents] == ["Visit"]


def test_code_sheet_keeps_order_and_validates_shape(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    sheet = CodeSheetService(workspace)
    sheet.replace_diagnoses(encounter, ["i10", " E11.9 "])
    sheet.replace_lines(
        encounter,
        [
            LineInput(
                "99213", dt.date(2026, 3, 1), modifiers=("25",), pointers=(1, 2), charge_cents=12000
            )
        ],
    )
    detail = EncounterService(workspace).open(encounter)
    assert [d.code for d in detail.diagnoses] == ["I10", "E11.9"]
    assert detail.service_lines[0].modifiers == ("25",)
    assert detail.service_lines[0].pointers == (1, 2)
    with pytest.raises(UsageError, match="12 diagnoses"):
        sheet.replace_diagnoses(encounter, ["I10"] * 13)
    with pytest.raises(UsageError, match="4 modifiers"):
        sheet.replace_lines(
            encounter, [LineInput("99213", dt.date(2026, 3, 1), modifiers=("a",) * 5)]
        )
    with pytest.raises(UsageError, match="Units"):
        sheet.replace_lines(encounter, [LineInput("99213", dt.date(2026, 3, 1), units=0)])


def test_missing_records_and_locked_workspace_raise_domain_errors(workspace: Workspace) -> None:
    with pytest.raises(NotFound):
        EncounterService(workspace).open(999)
    with pytest.raises(NotFound):
        DocumentService(workspace).load(999)
    workspace.lock()
    with pytest.raises(WorkspaceLocked):
        EncounterService(workspace).worklist()


def test_settings_round_trip_and_bounds(workspace: Workspace) -> None:
    service = SettingsService(workspace)
    current = service.get()
    assert current.auto_lock_minutes == 5
    service.update(replace(current, practice_name="Example Clinic", auto_lock_minutes=10))
    assert service.get().practice_name == "Example Clinic"
    with pytest.raises(UsageError, match="Auto-lock"):
        service.update(replace(current, auto_lock_minutes=0))
    with pytest.raises(UsageError, match="9 digits"):
        service.update(replace(current, tax_id="12-34"))
    with pytest.raises(UsageError, match="not a place-of-service code"):
        service.update(replace(current, default_place_of_service="30"))
    service.update(replace(current, tax_id="12-3456789"))
    assert service.get().tax_id == "123456789"
    with pytest.raises(UsageError, match="not a valid NPI"):
        service.add_provider(ProviderInput("Doe, Jan", "1234567890"))
    provider = service.add_provider(ProviderInput("Doe, Jan", "1234567893"))
    assert service.providers() == [(provider, "Doe, Jan", "1234567893")]


def test_evidence_links_quote_their_span_and_refuse_bad_spans(workspace: Workspace) -> None:
    encounter = _encounter(workspace)
    other = _encounter(workspace, priority=1)
    documents = DocumentService(workspace)
    note = documents.add(encounter, "note.txt", b"Assessment: type 2 diabetes with neuropathy.")
    elsewhere = documents.add(other, "other.txt", b"Another chart.")
    evidence = EvidenceService(workspace)
    link = evidence.link(encounter, note, "e11.40", (12, 43))
    [view] = evidence.links(encounter)
    assert (view.id, view.code, view.quote) == (link, "E11.40", "type 2 diabetes with neuropathy")
    with pytest.raises(UsageError, match="Select some text"):
        evidence.link(encounter, note, "E11.40", (10, 999))
    with pytest.raises(UsageError, match="another encounter"):
        evidence.link(encounter, elsewhere, "E11.40", (0, 4))
    evidence.remove(link)
    assert evidence.links(encounter) == []
