# SPDX-License-Identifier: GPL-3.0-or-later
"""Evidence: spans of a chart document's text that support a code on the sheet (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from coderdesk.core.errors import UsageError
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import ChartDocument, Encounter, EvidenceLink

MAX_QUOTE = 2000


@dataclass(frozen=True)
class EvidenceView:
    """A linked span with its quote, for the chart highlight and the coding summary."""

    id: int
    document_id: int
    document_title: str
    code: str
    start: int
    end: int
    page: int | None
    quote: str


class EvidenceService(WorkspaceService):
    """Links text spans to codes, lists and removes the links."""

    def link(
        self,
        encounter_id: int,
        document_id: int,
        code: str,
        span: tuple[int, int],
        page: int | None = None,
    ) -> int:
        """Link `span` (start, end offsets in the document's text) to `code`; return its id."""
        start, end = span
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            document = get_or_raise(session, ChartDocument, document_id, "Document")
            if document.encounter_id != encounter_id:
                raise UsageError("That document belongs to another encounter.")
            if not 0 <= start < end <= len(document.text):
                raise UsageError("Select some text of the document to link as evidence.")
            if end - start > MAX_QUOTE:
                raise UsageError("Link a passage of at most 2,000 characters.")
            row = EvidenceLink(
                encounter_id=encounter_id,
                document_id=document_id,
                code=code.strip().upper(),
                start_offset=start,
                end_offset=end,
                page=page,
            )
            session.add(row)
            session.flush()
            self._audit(session, AuditAction.CREATE, "evidence", row.id)
            return row.id

    def links(self, encounter_id: int) -> list[EvidenceView]:
        """The encounter's evidence, in the order it was linked (audited read)."""
        with self.workspace.session() as session:
            rows = session.execute(
                select(EvidenceLink, ChartDocument.title, ChartDocument.text)
                .join(ChartDocument, ChartDocument.id == EvidenceLink.document_id)
                .where(EvidenceLink.encounter_id == encounter_id)
                .order_by(EvidenceLink.id)
            ).all()
            if rows:
                self._audit(session, AuditAction.READ, "evidence", encounter_id)
            return [
                EvidenceView(
                    link.id,
                    link.document_id,
                    title,
                    link.code,
                    link.start_offset,
                    link.end_offset,
                    link.page,
                    text[link.start_offset : link.end_offset],
                )
                for link, title, text in rows
            ]

    def remove(self, link_id: int) -> None:
        """Remove one link."""
        with self.workspace.session() as session:
            session.delete(get_or_raise(session, EvidenceLink, link_id, "Evidence link"))
            self._audit(session, AuditAction.DELETE, "evidence", link_id)
