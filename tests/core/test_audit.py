# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit trail (SECURITY 13): every PHI access leaves an event; tampering shows at its row."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, select, update

from coderdesk.core.services.documents import DocumentService
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.store import audit
from coderdesk.core.store.models import AuditEvent, EncounterStatus, Sex

if TYPE_CHECKING:
    from coderdesk.core.store.workspace import Workspace


def _events(workspace: Workspace) -> list[tuple[str, str, str]]:
    with workspace.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.object_type, e.object_id) for e in rows]


def _populate(workspace: Workspace) -> int:
    patient_id = PatientService(workspace).create(
        PatientInput("A-1", "Canaryson", "Pat", dt.date(1980, 5, 5), Sex.MALE)
    )
    encounters = EncounterService(workspace)
    encounter_id = encounters.create(
        EncounterInput(patient_id, dt.date(2026, 3, 1), "Office visit")
    )
    document_id = DocumentService(workspace).add(encounter_id, "note.txt", b"Chest pain.")
    DocumentService(workspace).load(document_id)
    PatientService(workspace).get(patient_id)
    encounters.open(encounter_id)
    encounters.set_status(encounter_id, EncounterStatus.IN_PROGRESS)
    return encounter_id


def test_each_phi_operation_writes_an_event_without_phi(workspace: Workspace) -> None:
    _populate(workspace)
    events = _events(workspace)
    assert ("create", "patient", "1") in events
    assert ("create", "encounter", "1") in events
    assert ("create", "document", "1") in events
    assert ("read", "document", "1") in events
    assert ("read", "patient", "1") in events
    assert ("read", "encounter", "1") in events
    assert ("update", "encounter", "1") in events
    flat = " ".join(" ".join(e) for e in events)
    assert "Canaryson" not in flat
    assert "Chest pain" not in flat


def test_intact_chain_verifies(workspace: Workspace) -> None:
    _populate(workspace)
    with workspace.session() as session:
        verdict = audit.verify(session)
    assert verdict.intact
    assert verdict.events == len(_events(workspace))


@pytest.mark.parametrize("victim", [1, 4, 7])
def test_edited_event_is_found_at_its_row(workspace: Workspace, victim: int) -> None:
    _populate(workspace)
    with workspace.session() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == victim).values(actor="mallory"))
    with workspace.session() as session:
        verdict = audit.verify(session)
    assert verdict.broken_at == victim


@pytest.mark.parametrize("victim", [2, 5])
def test_deleted_event_is_found_at_its_row(workspace: Workspace, victim: int) -> None:
    _populate(workspace)
    with workspace.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == victim))
    with workspace.session() as session:
        verdict = audit.verify(session)
    assert verdict.broken_at == victim


def test_truncated_tail_is_found(workspace: Workspace) -> None:
    _populate(workspace)
    last = len(_events(workspace))
    with workspace.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id >= last - 1))
    with workspace.session() as session:
        verdict = audit.verify(session)
    assert verdict.broken_at == last - 1


def test_rehashed_edit_is_still_found_by_the_next_link(workspace: Workspace) -> None:
    _populate(workspace)
    with workspace.session() as session:
        event = session.get(AuditEvent, 3)
        assert event is not None
        event.action = "delete"
        event.hash = audit.event_row_hash(event)
    with workspace.session() as session:
        verdict = audit.verify(session)
    assert verdict.broken_at == 4
