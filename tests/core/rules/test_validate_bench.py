# SPDX-License-Identifier: GPL-3.0-or-later
"""`bench validate` at toy size: the report's shape and the synthetic NCCI files, not timings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.codes.ncci import parse_mue, parse_ptp
from coderdesk.core.rules.bench import (
    ValidateReport,
    procedure_code,
    run_validate_benchmark,
    write_mue_file,
    write_ptp_file,
)

if TYPE_CHECKING:
    from pathlib import Path

PTP_ROWS, CLAIMS = 20_000, 50


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ValidateReport:
    """One small run (the real one imports 2 million rows and validates 10,000 claims)."""
    return run_validate_benchmark(
        ptp_rows=PTP_ROWS, claims=CLAIMS, work_dir=tmp_path_factory.mktemp("bench")
    )


def test_the_report_counts_what_was_asked(report: ValidateReport) -> None:
    assert report.ptp_rows_written == PTP_ROWS
    assert report.ptp_rows_imported == report.ptp_rows_written
    assert report.mue_rows_imported == report.procedure_codes
    assert report.claims == CLAIMS
    assert report.latency.samples == CLAIMS
    assert report.revalidation.samples == CLAIMS
    assert (report.diagnoses_per_claim, report.lines_per_claim) == (12, 6)
    assert not report.full_size


def test_the_figures_are_positive(report: ValidateReport) -> None:
    timings = (report.icd_import_s, report.ptp_import_s, report.mue_import_s, report.batch_s)
    assert all(t > 0 for t in timings)
    assert report.cold_ms > 0
    assert 0 < report.latency.median_ms <= report.latency.p95_ms <= report.latency.max_ms
    assert 0 < report.revalidation.median_ms <= report.revalidation.p95_ms
    assert report.claims_per_s > 0
    assert report.library_mb > 0
    assert report.ptp_file_mb > 0
    assert report.peak_rss_mb is None or report.peak_rss_mb > 0


def test_the_claims_reach_the_ncci_table(report: ValidateReport) -> None:
    # Each claim plants at least one column-1/column-2 pair; a few of those rows are deleted.
    assert report.claims_with_ptp_pair >= CLAIMS * 0.8
    assert report.ptp_pairs_in_force >= report.claims_with_ptp_pair


def test_the_claims_are_well_formed(report: ValidateReport) -> None:
    # Valid billable codes, complete claims: what fires is what real claims would raise.
    never = {
        "ICD10CM.INVALID_CODE",
        "ICD10CM.HEADER_CODE",
        "ICD10CM.SEVENTH_CHAR",
        "ICD10CM.EXTERNAL_CAUSE_FIRST",
        "CLAIM.MISSING",
        "CLAIM.POINTER",
        "CLAIM.DUPLICATE_LINE",
        "CLAIM.DATES",
    }
    assert never.isdisjoint(report.findings)


def test_the_report_has_three_targets_and_both_forms(report: ValidateReport) -> None:
    assert [t.unit for t in report.targets] == ["ms", "ms", "s"]
    data = json.loads(json.dumps(report.as_json()))
    assert data["ptp_rows_imported"] == PTP_ROWS
    assert data["latency"]["samples"] == CLAIMS
    assert all(isinstance(t["passed"], bool) for t in data["targets"])
    text = report.as_text()
    assert "20,000 PTP rows" in text
    assert "p95" in text


def test_every_synthetic_ptp_row_parses(tmp_path: Path) -> None:
    ncci = write_ptp_file(tmp_path / "ptp.txt", 5_000, seed=3)
    edits = list(parse_ptp(ncci.path))
    assert len(edits) == ncci.rows == 5_000
    codes = {procedure_code(i) for i in range(ncci.codes)}
    assert all(e.column1 in codes and e.column2 in codes for e in edits)
    assert {e.modifier_indicator for e in edits} == {0, 1, 9}
    assert any(e.prior_1996 for e in edits)
    assert any(e.deletion is not None for e in edits)
    assert all(e.deletion is None or e.deletion >= e.effective for e in edits)
    assert len({e.effective for e in edits}) > 20
    keys = [(e.column1, e.column2) for e in edits]
    assert keys == sorted(keys)  # CMS order: column 1, then column 2


def test_the_column2_codes_are_those_written(tmp_path: Path) -> None:
    ncci = write_ptp_file(tmp_path / "ptp.txt", 5_000, seed=3)
    written = {(e.column1, e.column2) for e in parse_ptp(ncci.path)}
    for index in range(ncci.complete_codes):
        column1 = procedure_code(index)
        assert all((column1, procedure_code(j)) in written for j in ncci.column2_indexes(index))


def test_every_synthetic_mue_row_parses(tmp_path: Path) -> None:
    ncci = write_ptp_file(tmp_path / "ptp.txt", 5_000)
    rows = write_mue_file(tmp_path / "mue.csv", ncci)
    values = list(parse_mue(tmp_path / "mue.csv"))
    assert len(values) == rows == ncci.codes
    assert {v.adjudication_indicator for v in values} == {1, 2, 3}


def test_the_generators_are_deterministic(tmp_path: Path) -> None:
    first = write_ptp_file(tmp_path / "a.txt", 3_000)
    second = write_ptp_file(tmp_path / "b.txt", 3_000)
    assert first.path.read_bytes() == second.path.read_bytes()
