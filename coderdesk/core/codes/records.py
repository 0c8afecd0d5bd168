# SPDX-License-Identifier: GPL-3.0-or-later
"""The records release-file parsers yield, and the error they raise on bad input.

Parsers are pure: a file in, an iterator of these frozen records out, streaming (a
real NCCI file has millions of rows). Storing them is the code-set library's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coderdesk.core.errors import CoderDeskError

if TYPE_CHECKING:
    import datetime as dt


class ImportFormatError(CoderDeskError):
    """A release file is not in the expected layout; the message names file and line."""


@dataclass(frozen=True)
class HcpcsRecord:
    """One HCPCS Level II code or Level II modifier, continuation lines joined."""

    code: str
    long_description: str
    short_description: str
    is_modifier: bool
    add_date: dt.date | None = None
    effective_date: dt.date | None = None
    termination_date: dt.date | None = None
    action: str = ""


@dataclass(frozen=True)
class CptRecord:
    """One CPT code from the user's licensed file (Category I, II or III)."""

    code: str
    descriptor: str


@dataclass(frozen=True)
class PtpEdit:
    """One NCCI procedure-to-procedure edit row (practitioner file)."""

    column1: str
    column2: str
    prior_1996: bool
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: (
        int  # 0 never allowed, 1 allowed with an NCCI-associated modifier, 9 deleted
    )
    rationale: str


@dataclass(frozen=True)
class MueValue:
    """One MUE practitioner value."""

    code: str
    value: int
    adjudication_indicator: (
        int  # 1 line edit, 2 date of service (policy), 3 date of service (clinical)
    )
    indicator_text: str
    rationale: str


@dataclass(frozen=True)
class IndexTerm:
    """One term of an ICD-10-CM index or table, in document order.

    `level` 0 is a main term; `parent_id` points at the term one level up. Codes are as
    the index prints them (`E11.9`, `S72.0-`); `cells` maps a table column number to
    its code (Neoplasm and Drug tables; `--` cells are left out).
    """

    id: int
    parent_id: int | None
    level: int
    letter: str
    title: str
    nemod: str = ""
    code: str | None = None
    manif: str | None = None
    see: str | None = None
    see_also: str | None = None
    cells: dict[int, str] = field(default_factory=dict)
