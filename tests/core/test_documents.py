# SPDX-License-Identifier: GPL-3.0-or-later
"""Chart documents: format detection and text extraction, on our PDFs and real C-CDA files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from coderdesk.core.documents.extract import ccda_text, detect_kind, extract_text, read_document
from coderdesk.core.errors import DocumentUnreadable
from coderdesk.core.exports.textpdf import text_to_pdf
from coderdesk.core.paths import resources_dir
from coderdesk.core.store.models import DocumentKind

if TYPE_CHECKING:
    from pathlib import Path


def test_kinds_are_detected_from_content() -> None:
    assert detect_kind("x.bin", b"%PDF-1.7 ...") is DocumentKind.PDF
    assert detect_kind("x.txt", b"{\\rtf1 hello}") is DocumentKind.RTF
    ccda = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>'
    assert detect_kind("x.xml", ccda) is DocumentKind.CCDA
    assert detect_kind("x.html", b"<html><body>hi</body></html>") is DocumentKind.HTML
    assert detect_kind("note.txt", b"Plain note") is DocumentKind.TEXT
    with pytest.raises(DocumentUnreadable, match="not a PDF"):
        detect_kind("fake.pdf", b"hello")


def test_pdf_text_round_trips_across_pages() -> None:
    body = "\n".join(f"Line {n}: shortness of breath" for n in range(120))
    extracted = extract_text(DocumentKind.PDF, text_to_pdf("Note", body))
    assert extracted.page_count >= 2
    assert "Line 0: shortness of breath" in extracted.text
    assert "Line 119: shortness of breath" in extracted.text


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF",
        b"%PDF-" + b"\x00" * 500,
    ],
)
def test_malformed_pdf_is_a_clean_error(content: bytes) -> None:
    with pytest.raises(DocumentUnreadable, match="Cannot read"):
        extract_text(DocumentKind.PDF, content)


def test_text_falls_back_to_windows_1252() -> None:
    assert extract_text(DocumentKind.TEXT, "caf\u00e9".encode("cp1252")).text == "caf\u00e9"


@pytest.mark.parametrize(
    "hostile",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><ClinicalDocument>&x;'
        b"</ClinicalDocument>",
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><ClinicalDocument/>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
        b"<ClinicalDocument><unclosed></ClinicalDocument>",
    ],
)
def test_hostile_or_broken_xml_is_refused(hostile: bytes) -> None:
    with pytest.raises(DocumentUnreadable):
        ccda_text(hostile)


def test_demo_ccda_reads_as_sections() -> None:
    text = ccda_text((resources_dir() / "demo" / "ccda_progress_note.xml").read_bytes())
    assert "ASSESSMENT" in text
    assert "J45.40" in text


def test_every_real_ccda_example_reads(shared_data: Path) -> None:
    files = sorted((shared_data / "charts" / "ccda-examples").rglob("*.xml"))
    assert len(files) > 400
    as_text = []
    for path in files:
        kind, extracted = read_document(path.name, path.read_bytes())
        assert extracted.text.strip(), path.name
        if kind is not DocumentKind.CCDA:
            as_text.append(path.name)
    # One HL7 example is elided with "........" and is not well-formed XML.
    assert len(as_text) <= 2, as_text


def test_damaged_ccda_is_kept_as_text() -> None:
    broken = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Note</title><section>'
    kind, extracted = read_document("broken.xml", broken)
    assert kind is DocumentKind.TEXT
    assert "<title>Note</title>" in extracted.text


def test_ccda_shows_its_header_and_each_sections_coded_entries(shared_data: Path) -> None:
    examples = shared_data / "charts" / "ccda-examples"
    ccd = ccda_text((examples / "Documents" / "CCD" / "CCD 2" / "CCD.xml").read_bytes())
    head = ccd.splitlines()[:4]
    assert head[1].startswith("Date: 20")
    assert head[2].startswith("Patient: ")
    assert "; born 19" in head[2]
    assert "; sex " in head[2]
    assert "Laparoscopic Appendectomy [CPT 44970]" in ccd
    problem = examples / "Problems" / "Complete or Resolved Problem"
    text = ccda_text((problem / "Resolved Problem(C-CDA2.1).xml").read_bytes())
    assert "Acute pharyngitis [ICD-10-CM J02.9]" in text
    assert "[SNOMED CT 363746003]" in text
