# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD10CM.AGE and ICD10CM.SEX on the FY2026 tabular, and our table against the FY2020 MCE.

codesets/demographics.toml is our own compact table. Its agreement with the Medicare
Code Editor v37 lists (../shared/data/mce, public CMS definitions kept outside the
project) is measured both ways: every MCE-listed code that is still billable must make
the rule fire on a claim that breaks the edit, and the codes we flag that the MCE does
not list (among codes the MCE file shows existed in FY2020) must stay few.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.code_ranges import RuleTableError
from coderdesk.core.rules.demographic_rules import AgeRule, SexRule
from coderdesk.core.rules.demographics import (
    AGE,
    SEX,
    DemographicGroup,
    age_on,
    demographic_table,
    groups_for,
    parse_demographics,
)
from coderdesk.core.rules.engine import RuleEngine
from coderdesk.core.rules.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.findings import Finding

DAY = dt.date(2026, 3, 14)  # the fixture claims' date of service
MCE_FILE = "mce/MCE_Simple_Code_Edits_v37.txt"
MIN_AGREEMENT = 0.99
MAX_EXTRA_SHARE = 0.01
Run = Callable[..., list["Finding"]]


@pytest.fixture(scope="module")
def engine(module_library: CodeSetLibrary) -> RuleEngine:
    """A rules engine over the embedded FY2026 tabular running only the two demographic rules."""
    return RuleEngine(module_library, rules=[AgeRule(), SexRule()])


def dob_for(age: int) -> str:
    """A date of birth giving `age` on DAY (birthday later in the year)."""
    return f"{DAY.year - age - 1}-06-01"


@pytest.fixture(scope="module")
def run(engine: RuleEngine, make_claim: Callable[..., dict[str, Any]]) -> Run:
    """Validate a fixture claim with these diagnoses, patient sex and date of birth."""

    def validate(
        codes: list[str],
        *,
        sex: str = "U",
        dob: str | None = "1980-06-01",
        lines: list[dict[str, Any]] | None = None,
        **changes: Any,
    ) -> list[Finding]:
        patient: dict[str, Any] = {"sex": sex, "name": "Fixture, Pat", "account": "A1"}
        if dob is not None:
            patient["dob"] = dob
        claim = make_claim(codes, lines, patient=patient, **changes)
        return engine.validate(parse_claim(claim))

    return validate


def fired(findings: Iterable[Finding]) -> list[tuple[str, tuple[str, ...]]]:
    return [(f.rule, f.codes) for f in findings]


# --- the rules on real codes -------------------------------------------------------------


def test_sex_conflicts_on_real_codes(run: Run) -> None:
    assert fired(run(["O80"], sex="M", dob=dob_for(30))) == [("ICD10CM.SEX", ("O80",))]
    assert fired(run(["N40.0"], sex="F", dob=dob_for(70))) == [("ICD10CM.SEX", ("N40.0",))]
    # Without its dot, and among other codes: the finding names the tabular code.
    assert fired(run(["I10", "C61"], sex="F")) == [("ICD10CM.SEX", ("C61",))]
    assert fired(run(["O80"], sex="F", dob=dob_for(30))) == []
    assert fired(run(["N40.0"], sex="M", dob=dob_for(70))) == []


@pytest.mark.parametrize("sex", ["U", ""])
def test_unknown_or_missing_sex_never_conflicts(run: Run, sex: str) -> None:
    assert fired(run(["O80", "N40.0", "C53.9"], sex=sex, dob=dob_for(30))) == []


def test_kx_on_the_pointing_line_clears_the_sex_finding(run: Run) -> None:
    kx = [{"code": "99213", "modifiers": ["KX"], "pointers": [2]}]
    assert fired(run(["I10", "N40.0"], sex="F", lines=kx)) == []
    # KX on a line that points elsewhere answers nothing.
    elsewhere = [{"code": "99213", "pointers": [2]}, {"code": "81002", "modifiers": ["KX"]}]
    found = run(["I10", "N40.0"], sex="F", lines=elsewhere)
    assert [(f.rule, f.codes, f.lines) for f in found] == [("ICD10CM.SEX", ("N40.0",), (1,))]


def test_an_override_with_a_reason_answers_the_sex_finding(run: Run) -> None:
    reason = "Transgender patient; prostate care is appropriate"
    override = {"rule": "ICD10CM.SEX", "codes": ["N400"], "reason": reason}
    (finding,) = run(["N40.0"], sex="F", overrides=[override])
    assert finding.overridden == reason


def test_sex_finding_text(run: Run) -> None:
    (finding,) = run(["O80"], sex="M", dob=dob_for(30))
    assert finding.severity is Severity.WARNING
    assert "O80" in finding.message
    assert "female" in finding.message
    assert "recorded as male" in finding.message
    assert "Medicare Code Editor sex conflict edit" in finding.citation
    assert "KX" in finding.fix
    assert "override" in finding.fix
    assert finding.lines == (1,)


def test_age_conflicts_on_real_codes(run: Run) -> None:
    assert fired(run(["O80"], sex="F", dob=dob_for(60))) == [("ICD10CM.AGE", ("O80",))]
    assert fired(run(["Z00.129"], dob=dob_for(30))) == [("ICD10CM.AGE", ("Z00.129",))]
    assert fired(run(["Z00.00"], dob=dob_for(8))) == [("ICD10CM.AGE", ("Z00.00",))]
    assert fired(run(["Z38.00"], dob=dob_for(1))) == [("ICD10CM.AGE", ("Z38.00",))]
    assert fired(run(["Z38.00"], dob="2026-03-10")) == []
    # A maternity code on a 60-year-old man: both edits.
    assert sorted(fired(run(["O80"], sex="M", dob=dob_for(60)))) == [
        ("ICD10CM.AGE", ("O80",)),
        ("ICD10CM.SEX", ("O80",)),
    ]


def test_perinatal_codes_may_be_reported_at_any_age(run: Run) -> None:
    # Guidelines I.C.16.a.4 and I.C.16.d: a P code stays in use while the perinatal
    # condition lasts, and P07 may be reported for an adult it still affects. The MCE
    # dropped P codes from its newborn edit for the same reason (see the TOML header).
    assert fired(run(["P07.30"], dob=dob_for(40))) == []
    assert fired(run(["P27.1"], dob=dob_for(3))) == []


@pytest.mark.parametrize(
    ("code", "inside", "outside"),
    [
        ("O80", [12, 55], [11, 56]),  # maternity 12-55
        ("Z00.129", [0, 17], [18]),  # pediatric 0-17
        ("Z00.00", [15, 124], [14]),  # adult 15-124
        ("Z3A.39", [12, 55], [11, 56]),  # weeks of gestation: the mother's record only
    ],
)
def test_age_bounds_are_inclusive(
    run: Run, code: str, inside: list[int], outside: list[int]
) -> None:
    for age in inside:
        assert fired(run([code], sex="F", dob=dob_for(age))) == [], age
    for age in outside:
        assert fired(run([code], sex="F", dob=dob_for(age))) == [("ICD10CM.AGE", (code,))], age


def test_age_is_counted_on_the_birthday(run: Run) -> None:
    # 18 on the day of service itself: no longer pediatric; the day before: still 17.
    assert fired(run(["Z00.129"], dob="2008-03-14")) == [("ICD10CM.AGE", ("Z00.129",))]
    assert fired(run(["Z00.129"], dob="2008-03-15")) == []


def test_age_finding_text(run: Run) -> None:
    (finding,) = run(["O80"], sex="F", dob=dob_for(60))
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "O80 (Encounter for full-term uncomplicated delivery) is a maternity diagnosis "
        "(ages 12-55); the patient is 60 years old on 2026-03-14."
    )
    assert "Medicare Code Editor age conflict edit" in finding.citation
    assert "date of birth" in finding.fix
    assert finding.lines == (1,)


@pytest.mark.parametrize("dob", [None, "2026-03-15"])
def test_no_age_finding_without_a_usable_date_of_birth(run: Run, dob: str | None) -> None:
    assert fired(run(["O80", "Z00.129", "Z00.00"], sex="F", dob=dob)) == []


def test_invalid_codes_are_left_to_the_code_rules(run: Run) -> None:
    assert fired(run(["O99.9", "N40"], sex="F")) == [("ICD10CM.SEX", ("N40",))]


# --- age, look-up and table checks -------------------------------------------------------


def test_age_on_whole_years_and_29_february() -> None:
    assert age_on(dt.date(2000, 3, 14), dt.date(2026, 3, 14)) == 26
    assert age_on(dt.date(2000, 3, 15), dt.date(2026, 3, 14)) == 25
    assert age_on(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == 0
    leapling = dt.date(2008, 2, 29)
    assert age_on(leapling, dt.date(2026, 2, 28)) == 17  # no 29 February in 2026
    assert age_on(leapling, dt.date(2026, 3, 1)) == 18
    assert age_on(leapling, dt.date(2028, 2, 28)) == 19
    assert age_on(leapling, dt.date(2028, 2, 29)) == 20


def names(code: str) -> list[str]:
    return [group.name for group in groups_for(code)]


def test_groups_for_codes_with_or_without_dot_ranges_and_excepts() -> None:
    assert names("O80") == names("o80") == ["maternity", "female"]
    assert names("N52.01") == names("N5201") == ["adult", "male"]  # range N40-N53
    assert names("N47.0") == ["newborn", "male"]
    assert names("Z3A.39") == ["maternity", "female"]
    assert names("I10") == names("P07.30") == []
    # `except` entries carve codes out of a group, as the MCE does.
    assert names("Z30.011") == ["female"]
    assert names("Z30.016") == []
    assert names("I23.3") == ["adult"]
    assert names("I23.4") == []
    assert names("N42.31") == ["male"]


def test_the_table_is_read_once_and_groups_have_their_bounds() -> None:
    table = demographic_table()
    assert demographic_table() is table
    bounds = {g.name: (g.kind, g.min_age, g.max_age, g.sex) for g in table.groups}
    assert bounds == {
        "newborn": (AGE, 0, 0, ""),
        "pediatric": (AGE, 0, 17, ""),
        "maternity": (AGE, 12, 55, ""),
        "adult": (AGE, 15, 124, ""),
        "female": (SEX, 0, 124, "F"),
        "male": (SEX, 0, 124, "M"),
    }
    assert table.group("newborn").bounds == "age 0"
    assert table.group("adult").bounds == "ages 15-124"


GOOD_GROUP: dict[str, Any] = {"label": "x", "min_age": 0, "max_age": 1, "codes": ["A00"]}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"ages": {}}, "unknown table(s) ages"),
        ({"age": {"kids": {**GOOD_GROUP, "max": 3}}}, "[age.kids]: unknown key(s) max"),
        ({"age": {"kids": {**GOOD_GROUP, "label": ""}}}, "[age.kids]: 'label'"),
        ({"age": {"kids": {**GOOD_GROUP, "min_age": "0"}}}, "[age.kids]: 'min_age'"),
        ({"age": {"kids": {**GOOD_GROUP, "max_age": True}}}, "[age.kids]: 'max_age'"),
        ({"age": {"kids": {**GOOD_GROUP, "min_age": 5}}}, "[age.kids]: 'min_age' (5) is above"),
        ({"age": {"kids": {**GOOD_GROUP, "codes": []}}}, "[age.kids]: 'codes' must list"),
        ({"age": {"kids": {**GOOD_GROUP, "codes": ["N53-N40"]}}}, "'N53-N40' is not a valid"),
        ({"age": {"kids": {**GOOD_GROUP, "except": "A00"}}}, "[age.kids]: 'except' must be"),
        ({"sex": {"f": {"label": "female", "sex": "X", "codes": ["N70"]}}}, "[sex.f]: 'sex'"),
        ({"sex": {"f": "N70"}}, "[sex.f]: must be a table"),
        ({}, "no [age.*] or [sex.*] group"),
    ],
)
def test_a_malformed_table_names_the_entry(data: dict[str, Any], words: str) -> None:
    with pytest.raises(RuleTableError) as caught:
        parse_demographics(data, "demographics.toml")
    assert words in caught.value.user_message


# --- agreement with the FY2020 Medicare Code Editor (v37) --------------------------------


@dataclass(frozen=True)
class Edit:
    """One MCE edit type, the group of ours it corresponds to and a claim that breaks it."""

    mce_type: str
    group: str
    age: int
    sex: str

    def fires(self, code: str) -> bool:
        """Whether our table makes the rule fire for `code` on the breaking claim."""
        return any(self._conflicts(group) for group in groups_for(code))

    def _conflicts(self, group: DemographicGroup) -> bool:
        if self.sex != "U":
            return group.conflicts_with_sex(self.sex)
        return group.kind == AGE and not group.fits_age(self.age)


EDITS = (
    Edit("Newborn_Only", "newborn", 30, "U"),
    Edit("Pediatric_Only", "pediatric", 40, "U"),
    Edit("Maternity_Only", "maternity", 70, "U"),
    Edit("Adult_Only", "adult", 5, "U"),
    Edit("Female_Only", "female", 30, "M"),
    Edit("Male_Only", "male", 30, "F"),
)
ENGINE_SAMPLE_PER_EDIT = 100


@functools.cache
def mce_lists(path: Path) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The MCE diagnosis codes of each edit type, and every diagnosis code in the file."""
    by_type: dict[str, set[str]] = {edit.mce_type: set() for edit in EDITS}
    every: set[str] = set()
    with path.open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            # Procedure codes (type P) say nothing about which diagnoses existed.
            if row["ICD_Code_Type"] != "D":
                continue
            every.add(row["ICD_Code"])
            if row["MCE_Edit_Type"] in by_type:
                by_type[row["MCE_Edit_Type"]].add(row["ICD_Code"])
    return {k: frozenset(v) for k, v in by_type.items()}, frozenset(every)


def billable_fy2026(engine: RuleEngine) -> frozenset[str]:
    icd = engine.icd_for(parse_claim({"date_of_service": DAY.isoformat()}))
    return frozenset(node.code.replace(".", "") for node in icd.nodes.values() if node.billable)


def engine_fires(run: Run, edit: Edit, code: str) -> bool:
    rule = "ICD10CM.SEX" if edit.sex != "U" else "ICD10CM.AGE"
    found = run([code], sex=edit.sex, dob=dob_for(edit.age))
    return any(f.rule == rule for f in found)


def report(title: str, rows: list[str], problems: dict[str, list[str]]) -> str:
    lines = [title, *rows]
    lines += [f"  {name}: {' '.join(codes)}" for name, codes in problems.items() if codes]
    text = "\n".join(lines)
    print(text)  # noqa: T201 - the agreement figures, shown with -s
    return text


def test_every_mce_listed_code_makes_the_rule_fire(
    engine: RuleEngine, run: Run, shared_data: Path
) -> None:
    listed, _every = mce_lists(shared_data / MCE_FILE)
    billable = billable_fy2026(engine)
    rows, problems, low = [], {}, []
    total = total_fired = engine_checked = 0
    for edit in EDITS:
        codes = sorted(listed[edit.mce_type] & billable)
        missed = [code for code in codes if not edit.fires(code)]
        # The engine path, on an even sample of each list: same verdict as the table.
        step = max(1, len(codes) // ENGINE_SAMPLE_PER_EDIT)
        sample = codes[::step]
        engine_missed = [code for code in sample if not engine_fires(run, edit, code)]
        engine_checked += len(sample)
        share = (len(codes) - len(missed)) / len(codes)
        total += len(codes)
        total_fired += len(codes) - len(missed)
        rows.append(
            f"  {edit.mce_type:15} {len(codes) - len(missed):5}/{len(codes):<5} {share:7.2%}"
            f"   engine {len(sample) - len(engine_missed)}/{len(sample)}"
        )
        problems[f"{edit.mce_type} not flagged"] = missed
        problems[f"{edit.mce_type} not flagged by the engine"] = engine_missed
        if share < MIN_AGREEMENT or engine_missed:
            low.append(edit.mce_type)
    rows.append(f"  {'overall':15} {total_fired:5}/{total:<5} {total_fired / total:7.2%}")
    text = report("MCE v37 codes (billable in FY2026) that make our rules fire:", rows, problems)
    assert engine_checked >= 300
    assert not low, text


def test_codes_we_flag_that_the_mce_does_not_list_are_few(
    engine: RuleEngine, shared_data: Path
) -> None:
    listed, every = mce_lists(shared_data / MCE_FILE)
    billable = sorted(billable_fy2026(engine))
    table = demographic_table()
    rows, problems, high = [], {}, []
    for edit in EDITS:
        group = table.group(edit.group)
        flagged = [code for code in billable if group.covers(code)]
        # Only codes the MCE file shows existed in FY2020 can be judged; newer ones are
        # placed by our own reading (see the TOML header).
        judged = [code for code in flagged if code in every]
        extra = [code for code in judged if code not in listed[edit.mce_type]]
        rows.append(
            f"  {edit.group:10} flagged {len(flagged):5} (known to MCE {len(judged):5})"
            f"  not in the MCE list {len(extra)}"
        )
        problems[f"{edit.group} not in {edit.mce_type}"] = extra
        if len(extra) > MAX_EXTRA_SHARE * len(judged):
            high.append(edit.group)
    text = report("FY2026 billable codes our table flags beyond the MCE v37 lists:", rows, problems)
    assert not high, text
