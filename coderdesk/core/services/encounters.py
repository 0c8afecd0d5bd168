# SPDX-License-Identifier: GPL-3.0-or-later
"""Encounters and the worklist: what is waiting to be coded, and moving it along."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coderdesk.core.errors import NotFound, UsageError
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.services.patients import PatientView, patient_view
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import (
    ChartDocument,
    DocumentKind,
    Encounter,
    EncounterStatus,
    Payer,
    ProviderQuery,
    utcnow,
)


@dataclass(frozen=True)
class EncounterInput:
    """What it takes to put an encounter on the worklist."""

    patient_id: int
    date_of_service: dt.date
    encounter_type: str
    specialty: str = ""
    payer_id: int | None = None
    subscriber_id: str = ""
    rendering_provider_id: int | None = None
    place_of_service: str = "11"
    due_date: dt.date | None = None
    priority: int = 3


@dataclass(frozen=True)
class WorklistRow:
    """One line of the worklist, a frozen snapshot for the views."""

    encounter_id: int
    patient_name: str
    account_number: str
    date_of_service: dt.date
    encounter_type: str
    specialty: str
    payer: str
    status: EncounterStatus
    due_date: dt.date | None
    priority: int
    document_count: int
    open_queries: int = 0
    overdue_queries: int = 0


@dataclass(frozen=True)
class DocumentSummary:
    """A chart document as the chart pane lists it (no content)."""

    id: int
    title: str
    kind: DocumentKind
    page_count: int


@dataclass(frozen=True)
class DiagnosisRow:
    """One diagnosis of the code sheet, in sequence."""

    position: int
    code: str
    description: str


@dataclass(frozen=True)
class ServiceLineRow:
    """One service line of the code sheet."""

    position: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    pointers: tuple[int, ...]
    charge_cents: int
    date_from: dt.date
    date_to: dt.date
    place_of_service: str


@dataclass(frozen=True)
class EncounterDetail:
    """Everything the workstation shows for one open encounter."""

    id: int
    patient: PatientView
    date_of_service: dt.date
    encounter_type: str
    specialty: str
    status: EncounterStatus
    place_of_service: str
    documents: tuple[DocumentSummary, ...]
    diagnoses: tuple[DiagnosisRow, ...]
    service_lines: tuple[ServiceLineRow, ...]


_ALLOWED_MOVES: dict[EncounterStatus, frozenset[EncounterStatus]] = {
    EncounterStatus.NEW: frozenset({EncounterStatus.IN_PROGRESS}),
    EncounterStatus.IN_PROGRESS: frozenset(
        {EncounterStatus.QUERY_PENDING, EncounterStatus.READY, EncounterStatus.NEW}
    ),
    EncounterStatus.QUERY_PENDING: frozenset({EncounterStatus.IN_PROGRESS}),
    EncounterStatus.READY: frozenset({EncounterStatus.EXPORTED, EncounterStatus.IN_PROGRESS}),
    EncounterStatus.EXPORTED: frozenset({EncounterStatus.REWORK}),
    EncounterStatus.REWORK: frozenset({EncounterStatus.IN_PROGRESS}),
}


def allowed_moves(status: EncounterStatus) -> frozenset[EncounterStatus]:
    """The statuses an encounter in `status` may move to."""
    return _ALLOWED_MOVES[status]


@dataclass(frozen=True)
class Productivity:
    """A day's coding: encounters finished (made ready) and the average minutes each took."""

    coded: int
    average_minutes: float | None


def _document_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(ChartDocument.encounter_id, func.count()).group_by(ChartDocument.encounter_id)
    )
    return {encounter_id: count for encounter_id, count in rows}


def _query_counts(session: Session, today: dt.date) -> dict[int, tuple[int, int]]:
    """Per encounter: (open queries, of which overdue): issued and not yet answered."""
    found: dict[int, tuple[int, int]] = {}
    rows = session.execute(
        select(ProviderQuery.encounter_id, ProviderQuery.due_date).where(
            ProviderQuery.status == "issued"
        )
    )
    for encounter_id, due in rows:
        total, late = found.get(encounter_id, (0, 0))
        found[encounter_id] = (total + 1, late + (due is not None and due < today))
    return found


def _worklist_row(
    encounter: Encounter, payer: str, documents: int, queries: tuple[int, int]
) -> WorklistRow:
    patient = encounter.patient
    return WorklistRow(
        encounter_id=encounter.id,
        patient_name=f"{patient.last_name}, {patient.first_name}",
        account_number=patient.account_number,
        date_of_service=encounter.date_of_service,
        encounter_type=encounter.encounter_type,
        specialty=encounter.specialty,
        payer=payer,
        status=encounter.status,
        due_date=encounter.due_date,
        priority=encounter.priority,
        document_count=documents,
        open_queries=queries[0],
        overdue_queries=queries[1],
    )


def _detail(encounter: Encounter) -> EncounterDetail:
    return EncounterDetail(
        id=encounter.id,
        patient=patient_view(encounter.patient),
        date_of_service=encounter.date_of_service,
        encounter_type=encounter.encounter_type,
        specialty=encounter.specialty,
        status=encounter.status,
        place_of_service=encounter.place_of_service,
        documents=tuple(
            DocumentSummary(d.id, d.title, d.kind, d.page_count) for d in encounter.documents
        ),
        diagnoses=tuple(
            DiagnosisRow(d.position, d.code, d.description) for d in encounter.diagnoses
        ),
        service_lines=tuple(
            ServiceLineRow(
                position=line.position,
                code=line.code,
                modifiers=tuple(line.modifiers),
                units=line.units,
                pointers=tuple(line.diagnosis_pointers),
                charge_cents=line.charge_cents,
                date_from=line.date_from,
                date_to=line.date_to,
                place_of_service=line.place_of_service,
            )
            for line in encounter.service_lines
        ),
    )


class EncounterService(WorkspaceService):
    """Creates encounters, lists the worklist, opens an encounter, moves its status."""

    def create(self, data: EncounterInput) -> int:
        """Put a new encounter on the worklist; return its id."""
        with self.workspace.session() as session:
            encounter = Encounter(**vars(data))
            session.add(encounter)
            session.flush()
            self._audit(session, AuditAction.CREATE, "encounter", encounter.id)
            return encounter.id

    def worklist(self, today: dt.date | None = None) -> list[WorklistRow]:
        """Every encounter, most urgent first (due date, then priority), with its open and
        overdue queries as of `today`."""
        with self.workspace.session() as session:
            payers = {p.id: p.name for p in session.scalars(select(Payer))}
            counts = _document_counts(session)
            queries = _query_counts(session, today or dt.date.today())
            query = (
                select(Encounter)
                .options(selectinload(Encounter.patient))
                .order_by(Encounter.due_date.is_(None), Encounter.due_date, Encounter.priority)
            )
            rows = [
                _worklist_row(
                    e,
                    payers.get(e.payer_id or 0, ""),
                    counts.get(e.id, 0),
                    queries.get(e.id, (0, 0)),
                )
                for e in session.scalars(query)
            ]
            self._audit(session, AuditAction.READ, "worklist", len(rows))
            return rows

    @staticmethod
    def status_counts(rows: list[WorklistRow]) -> dict[EncounterStatus, int]:
        """How many encounters are in each status (every status present, zero included)."""
        counted = Counter(row.status for row in rows)
        return {status: counted.get(status, 0) for status in EncounterStatus}

    def open(self, encounter_id: int) -> EncounterDetail:
        """Load an encounter with its patient, documents and code sheet (audited read)."""
        with self.workspace.session() as session:
            query = (
                select(Encounter)
                .where(Encounter.id == encounter_id)
                .options(
                    selectinload(Encounter.patient),
                    selectinload(Encounter.documents).load_only(
                        ChartDocument.title, ChartDocument.kind, ChartDocument.page_count
                    ),
                    selectinload(Encounter.diagnoses),
                    selectinload(Encounter.service_lines),
                )
            )
            encounter = session.scalars(query).one_or_none()
            if encounter is None:
                raise NotFound(f"Encounter {encounter_id} does not exist in this workspace.")
            self._audit(session, AuditAction.READ, "encounter", encounter_id)
            return _detail(encounter)

    def productivity(self, day: dt.date) -> Productivity:
        """Encounters made ready on `day` (UTC) and their average coding time."""
        start = dt.datetime.combine(day, dt.time())
        with self.workspace.session() as session:
            rows = session.execute(
                select(Encounter.coding_started_at, Encounter.coding_finished_at).where(
                    Encounter.coding_finished_at >= start,
                    Encounter.coding_finished_at < start + dt.timedelta(days=1),
                )
            ).all()
        minutes = [
            (finished - started).total_seconds() / 60
            for started, finished in rows
            if started is not None and finished is not None and finished >= started
        ]
        return Productivity(len(rows), sum(minutes) / len(minutes) if minutes else None)

    def set_status(self, encounter_id: int, status: EncounterStatus) -> None:
        """Move an encounter to `status` if the workflow allows it (audited)."""
        with self.workspace.session() as session:
            encounter = get_or_raise(session, Encounter, encounter_id, "Encounter")
            if status == encounter.status:
                return
            if status not in _ALLOWED_MOVES[encounter.status]:
                raise UsageError(
                    f"An encounter that is '{encounter.status.value}' cannot become "
                    f"'{status.value}'."
                )
            _stamp_progress(encounter, status)
            encounter.status = status
            self._audit(session, AuditAction.UPDATE, "encounter", encounter_id)


def _stamp_progress(encounter: Encounter, status: EncounterStatus) -> None:
    # Productivity figures come from these two times.
    if status is EncounterStatus.IN_PROGRESS and encounter.coding_started_at is None:
        encounter.coding_started_at = utcnow()
    if status is EncounterStatus.READY:
        encounter.coding_finished_at = utcnow()
