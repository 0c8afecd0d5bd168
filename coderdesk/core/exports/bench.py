# SPDX-License-Identifier: GPL-3.0-or-later
"""`coderdesk bench export`: how long a CMS-1500 and a query letter take to render."""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING, Any

from coderdesk.core.exports.cms1500 import render_cms1500
from coderdesk.core.exports.query_letter import render_query_letter
from coderdesk.core.queries.model import parse_query
from coderdesk.core.rules.claim import parse_claim

if TYPE_CHECKING:
    from collections.abc import Callable

RUNS = 50
TARGET_MS = 100.0
_CLAIM = {
    "date_of_service": "2026-03-14",
    "patient": {"name": "Bench, Pat", "dob": "1950-02-01", "sex": "F", "account": "B-1"},
    "subscriber": {"id": "S1", "name": "Bench, Pat"},
    "payer": {"name": "Bench Health", "id": "BH1"},
    "billing_provider": {"name": "Bench Clinic", "npi": "1234567893", "tax_id": "123456789"},
    "diagnoses": ["E11.9", "I10", "E78.5", "M17.11", "J44.9", "K21.9"],
    "lines": [
        {"code": code, "units": 1, "pointers": [1, 2], "charge": 90.0, "pos": "11"}
        for code in ("99214", "20610", "J3301", "81002", "36415", "93000")
    ],
}
_QUERY = {
    "trigger": "imprecise",
    "format": "multiple_choice",
    "question": "Based on your clinical judgment, can the type of anemia be further specified?",
    "options": [
        "Acute blood loss anemia",
        "Anemia of chronic kidney disease",
        "Other (please specify)",
        "Clinically undetermined",
    ],
    "indicators": [{"text": "Hgb 7.1 g/dL", "source": "Lab report", "date": "2026-03-12"}],
}


def _time(render: Callable[[], bytes]) -> dict[str, Any]:
    render()  # fonts and modules loaded once, as in a running app
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        render()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "runs": RUNS,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (RUNS - 1))], 1),
        "target_ms": TARGET_MS,
    }


def run_export_benchmark() -> dict[str, Any]:
    """Median and p95 render times of each document."""
    claim = parse_claim(_CLAIM)
    query = parse_query(_QUERY)
    practice = {"name": "Bench Clinic", "address": "1 Bench Way", "phone": "555 0100"}
    return {
        "cms1500 form mode (6 lines)": _time(lambda: render_cms1500(claim, mode="form")),
        "cms1500 data mode (6 lines)": _time(lambda: render_cms1500(claim, mode="data")),
        "query letter": _time(lambda: render_query_letter(query, practice)),
    }
