# SPDX-License-Identifier: GPL-3.0-or-later
"""Every resolvable Excludes1 note of the FY2026 tabular raises ICD10CM.EXCLUDES1 on a claim."""

from __future__ import annotations

import bisect
import datetime as dt
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.rules.claim import Claim
from coderdesk.core.rules.engine import RuleContext, RuleEngine
from coderdesk.core.rules.icd_rules import ExcludesRule

if TYPE_CHECKING:
    from coderdesk.core.codes.icd10cm import CodeRef
    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.icd_table import IcdTable

TARGET_SHARE = 0.99


class BillableIndex:
    """Billable codes sorted by their dot-less form, to find one under a reference."""

    def __init__(self, icd: IcdTable) -> None:
        self.codes = sorted(n.code for n in icd.nodes.values() if n.billable)
        self.keys = [c.replace(".", "") for c in self.codes]

    def under(self, ref: CodeRef) -> str | None:
        start = ref.start.replace(".", "")
        at = bisect.bisect_left(self.keys, start)
        if at < len(self.codes) and ref.covers(self.codes[at]):
            return self.codes[at]
        return None

    def below(self, code: str) -> str | None:
        plain = code.replace(".", "")
        at = bisect.bisect_left(self.keys, plain)
        if at < len(self.keys) and self.keys[at].startswith(plain):
            return self.codes[at]
        return None


def _claim(diagnoses: tuple[str, str]) -> Claim:
    return Claim(dt.date(2026, 3, 14), {}, {}, {}, {}, {}, diagnoses, ())


@pytest.fixture(scope="module")
def engine(module_library: CodeSetLibrary) -> RuleEngine:
    """An engine over the FY2026 tabular."""
    return RuleEngine(module_library)


@pytest.fixture(scope="module")
def icd(engine: RuleEngine) -> IcdTable:
    """The FY2026 tabular as the rules see it."""
    return engine.icd_for(_claim(("I10", "I10")))


def test_every_resolvable_excludes1_note_fires(icd: IcdTable, engine: RuleEngine) -> None:
    billable = BillableIndex(icd)
    rule = ExcludesRule("excludes1")
    resolvable = fired = 0
    missed: list[str] = []
    for node in icd.nodes.values():
        if node.kind in ("chapter", "block"):
            continue  # a chapter's or block's first billable code is tested through its codes
        owner_code = node.code if node.billable else billable.below(node.code)
        for note in (n for n in node.notes if n.kind == "excludes1"):
            for ref in note.refs:
                target = billable.under(ref)
                if owner_code is None or target is None or target == owner_code:
                    continue
                resolvable += 1
                context = RuleContext(
                    _claim((owner_code, target)), icd, engine.reference, engine.tables
                )
                if any(f.rule == "ICD10CM.EXCLUDES1" for f in rule.check(context)):
                    fired += 1
                else:
                    missed.append(f"{node.code}: {note.text} -> {owner_code} + {target}")
    share = fired / resolvable
    print(f"Excludes1 coverage: {fired}/{resolvable} = {share:.2%}")  # noqa: T201
    assert resolvable > 2000
    assert share >= TARGET_SHARE, missed[:20]
