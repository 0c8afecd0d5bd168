# SPDX-License-Identifier: GPL-3.0-or-later
"""The coding summary: diagnoses with titles, lines, findings with overrides, evidence."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from typing import TYPE_CHECKING

from pypdf import PdfReader

from coderdesk.core.exports.summary import render_summary
from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.services.evidence import EvidenceView

if TYPE_CHECKING:
    from pathlib import Path

CLAIM = {
    "date_of_service": "2026-03-14",
    "patient": {"name": "Doe, Jane", "dob": "1950-02-01", "sex": "F", "account": "A-1001"},
    "subscriber": {"id": "S1"},
    "payer": {"name": "Fixture Health", "id": "FH1"},
    "billing_provider": {"name": "Clinic", "npi": "1234567893", "tax_id": "123456789"},
    "diagnoses": ["E11.9", "I10"],
    "lines": [
        {
            "code": "99213",
            "modifiers": ["25"],
            "units": 1,
            "pointers": [1, 2],
            "charge": 90.0,
            "pos": "11",
        }
    ],
}


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_summary_holds_the_abstract() -> None:
    finding = Finding(
        "ICD10CM.EXCLUDES1",
        Severity.ERROR,
        "E11.9 and E10.9 together.",
        "ICD-10-CM Guidelines I.A.12",
        ("E11.9",),
        overridden="Both documented",
    )
    evidence = [EvidenceView(1, 7, "Office visit note", "I10", 10, 22, 2, "hypertension")]
    text = pdf_text(
        render_summary(
            parse_claim(CLAIM),
            {"E11.9": "Type 2 diabetes mellitus without complications"},
            [finding],
            evidence,
            dt.date(2026, 3, 15),
        )
    )
    for part in (
        "Coding summary",
        "A-1001",
        "03/14/2026",
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "99213",
        "25",
        "AB",
        "ICD10CM.EXCLUDES1",
        "Overridden: Both documented",
        "\u201chypertension\u201d",
        "Office visit note",
    ):
        assert part in text, part


def test_cli_summary_from_a_claim_file(tmp_path: Path) -> None:
    source = tmp_path / "claim.json"
    source.write_text(json.dumps(CLAIM), encoding="utf-8")
    out = tmp_path / "summary.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "coderdesk", "export", "summary", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = pdf_text(out.read_bytes())
    assert "Type 2 diabetes mellitus without complications" in text  # title from the tabular
    assert "ICD10CM.USE_ADDITIONAL" in text
