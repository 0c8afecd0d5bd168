# SPDX-License-Identifier: GPL-3.0-or-later
"""Code lists and ranges as rule tables write them: "99202-99499", "M17.1-", "Z3A", "J1100".

An entry is a code or the start of one (it covers every code it begins: "Z3A" covers
Z3A.38), or a range "A-B" covering every code that sorts between A and B when each side
is compared on its own length ("N40-N53" covers N52.01; "10004-69990" covers 20610).
Dots and a trailing "-" or ".-" (the tabular's "and its subdivisions") are ignored.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from coderdesk.core.errors import CoderDeskError


class RuleTableError(CoderDeskError):
    """A rule table (ours or the user's) is malformed; the message names the entry."""


def plain(code: str) -> str:
    """A code without dot, spaces or subdivision marker, in capitals."""
    return code.strip().upper().replace(".", "").rstrip("-")


def _is_code_text(text: str) -> bool:
    return bool(text) and text.isalnum() and text.isascii()


@dataclass(frozen=True)
class _Range:
    start: str
    end: str

    def covers(self, code: str) -> bool:
        return self.start <= code[: len(self.start)] and code[: len(self.end)] <= self.end


class CodeMatcher:
    """Membership test for a list of code entries; built once, asked many times."""

    def __init__(self, entries: list[str], where: str = "rule table") -> None:
        self.entries = tuple(entries)
        prefixes: set[str] = set()
        ranges: list[_Range] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise RuleTableError(f"{where}: {entry!r} is not a code or range (text).")
            start, dash, end = entry.partition("-")
            start, end = plain(start), plain(end)
            if dash and end:
                if not (_is_code_text(start) and _is_code_text(end)) or end[: len(start)] < start:
                    raise RuleTableError(f"{where}: '{entry}' is not a valid code range.")
                ranges.append(_Range(start, end))
            elif _is_code_text(start):
                prefixes.add(start)
            else:
                raise RuleTableError(f"{where}: '{entry}' is not a valid code.")
        self._prefixes = frozenset(prefixes)
        self._lengths = sorted({len(p) for p in prefixes})
        self._ranges = sorted(ranges, key=lambda r: r.start)
        self._starts = [r.start for r in self._ranges]
        # Claims ask about the same few thousand codes over and over.
        self._memo: dict[str, bool] = {}

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        known = self._memo.get(code)
        if known is None:
            known = self._memo[code] = self._matches(plain(code))
        return known

    def _matches(self, key: str) -> bool:
        if any(key[:n] in self._prefixes for n in self._lengths if n <= len(key)):
            return True
        # Only ranges starting at or before the code can cover it.
        last = bisect.bisect_right(self._starts, key)
        return any(r.covers(key) for r in self._ranges[:last])

    def __bool__(self) -> bool:
        return bool(self.entries)
