# SPDX-License-Identifier: GPL-3.0-or-later
"""837P files validated by pyx12 (its Python API; 0 errors) over many claim shapes."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import pyx12.params
import pyx12.x12n_document

from coderdesk.core.exports.control import next_control_numbers
from coderdesk.core.exports.x837 import Envelope, build_837p, clean
from coderdesk.core.rules.claim import parse_claim

if TYPE_CHECKING:
    from pathlib import Path

DIAGNOSES = [
    "E11.40",
    "G63",
    "I10",
    "E78.5",
    "N18.30",
    "Z79.4",
    "M17.11",
    "J44.9",
    "F32.A",
    "K21.9",
    "E66.01",
    "Z68.41",
]
PROCEDURES = ["99214", "20610", "J3301", "81002", "36415", "G0438", "93000", "97110"]
MODIFIERS = ["25", "59", "RT", "XS"]


def claim_data(diagnoses: int, lines: int, modifiers: int, rendering: str = "") -> dict[str, Any]:
    return {
        "date_of_service": "2026-03-14",
        "patient": {
            "name": "Fixture, Pat",
            "dob": "1950-02-01",
            "sex": "F",
            "account": "A-1001",
            "address": {
                "line": "1 Main St",
                "city": "Springfield",
                "state": "IL",
                "postal_code": "62701",
            },
        },
        "subscriber": {"id": "XYZ123456", "name": "Fixture, Pat"},
        "payer": {"name": "Fixture Health", "id": "FH001"},
        "billing_provider": {
            "name": "Example Clinic",
            "npi": "1234567893",
            "tax_id": "12-3456789",
            "address": "300 Example Way, Springfield, IL, 62701",
        },
        "rendering_provider": {"name": "Quill, Avery", "npi": rendering} if rendering else {},
        "diagnoses": DIAGNOSES[:diagnoses],
        "lines": [
            {
                "code": PROCEDURES[n % len(PROCEDURES)],
                "modifiers": MODIFIERS[:modifiers],
                "units": 1 + n % 3,
                "pointers": list(range(1, min(4, diagnoses) + 1)),
                "charge": 50.0 + n,
                "pos": "11",
                "from": "2026-03-14",
                "to": "2026-03-15" if n == 1 else "2026-03-14",
            }
            for n in range(lines)
        ],
    }


ENVELOPE = Envelope(
    "123456789",
    "Example Clinic",
    "FH001",
    "Fixture Health",
    17,
    17,
    "(555) 555-0130",
    created=dt.datetime(2026, 3, 14, 12, 0),
)


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 reports for the file (its Python API, not the CLI's exit code)."""
    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), io.StringIO(text), io.StringIO(), None, None, report
    )
    errors = _collect(json.loads(report.getvalue() or "{}"))
    if not valid and not errors:
        errors = ["pyx12 reports the file invalid"]
    return errors


def _collect(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors" and isinstance(value, list):
                found += [str(e.get("err_str", e)) for e in value if isinstance(e, dict)]
            else:
                found += _collect(value)
    elif isinstance(node, list):
        for item in node:
            found += _collect(item)
    return found


@pytest.mark.parametrize(
    ("diagnoses", "lines", "modifiers", "rendering"),
    [
        (1, 1, 0, ""),
        (4, 3, 1, ""),
        (8, 6, 2, "1245319599"),
        (12, 12, 3, ""),
        (12, 50, 4, "1245319599"),
        (2, 25, 0, ""),
    ],
)
def test_generated_837p_validates(
    diagnoses: int, lines: int, modifiers: int, rendering: str
) -> None:
    text = build_837p(parse_claim(claim_data(diagnoses, lines, modifiers, rendering)), ENVELOPE)
    assert pyx12_errors(text) == []
    segments = [s.strip() for s in text.split("~") if s.strip()]
    hi = next(s for s in segments if s.startswith("HI*"))
    assert hi.startswith("HI*ABK:E1140")
    assert hi.count("ABF:") == diagnoses - 1
    assert sum(s.startswith("LX*") for s in segments) == lines
    sv1 = next(s for s in segments if s.startswith("SV1*"))
    assert sv1.split("*")[1].count(":") == 1 + modifiers
    assert any(s.startswith("NM1*82*") for s in segments) == bool(rendering)
    assert any(s.startswith("DTP*472*RD8*20260314-20260315") for s in segments) == (lines > 1)


def test_text_is_reduced_to_safe_characters() -> None:
    assert clean("Ann~Marie*O'Brien: Zoë") == "ANN MARIE O'BRIEN ZOE"


def test_more_than_50_lines_or_12_diagnoses_is_refused() -> None:
    with pytest.raises(Exception, match="1 to 50 service lines"):
        build_837p(parse_claim(claim_data(1, 51, 0)), ENVELOPE)


def test_control_numbers_increase_and_are_stored(tmp_path: Path) -> None:
    assert next_control_numbers(tmp_path) == (1, 1)
    assert next_control_numbers(tmp_path) == (2, 2)
    assert (tmp_path / "x12-control-numbers.json").stat().st_mode & 0o077 == 0


def test_cli_refuses_a_claim_with_errors_and_writes_a_clean_one(tmp_path: Path) -> None:
    good = claim_data(2, 1, 0)
    good["diagnoses"] = ["E11.9", "I10"]  # (E11.40 with G63 is an Excludes1/etiology error)
    good["lines"][0]["code"] = "99213"
    bad = claim_data(2, 1, 0)
    bad["diagnoses"] = ["E11"]  # a header: an error
    outputs = {}
    for name, data in (("good", good), ("bad", bad)):
        source = tmp_path / f"{name}.json"
        source.write_text(json.dumps(data), encoding="utf-8")
        outputs[name] = subprocess.run(
            [
                sys.executable,
                "-m",
                "coderdesk",
                "export",
                "837p",
                str(source),
                "-o",
                str(tmp_path / f"{name}.x12"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert outputs["bad"].returncode == 1
    assert "ICD10CM.HEADER_CODE" in outputs["bad"].stderr
    assert not (tmp_path / "bad.x12").exists()
    assert outputs["good"].returncode == 0, outputs["good"].stderr
    assert pyx12_errors((tmp_path / "good.x12").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("program", "indicator"), [("medicare", "MB"), ("medicaid", "MC"), (None, "CI")]
)
def test_the_claim_filing_indicator_follows_the_programme(
    program: str | None, indicator: str
) -> None:
    data = claim_data(1, 1, 0)
    if program:
        data["payer"]["program"] = program
    text = build_837p(parse_claim(data), ENVELOPE)
    assert f"SBR*P*18*******{indicator}~" in text
    assert pyx12_errors(text) == []
