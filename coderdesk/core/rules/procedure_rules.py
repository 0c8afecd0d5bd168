# SPDX-License-Identifier: GPL-3.0-or-later
"""Procedure rules over imported CMS data: NCCI PTP edits, MUE units, known codes.

Each rule stays silent when the release it needs is not imported: a fresh install has
no NCCI, MUE or CPT data, and guessing would only cry wolf.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from coderdesk.core.rules.claim import Claim, ClaimLine
    from coderdesk.core.rules.engine import RuleContext
    from coderdesk.core.rules.reference import MueRow, PtpRow

INDICATOR_MEANING = {
    0: "no modifier allowed",
    1: "allowed with an NCCI-associated modifier",
    9: "not applicable",
}
CPT_SHAPE = re.compile(r"[0-9]{4}[0-9FTUAM]")
HCPCS_SHAPE = re.compile(r"[A-V][0-9]{4}")


def line_day(claim: Claim, line: ClaimLine) -> dt.date:
    """The date a line's service was given: its own 'from', else the claim's date."""
    return line.date_from or claim.date_of_service


def _ptp_citation(edit: PtpRow) -> str:
    deleted = edit.deletion.isoformat() if edit.deletion else "not deleted"
    meaning = INDICATOR_MEANING.get(edit.modifier_indicator, "unknown")
    return (
        f"NCCI PTP practitioner edit, column 1 {edit.column1} / column 2 {edit.column2} "
        f"({edit.release}): effective {edit.effective.isoformat()}, deletion {deleted}, "
        f"modifier indicator {edit.modifier_indicator} ({meaning}); rationale: {edit.rationale}"
    )


class NcciPtpRule:
    """NCCI.PTP: a column 2 code billed with its column 1 code on the same day."""

    rule_id = "NCCI.PTP"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per pair of lines an edit in force binds."""
        claim = context.claim
        codes = {line.code for line in claim.lines}
        edits = context.reference.ptp_edits(codes, claim.date_of_service)
        if not edits:
            return
        by_code: dict[str, list[int]] = defaultdict(list)
        for number, line in enumerate(claim.lines, start=1):
            by_code[line.code].append(number)
        associated = context.tables.modifiers.ncci_associated
        for edit in edits:
            for first in by_code.get(edit.column1, []):
                for second in by_code.get(edit.column2, []):
                    finding = self._pair(claim, edit, (first, second), associated)
                    if finding is not None:
                        yield finding

    def _pair(
        self, claim: Claim, edit: PtpRow, numbers: tuple[int, int], associated: frozenset[str]
    ) -> Finding | None:
        one, two = (claim.lines[n - 1] for n in numbers)
        day = line_day(claim, one)
        if day != line_day(claim, two) or not edit.applies_on(day):
            return None
        if edit.modifier_indicator not in (0, 1):
            return None
        bypass = sorted(associated & (set(one.modifiers) | set(two.modifiers)))
        codes = (edit.column1, edit.column2)
        if edit.modifier_indicator == 1 and bypass:
            return Finding(
                self.rule_id,
                Severity.INFO,
                f"Lines {numbers[0]} and {numbers[1]}: the NCCI edit {edit.column1}/"
                f"{edit.column2} is bypassed by modifier {', '.join(bypass)}; the record "
                "must show a distinct service.",
                _ptp_citation(edit),
                codes,
                numbers,
            )
        if edit.modifier_indicator == 0:
            message = (
                f"{edit.column2} (line {numbers[1]}) is never paid with {edit.column1} "
                f"(line {numbers[0]}) on the same day; no modifier bypasses this edit."
            )
            fix = f"Remove {edit.column2}, unless it was truly given on another day."
        else:
            message = (
                f"{edit.column2} (line {numbers[1]}) is bundled into {edit.column1} "
                f"(line {numbers[0]}) on the same day."
            )
            fix = (
                f"Remove {edit.column2}; or, when the record documents a distinct service "
                f"(other site, session or encounter), add 59 or XE/XS/XP/XU to line {numbers[1]}."
            )
        return Finding(
            self.rule_id, Severity.ERROR, message, _ptp_citation(edit), codes, numbers, fix
        )


def _mue_citation(mue: MueRow) -> str:
    return (
        f"MUE practitioner value for {mue.code} ({mue.release}): {mue.value} unit(s), "
        f"adjudication indicator {mue.indicator_text}; rationale: {mue.rationale}"
    )


MUE_FIX = {
    1: "Reduce the units; units above the MUE on one line are denied. When the record "
    "documents more (another site or session), report them on another line with the "
    "modifier that tells them apart (e.g. 76, 91, XS, RT/LT).",
    2: "Reduce the units to the MUE: this date-of-service limit is policy and is not paid "
    "above it, even on appeal.",
    3: "Reduce the units, or keep them only with documentation of medical necessity for an "
    "appeal: this date-of-service limit is clinical.",
}


class MueRule:
    """MUE.UNITS: units above the MUE, per line (MAI 1) or per day (MAI 2 and 3)."""

    rule_id = "MUE.UNITS"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per line (MAI 1) or per code and day (MAI 2, 3) over the value."""
        claim = context.claim
        if not context.reference.has("mue", claim.date_of_service):
            return
        per_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
        for number, line in enumerate(claim.lines, start=1):
            per_day[(line.code, line_day(claim, line))].append(number)
        for (code, day), numbers in per_day.items():
            mue = context.reference.mue(code, claim.date_of_service)
            if mue is None:
                continue
            if mue.adjudication_indicator == 1:
                for number in numbers:
                    units = claim.lines[number - 1].units
                    if units > mue.value:
                        yield self._finding(mue, units, (number,), f"Line {number}")
            else:
                total = sum(claim.lines[n - 1].units for n in numbers)
                if total > mue.value:
                    where = f"{code} on {day.isoformat()} (lines {', '.join(map(str, numbers))})"
                    yield self._finding(mue, total, tuple(numbers), where)

    def _finding(self, mue: MueRow, units: float, lines: tuple[int, ...], where: str) -> Finding:
        return Finding(
            self.rule_id,
            Severity.ERROR,
            f"{where}: {units:g} unit(s) of {mue.code}, above the MUE of {mue.value}.",
            _mue_citation(mue),
            (mue.code,),
            lines,
            MUE_FIX.get(mue.adjudication_indicator, MUE_FIX[1]),
        )


class ProcedureCodeRule:
    """PROC.INVALID_CODE: a line code that is not CPT or HCPCS, or not in the release."""

    rule_id = "PROC.INVALID_CODE"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per line whose code cannot be billed on its date."""
        claim = context.claim
        for number, line in enumerate(claim.lines, start=1):
            problem = self._problem(context, line.code, line_day(claim, line))
            if problem:
                yield Finding(
                    self.rule_id,
                    Severity.ERROR,
                    f"Line {number}: {problem}",
                    guideline("procedure_codes"),
                    (line.code,),
                    (number,),
                    "Search the encoder for the current code.",
                )

    @staticmethod
    def _problem(context: RuleContext, code: str, day: dt.date) -> str:
        reference = context.reference
        if CPT_SHAPE.fullmatch(code):
            version = reference.version("cpt", day)
            if version is not None and reference.cpt_code(code, day) is None:
                return f"{code} is not in the imported CPT file ({version.label})."
            return ""
        if HCPCS_SHAPE.fullmatch(code):
            version = reference.version("hcpcs", day)
            if version is None:
                return ""
            known = reference.hcpcs_code(code, day)
            if known is None:
                return f"{code} is not a code of {version.label}."
            if known.termination and known.termination < day:
                return f"{code} was terminated on {known.termination.isoformat()}."
            return ""
        return f"{code} is neither a CPT code (5 characters) nor a HCPCS Level II code."
