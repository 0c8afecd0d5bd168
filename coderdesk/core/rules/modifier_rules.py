# SPDX-License-Identifier: GPL-3.0-or-later
"""Modifier rules: known modifiers, laterality, and modifier 25 on same-day E/M.

The catalogue is CPT modifiers by number (our table), HCPCS Level II modifiers from the
imported HCPCS release, or our short list of common ones when none is imported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.procedure_rules import line_day
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from coderdesk.core.rules.claim import Claim, ClaimLine
    from coderdesk.core.rules.engine import RuleContext
    from coderdesk.core.rules.tables import Laterality

MAX_MODIFIERS = 4
MODIFIER_SHAPE = re.compile(r"[0-9A-Z]{2}")


def _finding(
    rule: str, severity: Severity, message: str, citation: str, *, code: str, number: int, fix: str
) -> Finding:
    return Finding(rule, severity, message, citation, (code,), (number,), fix)


class ModifierRule:
    """MOD.INVALID: unknown, terminated, repeated, too many or conflicting modifiers."""

    rule_id = "MOD.INVALID"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Findings per line for modifiers that cannot go on the claim."""
        for number, line in enumerate(context.claim.lines, start=1):
            yield from self._line(context, number, line)

    def _line(self, context: RuleContext, number: int, line: ClaimLine) -> Iterator[Finding]:
        modifiers = line.modifiers
        if len(modifiers) > MAX_MODIFIERS:
            yield self._error(
                f"Line {number} has {len(modifiers)} modifiers; at most 4.",
                line.code,
                number,
                "Keep the four that matter for payment first.",
            )
        repeated = sorted({m for m in modifiers if modifiers.count(m) > 1})
        if repeated:
            yield self._error(
                f"Line {number} repeats modifier {', '.join(repeated)}.",
                line.code,
                number,
                "Give each modifier once.",
            )
        if {"26", "TC"} <= set(modifiers):
            yield self._error(
                f"Line {number} has both 26 (professional) and TC (technical).",
                line.code,
                number,
                "Bill the global service without either, or one component per line.",
            )
        day = line_day(context.claim, line)
        for modifier in dict.fromkeys(modifiers):
            yield from self._known(context, modifier, day, number, line.code)

    def _known(
        self, context: RuleContext, modifier: str, day: dt.date, number: int, code: str
    ) -> Iterator[Finding]:
        tables = context.tables.modifiers
        if not MODIFIER_SHAPE.fullmatch(modifier):
            yield self._error(
                f"Line {number}: '{modifier}' is not a modifier (two characters).",
                code,
                number,
                "Correct the modifier.",
            )
            return
        if modifier in tables.cpt:
            return
        version = context.reference.version("hcpcs", day)
        if version is None:
            if modifier not in tables.level2:
                yield _finding(
                    self.rule_id,
                    Severity.WARNING,
                    f"Line {number}: modifier {modifier} cannot be checked: no HCPCS release "
                    "is imported.",
                    guideline("modifiers"),
                    code=code,
                    number=number,
                    fix="Import the HCPCS Level II file to check every modifier.",
                )
            return
        known = context.reference.hcpcs_modifier(modifier, day)
        if known is None:
            yield self._error(
                f"Line {number}: {modifier} is not a CPT modifier nor a Level II modifier of "
                f"{version.label}.",
                code,
                number,
                "Correct or remove the modifier.",
            )
        elif known.termination and known.termination < day:
            yield self._error(
                f"Line {number}: modifier {modifier} was terminated on "
                f"{known.termination.isoformat()}.",
                code,
                number,
                "Use the modifier that replaced it.",
            )

    def _error(self, message: str, code: str, number: int, fix: str) -> Finding:
        return _finding(
            self.rule_id,
            Severity.ERROR,
            message,
            guideline("modifiers"),
            code=code,
            number=number,
            fix=fix,
        )


def diagnosis_side(title: str, laterality: Laterality) -> str | None:
    """'left', 'right' or 'bilateral' when the title names one side (or both), else None."""
    words = set(re.findall(r"[a-z]+", title.lower()))
    if words & set(laterality.words["bilateral"]):
        return "bilateral"
    left = bool(words & set(laterality.words["left"]))
    right = bool(words & set(laterality.words["right"]))
    if left and right:
        return "bilateral"
    if left or right:
        return "left" if left else "right"
    return None


def _agrees(line_side: str, sides: set[str]) -> bool:
    if "bilateral" in sides:
        return True
    if line_side == "bilateral":
        return {"left", "right"} <= sides
    return line_side in sides


class LateralityRule:
    """MOD.LATERALITY: LT with RT, 50 with either, or a side the diagnoses contradict."""

    rule_id = "MOD.LATERALITY"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Findings per line whose side modifiers conflict with each other or the diagnoses."""
        laterality = context.tables.modifiers.laterality
        for number, line in enumerate(context.claim.lines, start=1):
            named = {
                laterality.modifier_side[m] for m in line.modifiers if m in laterality.modifier_side
            }
            if len(named) > 1:
                yield self._error(
                    f"Line {number} names more than one side ({', '.join(line.modifiers)}).",
                    line.code,
                    number,
                    "For both sides use 50 alone (or one line per side, as the payer wants).",
                )
            elif named:
                yield from self._against_diagnoses(context, number, line, named.pop())

    def _against_diagnoses(
        self, context: RuleContext, number: int, line: ClaimLine, side: str
    ) -> Iterator[Finding]:
        laterality = context.tables.modifiers.laterality
        sided: dict[str, str] = {}
        for code in _pointed(context.claim, line):
            node = context.icd.get(code)
            found = diagnosis_side(node.title, laterality) if node else None
            if found:
                sided[node.code if node else code] = found
        if sided and not _agrees(side, set(sided.values())):
            shown = ", ".join(f"{code} ({where})" for code, where in sided.items())
            yield self._error(
                f"Line {number} is billed for the {side} side, but its diagnoses say {shown}.",
                line.code,
                number,
                "Correct the modifier or point the line to the diagnosis of the treated side.",
            )

    def _error(self, message: str, code: str, number: int, fix: str) -> Finding:
        return _finding(
            self.rule_id,
            Severity.ERROR,
            message,
            guideline("laterality"),
            code=code,
            number=number,
            fix=fix,
        )


def _pointed(claim: Claim, line: ClaimLine) -> list[str]:
    return [claim.diagnoses[p - 1] for p in line.pointers if 0 < p <= len(claim.diagnoses)]


class Modifier25Rule:
    """MOD.25: an E/M beside a same-day procedure without 25, or 25 where it does not belong."""

    rule_id = "MOD.25"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Findings for E/M lines and for misplaced 25s."""
        claim = context.claim
        tables = context.tables.modifiers
        procedure_days: dict[dt.date, list[int]] = defaultdict(list)
        for number, line in enumerate(claim.lines, start=1):
            if line.code in tables.procedures:
                procedure_days[line_day(claim, line)].append(number)
        for number, line in enumerate(claim.lines, start=1):
            is_em = line.code in tables.evaluation_management
            has_25 = "25" in line.modifiers
            same_day = procedure_days.get(line_day(claim, line), [])
            if has_25 and not is_em:
                yield self._finding(
                    Severity.ERROR,
                    f"Line {number}: modifier 25 belongs only on an E/M code.",
                    line.code,
                    number,
                    "Remove 25 from this line.",
                )
            elif (
                is_em
                and same_day
                and not has_25
                and not tables.mod25_alternatives & set(line.modifiers)
            ):
                procedures = ", ".join(claim.lines[n - 1].code for n in same_day)
                yield self._finding(
                    Severity.ERROR,
                    f"Line {number}: E/M {line.code} on the day of {procedures} "
                    "has no modifier 25.",
                    line.code,
                    number,
                    "Add 25 when the record shows a significant, separately identifiable E/M; "
                    "otherwise remove the E/M (it is part of the procedure).",
                )
            elif is_em and has_25 and not same_day:
                yield self._finding(
                    Severity.WARNING,
                    f"Line {number}: E/M {line.code} has modifier 25 but no procedure is billed "
                    "the same day.",
                    line.code,
                    number,
                    "Remove 25 unless the procedure is billed on another claim.",
                )

    def _finding(
        self, severity: Severity, message: str, code: str, number: int, fix: str
    ) -> Finding:
        return _finding(
            self.rule_id,
            severity,
            message,
            guideline("modifier_25"),
            code=code,
            number=number,
            fix=fix,
        )
