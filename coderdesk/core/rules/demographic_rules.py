# SPDX-License-Identifier: GPL-3.0-or-later
"""Demographic consistency of the diagnoses: ICD10CM.AGE and ICD10CM.SEX.

Owns the two rules that check each diagnosis against the patient's age on the date of
service and recorded sex, using the groups of codesets/demographics.toml (see
`demographics`). Both report warnings: on professional claims these edits are a
prompt to check the code, the date of birth or the sex; a payer may raise them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.codes.icd10cm import BLOCK, CHAPTER
from coderdesk.core.rules.demographics import AGE, SEX, age_on, groups_for
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    from collections.abc import Iterator

    from coderdesk.core.rules.claim import Claim
    from coderdesk.core.rules.demographics import DemographicGroup
    from coderdesk.core.rules.engine import RuleContext

FIX_AGE = (
    "Check the patient's date of birth and the code; choose the code for the patient's "
    "age, or override with a reason when the record supports this code."
)
FIX_SEX = (
    "Check the patient's sex and the code; add modifier KX to the line when the service is "
    "medically appropriate for this patient (e.g. transgender care), or override with a reason."
)
# The modifier a payer reads as "the sex-specific service is medically appropriate".
SEX_OVERRIDE_MODIFIER = "KX"


@dataclass(frozen=True)
class _Diagnosis:
    """One distinct diagnosis of the claim: its tabular code, title and 1-based positions."""

    code: str
    title: str
    positions: tuple[int, ...]


def _diagnoses(context: RuleContext) -> Iterator[_Diagnosis]:
    """The claim's diagnoses found in the tabular, each once (in first-listed order).

    Codes the tabular does not know are skipped: ICD10CM.INVALID_CODE reports them.
    """
    found: dict[str, tuple[str, list[int]]] = {}
    for position, typed in enumerate(context.claim.diagnoses, start=1):
        node = context.icd.get(typed)
        if node is None or node.kind in (CHAPTER, BLOCK):
            continue
        found.setdefault(node.code, (node.title, []))[1].append(position)
    for code, (title, positions) in found.items():
        yield _Diagnosis(code, title, tuple(positions))


def _lines_pointing(
    claim: Claim, positions: tuple[int, ...], modifier: str = ""
) -> tuple[int, ...]:
    """Numbers (1-based) of the lines pointing to any of `positions`, with `modifier` if given."""
    return tuple(
        number
        for number, line in enumerate(claim.lines, start=1)
        if any(p in positions for p in line.pointers)
        and (not modifier or modifier in line.modifiers)
    )


class AgeRule:
    """ICD10CM.AGE: a diagnosis of an age group the patient is outside of on the date of service."""

    rule_id = "ICD10CM.AGE"

    def __init__(self, severity: Severity = Severity.WARNING) -> None:
        self.severity = severity

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per diagnosis and age group whose bounds exclude the patient's age."""
        claim = context.claim
        # No usable date of birth, no age: a missing or future date of birth is the claim
        # rules' finding, not a demographic edit.
        if claim.patient_dob is None or claim.patient_dob > claim.date_of_service:
            return
        age = age_on(claim.patient_dob, claim.date_of_service)
        for diagnosis in _diagnoses(context):
            for group in groups_for(diagnosis.code):
                if group.kind == AGE and not group.fits_age(age):
                    yield self._finding(claim, diagnosis, group, age)

    def _finding(
        self, claim: Claim, diagnosis: _Diagnosis, group: DemographicGroup, age: int
    ) -> Finding:
        years = "year" if age == 1 else "years"
        return Finding(
            self.rule_id,
            self.severity,
            f"{diagnosis.code} ({diagnosis.title}) is a {group.label} diagnosis "
            f"({group.bounds}); the patient is {age} {years} old on {claim.date_of_service}.",
            guideline("age"),
            (diagnosis.code,),
            _lines_pointing(claim, diagnosis.positions),
            fix=FIX_AGE,
        )


class SexRule:
    """ICD10CM.SEX: a female-only diagnosis for a male patient, or male-only for a female.

    Patients recorded as U (unknown) or without a sex are never flagged. A line carrying
    modifier KX that points to the diagnosis answers the finding: the provider states
    the service is medically appropriate for this patient.
    """

    rule_id = "ICD10CM.SEX"

    def __init__(self, severity: Severity = Severity.WARNING) -> None:
        self.severity = severity

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per diagnosis whose sex group conflicts with the patient's sex."""
        claim = context.claim
        for diagnosis in _diagnoses(context):
            conflicts = [
                group
                for group in groups_for(diagnosis.code)
                if group.kind == SEX and group.conflicts_with_sex(claim.patient_sex)
            ]
            if not conflicts:
                continue
            if _lines_pointing(claim, diagnosis.positions, SEX_OVERRIDE_MODIFIER):
                continue
            yield self._finding(claim, diagnosis, conflicts[0])

    def _finding(self, claim: Claim, diagnosis: _Diagnosis, group: DemographicGroup) -> Finding:
        recorded = "male" if claim.patient_sex == "M" else "female"
        return Finding(
            self.rule_id,
            self.severity,
            f"{diagnosis.code} ({diagnosis.title}) is a diagnosis for {group.label} patients "
            f"only; the patient is recorded as {recorded}.",
            guideline("sex"),
            (diagnosis.code,),
            _lines_pointing(claim, diagnosis.positions),
            fix=FIX_SEX,
        )
