# SPDX-License-Identifier: GPL-3.0-or-later
"""Imported reference data the procedure rules consult: NCCI, MUE, HCPCS, CPT.

Each look-up takes the date of service and reads the version in force that day. Nothing
here is required: with no NCCI, MUE, HCPCS or CPT release imported, the look-ups answer
"unknown" (None) and the rules that need them stay silent rather than guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from coderdesk.core.codes.library import CodeSetLibrary, CodeSetVersion


@dataclass(frozen=True)
class PtpRow:
    """An NCCI PTP edit as stored, with the release it comes from."""

    column1: str
    column2: str
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: int
    rationale: str
    release: str

    def applies_on(self, day: dt.date) -> bool:
        """In force on `day`: effective by then and not yet deleted (deletion day excluded)."""
        return self.effective <= day and (self.deletion is None or day < self.deletion)


@dataclass(frozen=True)
class MueRow:
    """An MUE value as stored, with the release it comes from."""

    code: str
    value: int
    adjudication_indicator: int
    indicator_text: str
    rationale: str
    release: str


@dataclass(frozen=True)
class ProcedureCode:
    """A CPT or HCPCS code known to an imported release, with its dates when given."""

    code: str
    description: str
    system: str
    termination: dt.date | None = None


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class ReferenceData:
    """Date-aware look-ups over the code-set library; versions are resolved once per day."""

    def __init__(self, library: CodeSetLibrary) -> None:
        self.library = library
        self._versions: dict[tuple[str, dt.date], CodeSetVersion | None] = {}
        self._mue: dict[int, dict[str, MueRow]] = {}

    def version(self, system: str, day: dt.date) -> CodeSetVersion | None:
        """The imported version of `system` in force on `day`, or None when none is loaded."""
        key = (system, day)
        if key not in self._versions:
            self._versions[key] = self.library.version_for(system, day)
        return self._versions[key]

    def has(self, system: str, day: dt.date) -> bool:
        """Whether a release of `system` is loaded for `day`."""
        return self.version(system, day) is not None

    def ptp_edits(self, codes: Collection[str], day: dt.date) -> list[PtpRow]:
        """Every PTP edit between two of `codes` in the release in force on `day`.

        One indexed query per claim: a real file has millions of rows over some 10,000
        codes, so nothing is held in memory. Rows are not filtered by their own dates: a
        claim's lines may carry different dates, so the caller asks `applies_on` with
        each line's date.
        """
        version = self.version("ncci-ptp", day)
        if version is None or len(codes) < 2:
            return []
        marks = ",".join("?" * len(codes))
        rows = self.library.db.execute(
            "SELECT column1, column2, effective, deletion, modifier_indicator, rationale"
            f" FROM ncci_ptp WHERE version_id = ? AND column1 IN ({marks})"
            f" AND column2 IN ({marks})",
            (version.id, *codes, *codes),
        ).fetchall()
        return [
            PtpRow(r[0], r[1], dt.date.fromisoformat(r[2]), _day(r[3]), r[4], r[5], version.label)
            for r in rows
            if r[0] != r[1]
        ]

    def mue(self, code: str, day: dt.date) -> MueRow | None:
        """The MUE value of `code` in force on `day`, if an MUE release is loaded."""
        version = self.version("mue", day)
        if version is None:
            return None
        if version.id not in self._mue:
            # A release holds some 15,000 values: one read, then dictionary look-ups.
            rows = self.library.db.execute(
                "SELECT code, value, adjudication_indicator, indicator_text, rationale FROM mue"
                " WHERE version_id = ?",
                (version.id,),
            )
            self._mue[version.id] = {
                r[0]: MueRow(r[0], r[1], r[2], r[3], r[4], version.label) for r in rows
            }
        return self._mue[version.id].get(code)

    def hcpcs_modifier(self, modifier: str, day: dt.date) -> ProcedureCode | None:
        """A Level II modifier of the HCPCS release in force, if one is loaded."""
        return self._hcpcs(modifier, day, is_modifier=True)

    def hcpcs_code(self, code: str, day: dt.date) -> ProcedureCode | None:
        """A Level II code of the HCPCS release in force, if one is loaded."""
        return self._hcpcs(code, day, is_modifier=False)

    def _hcpcs(self, code: str, day: dt.date, *, is_modifier: bool) -> ProcedureCode | None:
        version = self.version("hcpcs", day)
        if version is None:
            return None
        row = self.library.db.execute(
            "SELECT code, short_description, termination_date FROM hcpcs_codes"
            " WHERE version_id = ? AND is_modifier = ? AND code = ?",
            (version.id, int(is_modifier), code),
        ).fetchone()
        return ProcedureCode(row[0], row[1], version.label, _day(row[2])) if row else None

    def cpt_code(self, code: str, day: dt.date) -> ProcedureCode | None:
        """A code of the user's licensed CPT file in force, if one is imported."""
        version = self.version("cpt", day)
        if version is None:
            return None
        row = self.library.db.execute(
            "SELECT code, descriptor FROM cpt_codes WHERE version_id = ? AND code = ?",
            (version.id, code),
        ).fetchone()
        return ProcedureCode(row[0], row[1], version.label) if row else None
