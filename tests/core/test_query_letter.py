# SPDX-License-Identifier: GPL-3.0-or-later
"""The query letter: what it says, what it leaves out, one page; the export refuses leading."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfReader

from coderdesk.core.exports.query_letter import NO_PRESUMPTION, render_query_letter
from coderdesk.core.queries.model import parse_query

if TYPE_CHECKING:
    from pathlib import Path

QUERY: dict[str, Any] = {
    "trigger": "imprecise",
    "format": "multiple_choice",
    "question": "Based on your clinical judgment, can the type of anemia be further specified?",
    "options": [
        "Acute blood loss anemia",
        "Anemia of chronic kidney disease",
        "Other (please specify)",
        "Clinically undetermined",
    ],
    "indicators": [
        {"text": "Hgb 7.1 g/dL", "source": "Lab report", "date": "2026-03-12"},
        {"text": "Melena x2", "source": "Nursing note", "date": "2026-03-11"},
    ],
    "provider": {"name": "Dr. Avery Quill"},
    "patient": {"account": "A-1001", "name": "Doe, Jane", "dob": "1950-02-01"},
    "encounter": {"date_of_service": "2026-03-14"},
    "practice": {
        "name": "Maple Hollow Family Medicine",
        "address": "300 Example Way",
        "phone": "(555) 555-0130",
        "return_to": "the coding office",
    },
}


def letter_text(raw: dict[str, Any]) -> tuple[int, str]:
    pdf = render_query_letter(parse_query(raw), raw.get("practice", {}), dt.date(2026, 3, 15))
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_letter_says_what_a_compliant_query_needs() -> None:
    pages, text = letter_text(QUERY)
    assert pages == 1
    for part in (
        "Maple Hollow Family Medicine",
        "03/15/2026",
        "Dr. Avery Quill",
        "A-1001",
        "2026-03-14",
        "Hgb 7.1 g/dL (Lab report, 03/12/2026)",
        "Melena x2 (Nursing note, 03/11/2026)",
        QUERY["question"],
        "Acute blood loss anemia",
        "Clinically undetermined",
        "Provider signature",
        "Please return this query to the coding office",
    ):
        assert part in text, part
    assert " ".join(NO_PRESUMPTION.split()[:8]) in text
    # The minimum necessary: the account identifies the patient; no name, no birth date.
    assert "Doe" not in text
    assert "1950" not in text


def test_open_ended_has_lines_and_yes_no_its_four_answers() -> None:
    _, open_text = letter_text({**QUERY, "format": "open_ended", "options": []})
    assert "Your answer" in open_text
    _, yes_no = letter_text(
        {
            **QUERY,
            "format": "yes_no",
            "options": [],
            "question": "Is the documented anemia due to blood loss?",
        }
    )
    for answer in ("Yes", "No", "Other (please specify)", "Clinically undetermined"):
        assert answer in yes_no


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdftoppm_renders_the_letter(tmp_path: Path) -> None:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render_query_letter(parse_query(QUERY), QUERY["practice"]))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "letter")], check=True, timeout=60
    )
    assert (tmp_path / "letter-1.png").exists()


def test_cli_refuses_a_leading_query_and_prints_a_compliant_one(tmp_path: Path) -> None:
    results = {}
    for name, raw in (("good", QUERY), ("bad", {**QUERY, "question": "Please document anemia."})):
        source = tmp_path / f"{name}.json"
        source.write_text(json.dumps(raw), encoding="utf-8")
        results[name] = subprocess.run(
            [
                sys.executable,
                "-m",
                "coderdesk",
                "export",
                "query",
                str(source),
                "-o",
                str(tmp_path / f"{name}.pdf"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert results["bad"].returncode == 1
    assert "QUERY.LEADING" in results["bad"].stderr
    assert not (tmp_path / "bad.pdf").exists()
    assert results["good"].returncode == 0, results["good"].stderr
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF")


def test_a_reminder_says_which_request_it_is_and_when_to_answer() -> None:
    raw = {
        **QUERY,
        "due_date": "04/06/2026",
        "reminder": {"level": 2, "to": "Dr. Lee, medical director", "first_sent": "03/15/2026"},
    }
    pages, text = letter_text(raw)
    assert pages == 1
    assert "Third request, first sent 03/15/2026" in text
    assert "policy to: Dr. Lee, medical director." in text
    assert "by 04/06/2026" in text
