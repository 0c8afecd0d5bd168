# SPDX-License-Identifier: GPL-3.0-or-later
"""Recognise a chart document's format and pull out its text, with limits on hostile input."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from coderdesk.core.errors import DocumentUnreadable
from coderdesk.core.store.models import DocumentKind

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000
PAGE_SEPARATOR = "\f"

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
    if head.startswith(b"<") and (lowered.endswith(".xml") or _looks_like_cda(content[:8192])):
        return DocumentKind.CCDA
    if lowered.endswith((".html", ".htm")) or head[:15].lower().startswith(b"<!doctype html"):
        return DocumentKind.HTML
    if lowered.endswith(".pdf"):
        raise DocumentUnreadable(f"{filename} is named .pdf but is not a PDF file.")
    return DocumentKind.TEXT


def _looks_like_cda(head: bytes) -> bool:
    # Whole documents name ClinicalDocument; fragments (a section, an entry) carry templateIds.
    return any(
        marker in head for marker in (b"ClinicalDocument", b"urn:hl7-org:v3", b"<templateId")
    )


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


def read_document(filename: str, content: bytes) -> tuple[DocumentKind, ExtractedText]:
    """Detect and extract in one go; XML that is not well-formed is kept as plain text."""
    kind = detect_kind(filename, content)
    try:
        return kind, extract_text(kind, content)
    except DocumentUnreadable:
        if kind is not DocumentKind.CCDA:
            raise
    # A coder still needs to read a damaged C-CDA file: show its raw XML.
    return DocumentKind.TEXT, ExtractedText(decode_text(content), 1)


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


# Prefixes the HL7 example fragments use without declaring them.
_FRAGMENT_WRAPPER = (
    b'<fragment xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:voc="urn:hl7-org:v3/voc">'
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _parse_xml(content: bytes) -> Element:
    try:
        return SafeET.fromstring(content, forbid_dtd=True)  # type: ignore[no-any-return]
    except SafeET.ParseError as exc:
        if "unbound prefix" not in str(exc):
            raise
    # A C-CDA fragment (one section or entry) cut from a document: give it the namespaces
    # its parent document would have declared.
    body = _XML_DECLARATION.sub(b"", content, count=1)
    return SafeET.fromstring(_FRAGMENT_WRAPPER + body + b"</fragment>", forbid_dtd=True)  # type: ignore[no-any-return]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def ccda_text(content: bytes) -> str:
    """A C-CDA document as readable text: title, then each section's title and narrative."""
    try:
        root = _parse_xml(content)
    except (SafeET.ParseError, DefusedXmlException, ValueError):
        raise DocumentUnreadable("Cannot read this document: the XML is not valid.") from None
    lines = []
    title = _child(root, "title")
    if title is not None and title.text:
        lines.append(title.text.strip())
    lines.extend(header_lines(root))
    for section in (e for e in root.iter() if _local(e.tag) == "section"):
        section_title = _child(section, "title")
        narrative = _child(section, "text")
        if section_title is not None:
            lines.append("")
            lines.append(_flat(section_title).upper())
        if narrative is not None:
            lines.extend(narrative_lines(narrative))
        coded = section_codes(section)
        if coded:
            lines.append("Coded entries: " + "; ".join(coded))
    if len(lines) <= 1:
        lines.extend(coded_lines(root))
    return "\n".join(lines).strip()


CODE_SYSTEMS = {
    "2.16.840.1.113883.6.90": "ICD-10-CM",
    "2.16.840.1.113883.6.103": "ICD-9-CM",
    "2.16.840.1.113883.6.96": "SNOMED CT",
    "2.16.840.1.113883.6.1": "LOINC",
    "2.16.840.1.113883.6.88": "RxNorm",
    "2.16.840.1.113883.6.12": "CPT",
    "2.16.840.1.113883.6.285": "HCPCS",
    "2.16.840.1.113883.12.292": "CVX",
}
_HEADER_PATHS = (
    ("Patient", ("recordTarget", "patientRole", "patient")),
    ("Author", ("author", "assignedAuthor", "assignedPerson")),
)


def _path(element: Element, names: tuple[str, ...]) -> Element | None:
    found: Element | None = element
    for name in names:
        found = _child(found, name) if found is not None else None
    return found


def _person(element: Element | None) -> str:
    name = _child(element, "name") if element is not None else None
    if name is None:
        return ""
    given = " ".join(_flat(c) for c in name if _local(c.tag) == "given")
    family = " ".join(_flat(c) for c in name if _local(c.tag) == "family")
    return ", ".join(part for part in (family, given) if part) or _flat(name)


def _attribute(element: Element | None, name: str) -> str:
    # Not `element or ...`: an element without children is falsy.
    return (element.get(name) or "") if element is not None else ""


def _hl7_date(value: str | None) -> str:
    digits = (value or "")[:8]
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return ""


def header_lines(root: Element) -> list[str]:
    """The document's header: when, about whom, by whom."""
    lines = []
    when = _hl7_date(_attribute(_child(root, "effectiveTime"), "value"))
    if when:
        lines.append(f"Date: {when}")
    for label, names in _HEADER_PATHS:
        person = _path(root, names)
        shown = _person(person)
        if label == "Patient" and person is not None:
            born = _hl7_date(_attribute(_child(person, "birthTime"), "value"))
            sex = _attribute(_child(person, "administrativeGenderCode"), "code")
            shown += f"; born {born}" if born else ""
            shown += f"; sex {sex}" if sex else ""
        if shown:
            lines.append(f"{label}: {shown}")
    return lines


def section_codes(section: Element) -> list[str]:
    """The distinct codes of a section's entries: 'Hypertension [ICD-10-CM I10]'."""
    found: dict[tuple[str, str], str] = {}
    entries = (e for e in section if _local(e.tag) == "entry")
    for entry in entries:
        for element in entry.iter():
            code, system = element.get("code"), element.get("codeSystem")
            if not code or system not in CODE_SYSTEMS:
                continue
            name = element.get("displayName") or ""
            found.setdefault((CODE_SYSTEMS[system], code), name)
    return [f"{name} [{system} {code}]".strip() for (system, code), name in found.items()]


def coded_lines(root: Element) -> list[str]:
    """One line per coded element: display name, code and code system (for entry fragments)."""
    lines = []
    for element in root.iter():
        code = element.get("code")
        if not code or not element.get("codeSystem"):
            continue
        system = element.get("codeSystemName") or element.get("codeSystem")
        name = element.get("displayName") or _local(element.tag)
        lines.append(f"{name} [{system} {code}]")
    if lines:
        return lines
    flat = _flat(root)
    return [flat] if flat else outline_lines(root)


def outline_lines(root: Element, limit: int = 200) -> list[str]:
    """Element names with their attributes, for XML that carries neither text nor codes."""
    lines = []
    for element in list(root.iter())[:limit]:
        attributes = " ".join(f"{_local(k)}={v}" for k, v in element.attrib.items())
        lines.append(f"{_local(element.tag)} {attributes}".strip())
    return lines
