# SPDX-License-Identifier: GPL-3.0-or-later
"""Claim completeness rules (CMS-1500 / 837P): pointers, counts, identifiers, dates, amounts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    from collections.abc import Iterator

    from coderdesk.core.rules.engine import RuleContext

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
NPI_PREFIX = "80840"


def npi_is_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit of 80840 + the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in NPI_PREFIX + npi[:9]]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == int(npi[9])


def _error(rule: str, message: str, fix: str, lines: tuple[int, ...] = ()) -> Finding:
    return Finding(rule, Severity.ERROR, message, guideline("claim"), (), lines, fix)


class ClaimRule:
    """All completeness checks; each finding carries its own CLAIM.* id."""

    rule_id = "CLAIM"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Every completeness problem of the claim."""
        yield from self._diagnosis_count(context)
        yield from self._lines(context)
        yield from self._identifiers(context)
        yield from self._missing(context)
        yield from self._claim_dates(context)

    @staticmethod
    def _diagnosis_count(context: RuleContext) -> Iterator[Finding]:
        count = len(context.claim.diagnoses)
        if count > MAX_DIAGNOSES:
            yield _error(
                "CLAIM.TOO_MANY_DX",
                f"The claim has {count} diagnoses; at most 12 (A-L).",
                "Keep the 12 that the services need; split the claim if required.",
            )

    def _lines(self, context: RuleContext) -> Iterator[Finding]:
        claim = context.claim
        seen: dict[tuple[object, ...], int] = {}
        for number, line in enumerate(claim.lines, start=1):
            yield from self._pointers(number, line.pointers, len(claim.diagnoses))
            if line.units < 1 or line.units != int(line.units):
                yield _error(
                    "CLAIM.UNITS",
                    f"Line {number}: units must be a whole number, 1 or more.",
                    "Enter the units of service.",
                    (number,),
                )
            if line.charge <= 0:
                yield _error(
                    "CLAIM.CHARGE",
                    f"Line {number}: the charge must be more than 0.",
                    "Enter the line's charge.",
                    (number,),
                )
            yield from self._line_dates(number, line.date_from, line.date_to)
            yield from self._place(number, line.pos, context.tables.places_of_service)
            key = (line.code, line.modifiers, line.date_from, line.pos)
            if key in seen:
                yield _error(
                    "CLAIM.DUPLICATE_LINE",
                    f"Line {number} repeats line {seen[key]} (same code, modifiers and date).",
                    "Combine them with more units, or add the modifier that tells them apart.",
                    (seen[key], number),
                )
            seen.setdefault(key, number)

    @staticmethod
    def _pointers(number: int, pointers: tuple[int, ...], diagnoses: int) -> Iterator[Finding]:
        if not pointers:
            yield _error(
                "CLAIM.POINTER",
                f"Line {number} points to no diagnosis.",
                "Point the line to the diagnoses it treats (A-L).",
                (number,),
            )
        elif len(pointers) > MAX_POINTERS:
            yield _error(
                "CLAIM.POINTER",
                f"Line {number} has {len(pointers)} pointers; at most 4.",
                "Keep the four most relevant diagnoses.",
                (number,),
            )
        bad = [p for p in pointers if not 1 <= p <= diagnoses]
        if bad:
            yield _error(
                "CLAIM.POINTER",
                f"Line {number} points to diagnoses that do not exist: {', '.join(map(str, bad))}.",
                "Point only to listed diagnoses.",
                (number,),
            )

    @staticmethod
    def _place(number: int, pos: str, places: dict[str, str]) -> Iterator[Finding]:
        if not pos.strip():
            yield _error(
                "CLAIM.POS",
                f"Line {number} has no place of service.",
                "Enter the two-digit place-of-service code (11 for the office).",
                (number,),
            )
        elif pos.strip() not in places:
            yield _error(
                "CLAIM.POS",
                f"Line {number}: '{pos}' is not a place-of-service code.",
                "Use a code from the CMS place-of-service list (11 office, 22 outpatient "
                "hospital, 23 emergency room...).",
                (number,),
            )

    @staticmethod
    def _line_dates(number: int, start: dt.date | None, end: dt.date | None) -> Iterator[Finding]:
        today = dt.date.today()
        if start and end and start > end:
            yield _error(
                "CLAIM.DATES",
                f"Line {number}: the service starts after it ends.",
                "Correct the from and to dates.",
                (number,),
            )
        if any(d and d > today for d in (start, end)):
            yield _error(
                "CLAIM.DATES",
                f"Line {number}: a date of service is in the future.",
                "Services are billed after they happen.",
                (number,),
            )

    @staticmethod
    def _claim_dates(context: RuleContext) -> Iterator[Finding]:
        claim = context.claim
        if claim.date_of_service > dt.date.today():
            yield _error(
                "CLAIM.DATES",
                "The date of service is in the future.",
                "Services are billed after they happen; correct the date.",
            )
        if claim.patient_dob is not None and claim.patient_dob > claim.date_of_service:
            yield _error(
                "CLAIM.DATES",
                "The patient's date of birth is after the date of service.",
                "Correct the date of birth or the date of service.",
            )

    @staticmethod
    def _identifiers(context: RuleContext) -> Iterator[Finding]:
        claim = context.claim
        for who, provider in (
            ("billing", claim.billing_provider),
            ("rendering", claim.rendering_provider),
        ):
            npi = str(provider.get("npi", "") or "")
            if npi and not npi_is_valid(npi):
                yield _error(
                    "CLAIM.NPI",
                    f"The {who} provider's NPI {npi} is not valid "
                    "(10 digits with a Luhn check digit).",
                    "Check the NPI in the NPPES record.",
                )
        tax_id = str(claim.billing_provider.get("tax_id", "") or "").replace("-", "")
        if tax_id and (len(tax_id) != 9 or not tax_id.isdigit()):
            yield _error(
                "CLAIM.TAX_ID",
                "The billing provider's tax ID must have 9 digits.",
                "Enter the EIN or SSN without letters.",
            )

    @staticmethod
    def _missing(context: RuleContext) -> Iterator[Finding]:
        claim = context.claim
        required = {
            "patient date of birth": claim.patient_dob,
            "patient sex": claim.patient_sex in ("F", "M", "U") and claim.patient_sex,
            "subscriber ID": claim.subscriber.get("id"),
            "payer": claim.payer.get("name") or claim.payer.get("id"),
            "billing provider NPI": claim.billing_provider.get("npi"),
            "billing provider tax ID": claim.billing_provider.get("tax_id"),
            "a diagnosis": claim.diagnoses,
            "a service line": claim.lines,
        }
        for name, value in required.items():
            if not value:
                yield _error("CLAIM.MISSING", f"The claim lacks {name}.", f"Add {name}.")
