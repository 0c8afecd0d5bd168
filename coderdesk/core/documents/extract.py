# SPDX-License-Identifier: GPL-3.0-or-later
"""Recognise a chart document's format and pull out its text, with limits on hostile input."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from coderdesk.core.errors import DocumentUnreadable
from coderdesk.core.store.models import DocumentKind

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000
PAGE_SEPARATOR = "\f"
HL7_NS = "{urn:hl7-org:v3}"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractedText:
    """A document's plain text (pages separated by form feeds) and its page count."""

    text: str
    page_count: int


def detect_kind(filename: str, content: bytes) -> DocumentKind:
    """The document's format, from its bytes first and its file name second."""
    head = content[:1024].lstrip()
    lowered = filename.lower()
    if head.startswith(b"%PDF-"):
        return DocumentKind.PDF
    if head.startswith(b"{\\rtf"):
        return DocumentKind.RTF
    if head.startswith(b"<") and b"ClinicalDocument" in content[:4096]:
        return DocumentKind.CCDA
    if lowered.endswith((".html", ".htm")) or head[:15].lower().startswith(b"<!doctype html"):
        return DocumentKind.HTML
    if lowered.endswith(".pdf"):
        raise DocumentUnreadable(f"{filename} is named .pdf but is not a PDF file.")
    return DocumentKind.TEXT


def decode_text(content: bytes) -> str:
    """Decode a text document: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def extract_text(kind: DocumentKind, content: bytes) -> ExtractedText:
    """Extract the text of a document; raise `DocumentUnreadable` on malformed input."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentUnreadable("This document is larger than 50 MB and cannot be added.")
    if kind is DocumentKind.PDF:
        return _pdf_text(content)
    if kind is DocumentKind.CCDA:
        return ExtractedText(ccda_text(content), 1)
    return ExtractedText(decode_text(content), 1)


def _pdf_text(content: bytes) -> ExtractedText:
    from pypdf import PdfReader  # deferred: only PDF imports pay for it
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentUnreadable("This PDF has too many pages to read.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        _log.info("PDF text extraction failed: %s", type(exc).__name__)
        raise DocumentUnreadable("Cannot read this document: the PDF is damaged.") from None
    return ExtractedText(PAGE_SEPARATOR.join(pages), max(len(pages), 1))


_BLOCKS = frozenset({"paragraph", "item", "caption", "content"})


def _flat(element: Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def narrative_lines(element: Element) -> list[str]:
    """A CDA narrative block as lines: one per paragraph or list item, one per table row."""
    name = _local(element.tag)
    if name == "tr":
        return [" | ".join(_flat(cell) for cell in element)]
    if name in _BLOCKS or not len(element):
        text = _flat(element)
        return [text] if text else []
    lines = [element.text.strip()] if element.text and element.text.strip() else []
    for child in element:
        lines.extend(narrative_lines(child))
        if child.tail and child.tail.strip():
            lines.append(child.tail.strip())
    return lines


def ccda_text(content: bytes) -> str:
    """A C-CDA document as readable text: title, then each section's title and narrative."""
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError):
        raise DocumentUnreadable("Cannot read this document: the XML is not valid.") from None
    lines = []
    title = root.find(f"{HL7_NS}title")
    if title is not None and title.text:
        lines.append(title.text.strip())
    for section in root.iter(f"{HL7_NS}section"):
        section_title = section.find(f"{HL7_NS}title")
        narrative = section.find(f"{HL7_NS}text")
        if section_title is not None:
            lines.append("")
            lines.append(_flat(section_title).upper())
        if narrative is not None:
            lines.extend(narrative_lines(narrative))
    return "\n".join(lines).strip()
