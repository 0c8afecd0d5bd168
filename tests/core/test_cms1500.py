# SPDX-License-Identifier: GPL-3.0-or-later
"""The CMS-1500 PDF: each datum in its box (by the text's coordinates), both modes, pages."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfReader

from coderdesk.core.errors import UsageError
from coderdesk.core.exports.cms1500 import render_cms1500
from coderdesk.core.exports.cms1500_layout import (
    BOXES,
    CHOICES,
    COLUMN_WIDTH,
    DIAGNOSIS_FIELDS,
    FIELDS,
    LEFT_MARGIN,
    LINE_HEIGHT,
    PAGE_HEIGHT,
    TOP_MARGIN,
)
from coderdesk.core.rules.claim import ClaimFormatError, parse_claim

if TYPE_CHECKING:
    from pathlib import Path

CODES = ["99214", "20610", "J3301", "81002", "36415", "G0438", "93000", "97110"]


def claim_data(lines: int = 2) -> dict[str, Any]:
    return {
        "date_of_service": "2026-03-14",
        "patient": {
            "name": "Doe, Jane",
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
        "subscriber": {"id": "XYZ123456", "name": "Doe, Jane"},
        "payer": {"name": "Fixture Health", "id": "FH001"},
        "billing_provider": {
            "name": "Example Clinic",
            "npi": "1234567893",
            "tax_id": "12-3456789",
            "address": "300 Example Way, Springfield, IL, 62701",
        },
        "diagnoses": ["E11.9", "I10", "E78.5", "M17.11", "J44.9"],
        "lines": [
            {
                "code": CODES[n % len(CODES)],
                "modifiers": ["25", "RT"] if n == 0 else [],
                "units": 1 + n % 2,
                "pointers": [1, 2],
                "charge": 100.0 + n,
                "pos": "11",
                "from": "2026-03-14",
                "to": "2026-03-14",
            }
            for n in range(lines)
        ],
    }


def texts(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    """Per page: (text, x, y) of each string drawn."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[tuple[str, float, float]] = []

        def visit(text: str, _cm: Any, tm: Any, _font: Any, _size: Any, found: Any = found) -> None:
            if text.strip():
                found.append((text.strip(), float(tm[4]), float(tm[5])))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def grid(x: float, y: float, offset: tuple[float, float] = (0, 0)) -> tuple[float, float]:
    """Back from PDF points to (column, line) on the form's grid."""
    column = (x - offset[0] * 72 - LEFT_MARGIN) / COLUMN_WIDTH + 1
    line = (PAGE_HEIGHT - TOP_MARGIN - (y + offset[1] * 72)) / LINE_HEIGHT
    return column, line


def box_of(found: list[tuple[str, float, float]], wanted: str, offset: Any = (0, 0)) -> str:
    """The number of the box holding the first string equal to `wanted`."""
    for text, x, y in found:
        if text == wanted:
            column, line = grid(x, y, offset)
            return next(b.number for b in BOXES.values() if b.holds(column + 0.5, line))
    raise AssertionError(f"{wanted!r} not on the page")


def test_every_field_lies_in_its_box() -> None:
    for name, field in {**FIELDS, **{f"dx {k}": v for k, v in DIAGNOSIS_FIELDS.items()}}.items():
        assert BOXES[field.box].holds(field.column, field.line), name


@pytest.mark.parametrize("mode", ["data", "form"])
def test_each_datum_in_its_box(mode: str) -> None:
    offset = (0.1, -0.05) if mode == "data" else (0.0, 0.0)
    [page] = texts(render_cms1500(parse_claim(claim_data()), mode=mode, offset=offset))
    expected = {
        "FIXTURE HEALTH": "carrier",
        "XYZ123456": "1a",
        "02 01 1950": "3",
        "1 MAIN ST": "5",
        "E119": "21",
        "M1711": "21",
        "0": "21",
        "99214": "24",
        "25": "24",
        "RT": "24",
        "AB": "24",
        "100 00": "24",
        "03 14 26": "24",
        "123456789": "25",
        "A-1001": "26",
        "201 00": "28",
        "EXAMPLE CLINIC": "33",
        "1234567893": "33a",
    }
    for datum, box in expected.items():
        assert box_of(page, datum, offset) == box, datum
    names = [t for t, _, _ in page]
    assert "DOE, JANE" in names
    if mode == "form":
        assert any(t.startswith("21. DIAGNOSIS") for t in names)
    else:
        assert not any(t.startswith("21. DIAGNOSIS") for t in names)


def test_more_than_six_lines_continue_with_the_total_on_the_last_page() -> None:
    pages = texts(render_cms1500(parse_claim(claim_data(lines=8)), mode="form"))
    assert len(pages) == 2
    assert box_of(pages[0], "CONTINUED") == "28"
    total = f"{sum(100 + n for n in range(8))} 00"
    assert box_of(pages[1], total) == "28"
    assert [t for t, _, _ in pages[1]].count("93000") == 1  # line 7 on page 2
    assert box_of(pages[1], "E119") == "21"  # diagnoses repeated on every page


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(UsageError, match="not one of data, form"):
        render_cms1500(parse_claim(claim_data()), mode="fancy")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdftoppm_renders_both_modes(tmp_path: Path) -> None:
    for mode in ("data", "form"):
        pdf = tmp_path / f"{mode}.pdf"
        pdf.write_bytes(render_cms1500(parse_claim(claim_data(lines=7)), mode=mode))
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / mode)], check=True, timeout=60
        )
        assert len(list(tmp_path.glob(f"{mode}-*.png"))) == 2


def test_cli_writes_a_form(tmp_path: Path) -> None:
    source = tmp_path / "claim.json"
    source.write_text(json.dumps(claim_data()), encoding="utf-8")
    out = tmp_path / "claim.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coderdesk",
            "export",
            "cms1500",
            str(source),
            "-o",
            str(out),
            "--mode",
            "data",
            "--offset",
            "0.1,0",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert out.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("program", ["medicare", "medicaid", "tricare", "group", "other"])
def test_box_1_ticks_the_payers_programme(program: str) -> None:
    data = claim_data()
    data["payer"]["program"] = program
    [page] = texts(render_cms1500(parse_claim(data), mode="data"))
    ticks = [grid(x, y) for text, x, y in page if text == "X"]
    wanted = CHOICES[f"plan_{program}"]
    in_box_1 = [(c, ln) for c, ln in ticks if BOXES["1"].holds(c + 0.5, ln)]
    assert len(in_box_1) == 1
    assert abs(in_box_1[0][0] - wanted.column) < 0.1


def test_an_unknown_programme_is_a_shape_error() -> None:
    data = claim_data()
    data["payer"]["program"] = "medigap"
    with pytest.raises(ClaimFormatError, match="payer.program"):
        parse_claim(data)


def test_every_tick_box_lies_in_its_box() -> None:
    for name, choice in CHOICES.items():
        assert BOXES[choice.box].holds(choice.column, choice.line), name
