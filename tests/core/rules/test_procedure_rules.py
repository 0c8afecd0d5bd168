# SPDX-License-Identifier: GPL-3.0-or-later
"""NCCI PTP, MUE, procedure codes, modifiers, laterality, modifier 25 and place of service.

NCCI and MUE come from fixtures written here in the CMS layouts (invented code pairs:
the real files carry licensed CPT content); HCPCS Level II is the real 2020 CMS file.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.codes.importers import import_release
from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.engine import RuleEngine
from coderdesk.core.rules.tables import rule_tables

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.findings import Finding

PTP_FILE = [
    "CPT codes, descriptions and other data only are copyright of their owners (fixture notice)",
    "Column 1/Column 2 Edits",
    'Column 1\tColumn 2\t"* = in existence prior to 1996"\tEffective Date\t'
    'Deletion Date *=no data\t"Modifier',
    "0=not allowed",
    "1=allowed",
    '9=not applicable"\tPTP Edit Rationale',
    "10021\t10022\t\t20200101\t*\t1\tMisuse of column two code with column one code",
    "10030\t10031\t\t20200101\t*\t0\tMutually exclusive procedures",
    "10040\t10041\t\t20200101\t*\t9\tStandards of medical / surgical practice",
    "10050\t10051\t\t20200101\t20250101\t1\tCPT separate procedure definition",
    "10060\t10061\t\t20270101\t*\t1\tMore extensive procedure",
    "10070\t99213\t*\t19960101\t*\t1\tStandards of medical / surgical practice",
]
MUE_FILE = [
    '"CPT codes, descriptions and other data only are copyright of their owners."',
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale",
    "10021,1,1 Line Edit,Anatomic Consideration",
    "J3301,8,3 Date of Service Edit: Clinical,Prescribing Information",
    "G0438,1,2 Date of Service Edit: Policy,CMS Policy",
]
DAY = "2026-03-14"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine(
    module_library: CodeSetLibrary,
    tmp_path_factory: pytest.TempPathFactory,
    shared_data_session: Path,
) -> Iterator[RuleEngine]:
    """The tabular plus NCCI and MUE fixtures and the real 2020 HCPCS file."""
    folder = tmp_path_factory.mktemp("releases")
    import_release(module_library, "ncci-ptp", write(folder / "ptp.txt", PTP_FILE))
    import_release(module_library, "mue", write(folder / "mue.csv", MUE_FILE))
    hcpcs = shared_data_session / "hcpcs" / "2020-anweb" / "HCPC2020_ANWEB_w_disclaimer.txt"
    import_release(module_library, "hcpcs", hcpcs)
    return RuleEngine(module_library)


def line(
    code: str, *modifiers: str, units: int = 1, pointers: tuple[int, ...] = (1,), day: str = DAY
) -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": list(modifiers),
        "units": units,
        "pointers": list(pointers),
        "from": day,
        "to": day,
    }


def findings(engine: RuleEngine, claim: dict[str, Any], prefix: str) -> list[Finding]:
    return [f for f in engine.validate(parse_claim(claim)) if f.rule.startswith(prefix)]


def test_ptp_indicator_1_is_an_error_unless_an_ncci_modifier_is_present(
    engine: RuleEngine, make_claim: Any
) -> None:
    bundled = findings(engine, make_claim(["M54.50"], [line("10021"), line("10022")]), "NCCI")
    assert [(f.severity, f.codes, f.lines) for f in bundled] == [
        ("error", ("10021", "10022"), (1, 2))
    ]
    assert "modifier indicator 1" in bundled[0].citation
    assert "effective 2020-01-01" in bundled[0].citation
    assert "59" in bundled[0].fix
    for modifier in ("59", "XS", "RT"):
        bypassed = findings(
            engine, make_claim(["M54.50"], [line("10021"), line("10022", modifier)]), "NCCI"
        )
        assert [f.severity for f in bypassed] == ["info"], modifier
    not_associated = findings(
        engine, make_claim(["M54.50"], [line("10021"), line("10022", "22")]), "NCCI"
    )
    assert [f.severity for f in not_associated] == ["error"]


def test_ptp_indicator_0_cannot_be_bypassed_and_9_never_fires(
    engine: RuleEngine, make_claim: Any
) -> None:
    never = findings(engine, make_claim(["M54.50"], [line("10030"), line("10031", "59")]), "NCCI")
    assert [f.severity for f in never] == ["error"]
    assert "no modifier bypasses" in never[0].message
    assert findings(engine, make_claim(["M54.50"], [line("10040"), line("10041")]), "NCCI") == []


def test_ptp_dates_deleted_future_and_different_days(engine: RuleEngine, make_claim: Any) -> None:
    deleted = make_claim(["M54.50"], [line("10050"), line("10051")])
    assert findings(engine, deleted, "NCCI") == []
    before_deletion = make_claim(
        ["M54.50"],
        [line("10050", day="2024-12-31"), line("10051", day="2024-12-31")],
        date_of_service="2024-12-31",
    )
    assert len(findings(engine, before_deletion, "NCCI")) == 1
    not_yet = make_claim(["M54.50"], [line("10060"), line("10061")])
    assert findings(engine, not_yet, "NCCI") == []
    other_days = make_claim(["M54.50"], [line("10021", day="2026-03-13"), line("10022")])
    assert findings(engine, other_days, "NCCI") == []
    reversed_order = make_claim(["M54.50"], [line("10022"), line("10021")])
    assert [f.lines for f in findings(engine, reversed_order, "NCCI")] == [(2, 1)]


def test_mue_per_line_and_per_day(engine: RuleEngine, make_claim: Any) -> None:
    over_line = findings(engine, make_claim(["M54.50"], [line("10021", units=2)]), "MUE")
    assert [(f.severity, f.lines) for f in over_line] == [("error", (1,))]
    assert "1 Line Edit" in over_line[0].citation
    within = make_claim(["M54.50"], [line("J3301", units=4), line("J3301", "76", units=4)])
    assert findings(engine, within, "MUE") == []
    over_day = make_claim(["M54.50"], [line("J3301", units=5), line("J3301", "76", units=4)])
    per_day = findings(engine, over_day, "MUE")
    assert [(f.lines, f.codes) for f in per_day] == [((1, 2), ("J3301",))]
    assert "9 unit(s)" in per_day[0].message
    assert "clinical" in per_day[0].fix
    two_days = make_claim(["M54.50"], [line("G0438"), line("G0438", day="2026-03-13")])
    assert findings(engine, two_days, "MUE") == []


def test_procedure_codes_checked_against_the_hcpcs_release(
    engine: RuleEngine, make_claim: Any
) -> None:
    unknown = findings(engine, make_claim(["M54.50"], [line("K0999")]), "PROC")
    assert unknown
    assert "not a code of HCPCS" in unknown[0].message
    assert findings(engine, make_claim(["M54.50"], [line("J3301")]), "PROC") == []
    bad_shape = findings(engine, make_claim(["M54.50"], [line("9921")]), "PROC")
    assert bad_shape
    assert "neither a CPT" in bad_shape[0].message


def test_modifiers_known_repeated_too_many(engine: RuleEngine, make_claim: Any) -> None:
    assert findings(engine, make_claim(["M54.50"], [line("99213", "95")]), "MOD.INVALID") == []
    assert findings(engine, make_claim(["M54.50"], [line("J3301", "JW")]), "MOD.INVALID") == []
    unknown = findings(engine, make_claim(["M54.50"], [line("99213", "Z9")]), "MOD.INVALID")
    assert [f.severity for f in unknown] == ["error"]
    assert "HCPCS Level II 2020" in unknown[0].message or "2020" in unknown[0].message
    repeated = findings(engine, make_claim(["M54.50"], [line("99213", "95", "95")]), "MOD.INVALID")
    assert any("repeats" in f.message for f in repeated)
    five = findings(
        engine,
        make_claim(["M54.50"], [line("71046", "26", "59", "76", "77", "GA")]),
        "MOD.INVALID",
    )
    assert any("at most 4" in f.message for f in five)
    both = findings(engine, make_claim(["M54.50"], [line("71046", "26", "TC")]), "MOD.INVALID")
    assert any("26" in f.message and "TC" in f.message for f in both)


def test_laterality(engine: RuleEngine, make_claim: Any) -> None:
    right_knee = "M17.11"  # unilateral primary osteoarthritis, right knee
    left_knee = "M17.12"
    ok = make_claim([right_knee], [line("20610", "RT")])
    assert findings(engine, ok, "MOD.LATERALITY") == []
    wrong = findings(engine, make_claim([right_knee], [line("20610", "LT")]), "MOD.LATERALITY")
    assert len(wrong) == 1
    assert "M17.11 (right)" in wrong[0].message
    together = findings(
        engine, make_claim([right_knee], [line("20610", "LT", "RT")]), "MOD.LATERALITY"
    )
    assert len(together) == 1
    assert "more than one side" in together[0].message
    bilateral_ok = make_claim([right_knee, left_knee], [line("20610", "50", pointers=(1, 2))])
    assert findings(engine, bilateral_ok, "MOD.LATERALITY") == []
    bilateral_one_side = make_claim([right_knee], [line("20610", "50")])
    assert len(findings(engine, bilateral_one_side, "MOD.LATERALITY")) == 1
    no_side = make_claim(["M54.50"], [line("20610", "LT")])
    assert findings(engine, no_side, "MOD.LATERALITY") == []
    digit = findings(engine, make_claim(["S62.633A"], [line("26720", "F5")]), "MOD.LATERALITY")
    assert digit, "S62.633A is the left middle finger; F5 is the right thumb"


def test_modifier_25(engine: RuleEngine, make_claim: Any) -> None:
    missing = findings(
        engine, make_claim(["M17.11"], [line("99213"), line("20610", "RT")]), "MOD.25"
    )
    assert [(f.severity, f.lines) for f in missing] == [("error", (1,))]
    assert "20610" in missing[0].message
    ok = make_claim(["M17.11"], [line("99213", "25"), line("20610", "RT")])
    assert findings(engine, ok, "MOD.25") == []
    decision = make_claim(["M17.11"], [line("99213", "57"), line("27447", "RT")])
    assert findings(engine, decision, "MOD.25") == []
    lone = findings(engine, make_claim(["M17.11"], [line("99213", "25")]), "MOD.25")
    assert [f.severity for f in lone] == ["warning"]
    misplaced = findings(engine, make_claim(["M17.11"], [line("20610", "25")]), "MOD.25")
    assert [f.severity for f in misplaced] == ["error"]
    lab_same_day = make_claim(["M17.11"], [line("99213"), line("80053")])
    assert findings(engine, lab_same_day, "MOD.25") == []


def test_place_of_service(engine: RuleEngine, make_claim: Any) -> None:
    assert findings(engine, make_claim(["M54.50"], [{"pos": "11"}]), "CLAIM.POS") == []
    for bad in ("", "30", "1", "AB"):
        assert findings(engine, make_claim(["M54.50"], [{"pos": bad}]), "CLAIM.POS"), bad


def test_place_of_service_table_covers_the_cms_list(shared_data: Path) -> None:
    with (shared_data / "pos" / "place_of_service.csv").open(encoding="utf-8-sig") as handle:
        cms = {row["place_of_service_code"] for row in csv.DictReader(handle)}
    ours = set(rule_tables().places_of_service)
    assert len(cms) >= 49  # the README says 49; the 2023 file lists 50
    assert cms <= ours, sorted(cms - ours)


def test_first_listed_and_secondary_only_z_codes(engine: RuleEngine, make_claim: Any) -> None:
    exam_second = make_claim(["E11.9", "Z00.00"])
    assert [f.codes for f in findings(engine, exam_second, "ICD10CM.Z_FIRST")] == [("Z00.00",)]
    assert findings(engine, make_claim(["Z00.00", "E11.9"]), "ICD10CM.Z_FIRST") == []
    assert findings(engine, make_claim(["E11.9", "Z00.6"]), "ICD10CM.Z_FIRST") == []
    status_first = findings(engine, make_claim(["Z79.4", "E11.9"]), "ICD10CM.SECONDARY")
    assert [f.severity for f in status_first] == ["warning"]
    assert findings(engine, make_claim(["E11.9", "Z79.4"]), "ICD10CM.SECONDARY") == []


def test_dates_and_versions_follow_the_date_of_service(engine: RuleEngine) -> None:
    assert engine.reference.version("ncci-ptp", dt.date(2026, 3, 14)) is not None
    assert engine.reference.version("cpt", dt.date(2026, 3, 14)) is None
