# SPDX-License-Identifier: GPL-3.0-or-later
"""The claim interchange format (JSON) that `validate` and `export` read.

Shape errors are collected, not raised one at a time, so a user sees every problem of a
file at once. Content rules (is the NPI valid, is the code billable) are findings of the
rules engine, not shape errors: a claim with a bad NPI still parses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from coderdesk.core.errors import CoderDeskError


class ClaimFormatError(CoderDeskError):
    """The claim file is not in the interchange format; the message lists each problem."""


@dataclass(frozen=True)
class ClaimLine:
    """One service line."""

    code: str
    modifiers: tuple[str, ...]
    units: float
    pointers: tuple[int, ...]
    charge: float
    pos: str
    date_from: dt.date | None
    date_to: dt.date | None


def address_parts(address: object) -> tuple[str, str, str, str]:
    """(street, city, state, postal code) of an address written either way the claim
    format allows: an object with line/city/state/postal_code, or "line, city, ST, zip"."""
    if isinstance(address, dict):
        return (
            str(address.get("line", "") or ""),
            str(address.get("city", "") or ""),
            str(address.get("state", "") or ""),
            str(address.get("postal_code", "") or ""),
        )
    parts = [p.strip() for p in str(address or "").split(",")]
    line, city, state, postal = (parts + ["", "", "", ""])[:4]
    return line, city, state, postal


def _plain_set(codes: tuple[str, ...]) -> set[str]:
    return {code.replace(".", "").upper() for code in codes}


@dataclass(frozen=True)
class Override:
    """A coder's decision to let an error stand, with the reason shown on the claim."""

    rule: str
    codes: tuple[str, ...]
    lines: tuple[int, ...]
    reason: str

    def covers(self, rule: str, codes: tuple[str, ...], lines: tuple[int, ...]) -> bool:
        """Whether this override answers a finding (same rule, codes and lines when given)."""
        return (
            self.rule == rule
            and (not self.codes or _plain_set(self.codes) == _plain_set(codes))
            and (not self.lines or set(self.lines) == set(lines))
        )

    def as_json(self) -> dict[str, Any]:
        """The interchange form."""
        return {
            "rule": self.rule,
            "codes": list(self.codes),
            "lines": list(self.lines),
            "reason": self.reason,
        }


# The insurance programme of the payer: CMS-1500 box 1, and the 837P's claim filing
# indicator (SBR09) for each.
PROGRAMS = {
    "medicare": "MB",
    "medicaid": "MC",
    "tricare": "CH",
    "champva": "VA",
    "group": "CI",
    "feca": "FI",
    "other": "CI",
}
DEFAULT_PROGRAM = "other"


@dataclass(frozen=True)
class Claim:
    """A claim as the rules see it."""

    date_of_service: dt.date
    patient: dict[str, Any]
    subscriber: dict[str, Any]
    payer: dict[str, Any]
    billing_provider: dict[str, Any]
    rendering_provider: dict[str, Any]
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    patient_dob: dt.date | None = None
    patient_sex: str = ""
    overrides: tuple[Override, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def program(self) -> str:
        """The payer's programme (box 1): medicare, medicaid, ..., other."""
        return str(self.payer.get("program") or DEFAULT_PROGRAM).lower()


class _Reader:
    """Reads fields while collecting every shape problem."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def date(self, value: Any, where: str, required: bool = True) -> dt.date | None:
        if value in (None, ""):
            if required:
                self.problems.append(f"{where} is missing")
            return None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problems.append(f"{where} is not a date (YYYY-MM-DD)")
            return None

    def obj(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(f"'{key}' must be an object")
            return {}
        return value

    def number(self, value: Any, where: str, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.append(f"{where} must be a number")
            return default
        return float(value)

    def line(self, raw: Any, number: int) -> ClaimLine | None:
        where = f"line {number}"
        if not isinstance(raw, dict):
            self.problems.append(f"{where} must be an object")
            return None
        modifiers = raw.get("modifiers", [])
        pointers = raw.get("pointers", [])
        if not isinstance(modifiers, list) or not all(isinstance(m, str) for m in modifiers):
            self.problems.append(f"{where}: 'modifiers' must be a list of strings")
            modifiers = []
        if not isinstance(pointers, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in pointers
        ):
            self.problems.append(f"{where}: 'pointers' must be a list of numbers (1 = A)")
            pointers = []
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            self.problems.append(f"{where}: 'code' is missing")
            code = ""
        return ClaimLine(
            code=code.strip().upper(),
            modifiers=tuple(m.strip().upper() for m in modifiers),
            units=self.number(raw.get("units"), f"{where}: 'units'", 1.0),
            pointers=tuple(pointers),
            charge=self.number(raw.get("charge"), f"{where}: 'charge'", 0.0),
            pos=str(raw.get("pos", "") or ""),
            date_from=self.date(raw.get("from"), f"{where}: 'from'", required=False),
            date_to=self.date(raw.get("to"), f"{where}: 'to'", required=False),
        )

    def override(self, raw: Any, number: int) -> Override | None:
        where = f"override {number}"
        if not isinstance(raw, dict):
            self.problems.append(f"{where} must be an object")
            return None
        rule, reason = raw.get("rule"), raw.get("reason")
        codes, lines = raw.get("codes", []), raw.get("lines", [])
        if not isinstance(rule, str) or not rule.strip():
            self.problems.append(f"{where}: 'rule' is missing")
        if not isinstance(reason, str) or not reason.strip():
            self.problems.append(f"{where}: 'reason' is missing (an override needs a reason)")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            self.problems.append(f"{where}: 'codes' must be a list of codes")
            codes = []
        if not isinstance(lines, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in lines
        ):
            self.problems.append(f"{where}: 'lines' must be a list of line numbers")
            lines = []
        if not isinstance(rule, str) or not isinstance(reason, str):
            return None
        return Override(
            rule.strip().upper(),
            tuple(c.strip().upper() for c in codes),
            tuple(lines),
            reason.strip(),
        )


def parse_claim(data: Any) -> Claim:
    """Check the shape of a decoded claim JSON object; raise listing every problem."""
    if not isinstance(data, dict):
        raise ClaimFormatError("A claim must be a JSON object.")
    reader = _Reader()
    day = reader.date(data.get("date_of_service"), "'date_of_service'")
    patient = reader.obj(data, "patient")
    diagnoses = data.get("diagnoses", [])
    if not isinstance(diagnoses, list) or not all(isinstance(d, str) for d in diagnoses):
        reader.problems.append("'diagnoses' must be a list of codes")
        diagnoses = []
    raw_lines = data.get("lines", [])
    if not isinstance(raw_lines, list):
        reader.problems.append("'lines' must be a list")
        raw_lines = []
    lines = [reader.line(raw, n) for n, raw in enumerate(raw_lines, start=1)]
    raw_overrides = data.get("overrides", [])
    if not isinstance(raw_overrides, list):
        reader.problems.append("'overrides' must be a list")
        raw_overrides = []
    overrides = [reader.override(raw, n) for n, raw in enumerate(raw_overrides, start=1)]
    claim = Claim(
        date_of_service=day or dt.date.min,
        patient=patient,
        subscriber=reader.obj(data, "subscriber"),
        payer=reader.obj(data, "payer"),
        billing_provider=reader.obj(data, "billing_provider"),
        rendering_provider=reader.obj(data, "rendering_provider"),
        diagnoses=tuple(d.strip().upper() for d in diagnoses),
        lines=tuple(line for line in lines if line is not None),
        patient_dob=reader.date(patient.get("dob"), "'patient.dob'", required=False),
        patient_sex=str(patient.get("sex", "") or "").upper(),
        overrides=tuple(o for o in overrides if o is not None),
    )
    if str(claim.payer.get("program") or DEFAULT_PROGRAM).lower() not in PROGRAMS:
        reader.problems.append(f"'payer.program' must be one of {', '.join(PROGRAMS)}")
    if reader.problems:
        raise ClaimFormatError(
            "The claim is not in the expected format: " + "; ".join(reader.problems) + "."
        )
    return claim
