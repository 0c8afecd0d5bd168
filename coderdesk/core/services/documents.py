# SPDX-License-Identifier: GPL-3.0-or-later
"""Chart documents: adding them to an encounter and reading them back (both audited)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from coderdesk.core.documents.extract import MAX_DOCUMENT_BYTES, ExtractedText, read_document
from coderdesk.core.errors import DocumentUnreadable
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import ChartDocument, DocumentKind, Encounter


@dataclass(frozen=True)
class DocumentContent:
    """A document's bytes and text as the chart pane needs them to show it."""

    id: int
    title: str
    kind: DocumentKind
    content: bytes
    text: str
    page_count: int


class DocumentService(WorkspaceService):
    """Stores chart documents inside the encrypted workspace and reads them back."""

    def add(
        self,
        encounter_id: int,
        filename: str,
        content: bytes,
        title: str = "",
        read: tuple[DocumentKind, ExtractedText] | None = None,
    ) -> int:
        """Add a document (PDF, text, C-CDA, HTML, RTF) to an encounter; return its id.

        `read` is `read_document(filename, content)` when the caller already ran it (the
        workstation extracts off the UI thread, then stores).
        """
        kind, extracted = read or read_document(filename, content)
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            document = ChartDocument(
                encounter_id=encounter_id,
                title=title or Path(filename).stem,
                kind=kind,
                filename=Path(filename).name,
                content=content,
                text=extracted.text,
                page_count=extracted.page_count,
                sha256=hashlib.sha256(content).hexdigest(),
            )
            session.add(document)
            session.flush()
            self._audit(session, AuditAction.CREATE, "document", document.id)
            return document.id

    def add_file(self, encounter_id: int, path: Path, title: str = "") -> int:
        """Read a file from disk and add it to an encounter."""
        return self.add(encounter_id, path.name, read_file(path), title)

    def load(self, document_id: int) -> DocumentContent:
        """Read a document's content and text (audited)."""
        with self.workspace.session() as session:
            document = get_or_raise(session, ChartDocument, document_id, "Document")
            self._audit(session, AuditAction.READ, "document", document_id)
            return DocumentContent(
                id=document.id,
                title=document.title,
                kind=document.kind,
                content=document.content,
                text=document.text,
                page_count=document.page_count,
            )


def read_file(path: Path) -> bytes:
    """A chart file's bytes; too large or unreadable files raise `DocumentUnreadable`."""
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise DocumentUnreadable(f"{path.name} is larger than 50 MB.")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentUnreadable(f"Cannot read {path.name}: {exc.strerror}.") from None
