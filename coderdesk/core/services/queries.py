# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries in the workspace: draft -> issued -> answered -> closed, or withdrawn.

Issuing runs the compliance check (a query with an error cannot be issued) and puts the
encounter on "query pending"; closing or withdrawing the last open query of an encounter
puts it back in progress for the coder to update the sheet. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from coderdesk.core.errors import UsageError
from coderdesk.core.queries.lint import can_issue, lint_query
from coderdesk.core.queries.model import Query, parse_query
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import (
    Encounter,
    EncounterStatus,
    Patient,
    Provider,
    ProviderQuery,
    utcnow,
)

DRAFT, ISSUED, ANSWERED, CLOSED, WITHDRAWN = "draft", "issued", "answered", "closed", "withdrawn"
OPEN_STATUSES = (ISSUED, ANSWERED)
_MOVES = {
    DRAFT: (ISSUED, WITHDRAWN),
    ISSUED: (ANSWERED, WITHDRAWN),
    ANSWERED: (CLOSED,),
    CLOSED: (),
    WITHDRAWN: (),
}


@dataclass(frozen=True)
class QueryRecord:
    """A stored query with its workflow state."""

    id: int
    encounter_id: int
    provider_id: int | None
    query: Query
    status: str
    due_date: dt.date | None
    issued_at: dt.datetime | None
    answered_at: dt.datetime | None
    answer_option: str
    answer_text: str
    answered_by: str
    escalation_level: int = 0
    escalated_at: dt.datetime | None = None
    escalated_to: str = ""
    first_due_date: dt.date | None = None

    def days_overdue(self, today: dt.date) -> int:
        """Days past the due date while the query waits for its answer (0 otherwise)."""
        if self.status != ISSUED or self.due_date is None:
            return 0
        return max(0, (today - self.due_date).days)


@dataclass(frozen=True)
class Turnaround:
    """How quickly providers answer: the figures a query practice is judged by."""

    issued: int
    answered: int
    median_days: float | None
    answered_on_time: int
    open_now: int
    overdue_now: int
    escalated: int

    @property
    def on_time_rate(self) -> float | None:
        """Share of answered queries answered by their first due date."""
        return self.answered_on_time / self.answered if self.answered else None


def _as_json(query: Query) -> dict[str, Any]:
    return {
        "trigger": str(query.trigger),
        "format": str(query.query_format),
        "question": query.question,
        "options": list(query.options),
        "indicators": [
            {"text": i.text, "source": i.source, "date": i.date.isoformat() if i.date else ""}
            for i in query.indicators
        ],
    }


def _record(row: ProviderQuery) -> QueryRecord:
    query = parse_query(
        {
            "trigger": row.trigger,
            "format": row.query_format,
            "question": row.question,
            "options": row.options,
            "indicators": row.indicators,
        }
    )
    return QueryRecord(
        row.id,
        row.encounter_id,
        row.provider_id,
        query,
        row.status,
        row.due_date,
        row.issued_at,
        row.answered_at,
        row.answer_option,
        row.answer_text,
        row.answered_by,
        row.escalation_level or 0,
        row.escalated_at,
        row.escalated_to or "",
        row.first_due_date,
    )


class QueryService(WorkspaceService):
    """Creates, issues, answers, closes and withdraws provider queries (audited)."""

    def create(
        self,
        encounter_id: int,
        query: Query,
        provider_id: int | None = None,
        due_date: dt.date | None = None,
    ) -> int:
        """Save a draft; return its id. The provider defaults to the rendering one."""
        data = _as_json(query)
        with self.workspace.session() as session:
            encounter = get_or_raise(session, Encounter, encounter_id, "Encounter")
            if provider_id is not None:
                get_or_raise(session, Provider, provider_id, "Provider")
            row = ProviderQuery(
                encounter_id=encounter_id,
                provider_id=provider_id or encounter.rendering_provider_id,
                trigger=data["trigger"],
                question=data["question"],
                query_format=data["format"],
                options=data["options"],
                indicators=data["indicators"],
                due_date=due_date,
                first_due_date=due_date,
            )
            session.add(row)
            session.flush()
            self._audit(session, AuditAction.CREATE, "query", row.id)
            return row.id

    def get(self, query_id: int) -> QueryRecord:
        """One query (audited read)."""
        with self.workspace.session() as session:
            row = get_or_raise(session, ProviderQuery, query_id, "Query")
            self._audit(session, AuditAction.READ, "query", query_id)
            return _record(row)

    def for_encounter(self, encounter_id: int) -> list[QueryRecord]:
        """An encounter's queries, oldest first."""
        with self.workspace.session() as session:
            rows = session.scalars(
                select(ProviderQuery)
                .where(ProviderQuery.encounter_id == encounter_id)
                .order_by(ProviderQuery.id)
            )
            return [_record(row) for row in rows]

    def issue(self, query_id: int, documented: tuple[str, ...] = ()) -> None:
        """Issue (print) a draft: it must pass the compliance check; the encounter waits."""
        with self.workspace.session() as session:
            row = self._move(session, query_id, ISSUED)
            query = _record(row).query
            findings = lint_query(
                Query(
                    query.trigger,
                    query.query_format,
                    query.question,
                    query.options,
                    query.indicators,
                    documented,
                )
            )
            if not can_issue(findings):
                errors = "; ".join(f.message for f in findings if f.severity == "error")
                raise UsageError(f"The query cannot be issued: {errors}")
            row.issued_at = utcnow()
            row.first_due_date = row.first_due_date or row.due_date
            encounter = get_or_raise(session, Encounter, row.encounter_id, "Encounter")
            if encounter.status in (EncounterStatus.NEW, EncounterStatus.REWORK):
                encounter.status = EncounterStatus.IN_PROGRESS
            if encounter.status is EncounterStatus.IN_PROGRESS:
                encounter.status = EncounterStatus.QUERY_PENDING
                self._audit(session, AuditAction.UPDATE, "encounter", encounter.id)
            self._audit(session, AuditAction.UPDATE, "query", query_id)

    def answer(self, query_id: int, option: str, text: str, answered_by: str) -> None:
        """Record the provider's answer (which option, free text, who)."""
        if not (option.strip() or text.strip()) or not answered_by.strip():
            raise UsageError("An answer needs the option or text, and who answered.")
        with self.workspace.session() as session:
            row = self._move(session, query_id, ANSWERED)
            row.answer_option, row.answer_text = option.strip(), text.strip()
            row.answered_by, row.answered_at = answered_by.strip(), utcnow()
            self._audit(session, AuditAction.UPDATE, "query", query_id)

    def close(self, query_id: int) -> None:
        """Close an answered query (the coder has updated the sheet)."""
        self._finish(query_id, CLOSED)

    def withdraw(self, query_id: int) -> None:
        """Withdraw a draft or issued query."""
        self._finish(query_id, WITHDRAWN)

    def escalate(
        self, query_id: int, new_due: dt.date, escalated_to: str = "", today: dt.date | None = None
    ) -> int:
        """A reminder (to the same provider) or an escalation (to `escalated_to`, e.g. the
        medical director) for an issued query: a new due date, the level goes up by one.
        Returns the new level."""
        today = today or dt.date.today()
        if new_due <= today:
            raise UsageError("The new due date must be after today.")
        with self.workspace.session() as session:
            row = get_or_raise(session, ProviderQuery, query_id, "Query")
            if row.status != ISSUED:
                raise UsageError(
                    f"Only an issued query waiting for its answer can be escalated "
                    f"(this one is {row.status})."
                )
            row.escalation_level = (row.escalation_level or 0) + 1
            row.escalated_at = utcnow()
            row.escalated_to = escalated_to.strip()[:120]
            row.first_due_date = row.first_due_date or row.due_date
            row.due_date = new_due
            self._audit(session, AuditAction.UPDATE, "query", query_id)
            return row.escalation_level

    def letter_query(self, query_id: int) -> tuple[Query, dt.date]:
        """The query as its letter prints it, with the minimum necessary identifiers
        (provider, patient account, date of service), the due date and any reminder; and
        the date the letter carries (first issued; the last reminder's; today for a draft)."""
        with self.workspace.session() as session:
            row = get_or_raise(session, ProviderQuery, query_id, "Query")
            encounter = get_or_raise(session, Encounter, row.encounter_id, "Encounter")
            patient = get_or_raise(session, Patient, encounter.patient_id, "Patient")
            provider = session.get(Provider, row.provider_id) if row.provider_id else None
            record = _record(row)
        extra: dict[str, Any] = {
            "provider": {"name": _provider_name(provider)} if provider else {},
            "patient": {"account": patient.account_number},
            "encounter": {"date_of_service": f"{encounter.date_of_service:%m/%d/%Y}"},
        }
        if record.due_date is not None:
            extra["due_date"] = f"{record.due_date:%m/%d/%Y}"
        if record.escalation_level:
            extra["reminder"] = {
                "level": record.escalation_level,
                "to": record.escalated_to,
                "first_sent": f"{record.issued_at:%m/%d/%Y}" if record.issued_at else "",
            }
        query = record.query
        letter = Query(
            query.trigger,
            query.query_format,
            query.question,
            query.options,
            query.indicators,
            query.documented,
            extra,
        )
        sent = record.escalated_at if record.escalation_level else record.issued_at
        return letter, sent.date() if sent else dt.date.today()

    def turnaround(self, since: dt.date | None = None, today: dt.date | None = None) -> Turnaround:
        """Turnaround of queries issued since `since` (all when None)."""
        today = today or dt.date.today()
        with self.workspace.session() as session:
            statement = select(ProviderQuery).where(ProviderQuery.issued_at.is_not(None))
            if since is not None:
                statement = statement.where(
                    ProviderQuery.issued_at >= dt.datetime.combine(since, dt.time())
                )
            records = [_record(row) for row in session.scalars(statement)]
        answered = [r for r in records if r.answered_at is not None and r.issued_at is not None]
        days = [_days_to_answer(r) for r in answered]
        on_time = sum(1 for r in answered if _answered_on_time(r))
        return Turnaround(
            issued=len(records),
            answered=len(answered),
            median_days=statistics.median(days) if days else None,
            answered_on_time=on_time,
            open_now=sum(1 for r in records if r.status == ISSUED),
            overdue_now=sum(1 for r in records if r.days_overdue(today) > 0),
            escalated=sum(1 for r in records if r.escalation_level),
        )

    def open_queries(self) -> list[QueryRecord]:
        """Every query still waiting (issued) or to close (answered), soonest due first."""
        with self.workspace.session() as session:
            rows = session.scalars(
                select(ProviderQuery)
                .where(ProviderQuery.status.in_(OPEN_STATUSES))
                .order_by(ProviderQuery.due_date.is_(None), ProviderQuery.due_date)
            )
            return [_record(row) for row in rows]

    def overdue(self, today: dt.date) -> list[QueryRecord]:
        """Issued queries past their due date, most overdue first."""
        with self.workspace.session() as session:
            rows = session.scalars(
                select(ProviderQuery)
                .where(ProviderQuery.status == ISSUED, ProviderQuery.due_date < today)
                .order_by(ProviderQuery.due_date)
            )
            return [_record(row) for row in rows]

    def _finish(self, query_id: int, status: str) -> None:
        with self.workspace.session() as session:
            row = self._move(session, query_id, status)
            still_open = session.scalars(
                select(ProviderQuery.id).where(
                    ProviderQuery.encounter_id == row.encounter_id,
                    ProviderQuery.status.in_(OPEN_STATUSES),
                    ProviderQuery.id != query_id,
                )
            ).first()
            encounter = get_or_raise(session, Encounter, row.encounter_id, "Encounter")
            if still_open is None and encounter.status is EncounterStatus.QUERY_PENDING:
                encounter.status = EncounterStatus.IN_PROGRESS
                self._audit(session, AuditAction.UPDATE, "encounter", encounter.id)
            self._audit(session, AuditAction.UPDATE, "query", query_id)

    @staticmethod
    def _move(session: Any, query_id: int, status: str) -> ProviderQuery:
        row = get_or_raise(session, ProviderQuery, query_id, "Query")
        if status not in _MOVES[row.status]:
            raise UsageError(f"A query that is {row.status} cannot become {status}.")
        row.status = status
        return row


def _provider_name(provider: Provider) -> str:
    credentials = f", {provider.credentials}" if provider.credentials else ""
    return f"{provider.name}{credentials}"


def _days_to_answer(record: QueryRecord) -> float:
    if record.answered_at is None or record.issued_at is None:
        return 0.0
    return (record.answered_at - record.issued_at).total_seconds() / 86400


def _answered_on_time(record: QueryRecord) -> bool:
    due = record.first_due_date or record.due_date
    if due is None or record.answered_at is None:
        return record.answered_at is not None
    return record.answered_at.date() <= due
