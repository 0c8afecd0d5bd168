# SPDX-License-Identifier: GPL-3.0-or-later
"""1,000 random, correctly built claims raise no error.

Each claim takes 1 to 8 billable FY2026 codes, each from a different chapter, with
demographics chosen to fit them (our demographic tables), and one office visit pointing
to its diagnoses. What the generator avoids, it avoids because a documented rule says
the claim would be wrong, not to hide a finding:
- no external cause code (V00-Y99) first (ICD10CM.EXTERNAL_CAUSE_FIRST, guideline I.C.20);
- no manifestation code ("in diseases classified elsewhere"), which needs its etiology
  coded first (ICD10CM.MANIFESTATION_FIRST, guidelines I.A.13).
The one error that may still appear is ICD10CM.EXCLUDES1 between codes of different
chapters: the tabular does relate some chapters (R codes exclude the diseases they are
symptoms of, chapter 19's injuries exclude birth trauma...). Each such error must stand
on an Excludes1 note whose reference covers the other code, and they must stay rare.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.demographics import AGE, SEX, groups_for
from coderdesk.core.rules.engine import RuleEngine

if TYPE_CHECKING:
    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.icd_table import IcdTable

CLAIMS = 1000
SEED = 20261127
DAY = dt.date(2026, 3, 14)
MANIFESTATION = "in diseases classified elsewhere"
MAX_EXCLUDES1_SHARE = 0.03


def _chapters(icd: IcdTable) -> dict[str, list[str]]:
    """Billable codes by chapter, without manifestation codes."""
    found: dict[str, list[str]] = {}
    for node in icd.nodes.values():
        if not node.billable:
            continue
        lineage = icd.lineage(node.code)
        if any(MANIFESTATION in n.title.lower() for n in lineage):
            continue
        found.setdefault(lineage[-1].code, []).append(node.code)
    return found


def _demographics(codes: list[str], rng: random.Random) -> tuple[str, int] | None:
    """A sex and an age that every code fits, or None when the codes disagree."""
    sexes = {"F", "M"}
    low, high = 0, 100
    for code in codes:
        for group in groups_for(code):
            if group.kind == SEX:
                sexes &= {group.sex}
            elif group.kind == AGE:
                low, high = max(low, group.min_age), min(high, group.max_age)
    if not sexes or low > high:
        return None
    return rng.choice(sorted(sexes)), rng.randint(low, high)


def _birth_date(age: int, rng: random.Random) -> dt.date:
    # A birthday between the day after the date of service a year earlier and the date
    # of service itself gives exactly `age` on the date of service.
    latest = DAY.replace(year=DAY.year - age)
    return latest - dt.timedelta(days=rng.randint(0, 360))


def _claim(chapters: dict[str, list[str]], rng: random.Random) -> dict[str, Any]:
    while True:
        picked = rng.sample(sorted(chapters), rng.randint(1, 8))
        codes = [rng.choice(chapters[c]) for c in picked]
        codes.sort(key=lambda c: c[0] in "VWXY")  # external causes after the others
        if codes[0][0] in "VWXY":
            continue
        fit = _demographics(codes, rng)
        if fit is not None:
            break
    sex, age = fit
    return {
        "date_of_service": DAY.isoformat(),
        "patient": {"dob": _birth_date(age, rng).isoformat(), "sex": sex},
        "subscriber": {"id": "S1"},
        "payer": {"name": "Fixture Health", "id": "P1"},
        "billing_provider": {"npi": "1234567893", "tax_id": "123456789"},
        "diagnoses": codes,
        "lines": [
            {
                "code": "99213",
                "pointers": list(range(1, min(4, len(codes)) + 1)),
                "charge": 90.0,
                "pos": "11",
                "from": DAY.isoformat(),
            }
        ],
    }


@pytest.fixture(scope="module")
def engine(module_library: CodeSetLibrary) -> RuleEngine:
    return RuleEngine(module_library)


def test_random_consistent_claims_raise_no_error(engine: RuleEngine) -> None:
    rng = random.Random(SEED)
    icd = engine.icd_for(parse_claim({"date_of_service": DAY.isoformat()}))
    chapters = _chapters(icd)
    errors: Counter[str] = Counter()
    unexplained: list[str] = []
    excludes1 = 0
    for _ in range(CLAIMS):
        data = _claim(chapters, rng)
        for finding in engine.validate(parse_claim(data)):
            if str(finding.severity) != "error":
                continue
            errors[finding.rule] += 1
            if finding.rule == "ICD10CM.EXCLUDES1" and _stands_on_a_note(icd, finding.codes):
                excludes1 += 1
                print(f"  explained: {finding.citation}  {finding.codes}")  # noqa: T201
            else:
                unexplained.append(f"{finding.rule}: {finding.message} {data['diagnoses']}")
    print(f"errors on {CLAIMS} random claims: {dict(errors)}")  # noqa: T201
    assert unexplained == []
    assert excludes1 <= MAX_EXCLUDES1_SHARE * CLAIMS


def _stands_on_a_note(icd: IcdTable, codes: tuple[str, ...]) -> bool:
    """Whether an Excludes1 note inherited by one code names the other."""
    first, second = codes
    for code, other in ((first, second), (second, first)):
        plain = other.replace(".", "")
        if any(note.covers(plain) for note in icd.inherited_notes(code, "excludes1")):
            return True
    return False
