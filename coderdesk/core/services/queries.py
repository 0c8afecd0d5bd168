# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries in the workspace: draft -> issued -> answered -> closed, or withdrawn.

Issuing runs the compliance check (a query with an error cannot be issued) and puts the
encounter on "query pending"; closing or withdrawing the last open query of an encounter
puts it back in progress for the coder to update the sheet. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from coderdesk.core.errors import UsageError
from coderdesk.core.queries.lint import can_issue, lint_query
from coderdesk.core.queries.model import Query, parse_query
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import Encounter, EncounterStatus, ProviderQuery, utcnow

if TYPE_CHECKING:
    import datetime as dt

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
        """Save a draft; return its id."""
        data = _as_json(query)
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            row = ProviderQuery(
                encounter_id=encounter_id,
                provider_id=provider_id,
                trigger=data["trigger"],
                question=data["question"],
                query_format=data["format"],
                options=data["options"],
                indicators=data["indicators"],
                due_date=due_date,
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
