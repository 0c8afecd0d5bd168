# SPDX-License-Identifier: GPL-3.0-or-later
"""Code lists and ranges as rule tables write them: "99202-99499", "M17.1-", "Z3A", "J1100".

An entry is a code or the start of one (it covers every code it begins: "Z3A" covers
Z3A.38), or a range "A-B" covering every code that sorts between A and B when each side
is compared on its own length ("N40-N53" covers N52.01; "10004-69990" covers 20610).
Dots and a trailing "-" or ".-" (the tabular's "and its subdivisions") are ignored.
"""

from __future__ import annotations

import bisect
import itertools

from coderdesk.core.errors import CoderDeskError

# Sorts after every character a code may hold.
_AFTER_ALL = "\x7f"


class RuleTableError(CoderDeskError):
    """A rule table (ours or the user's) is malformed; the message names the entry."""


def plain(code: str) -> str:
    """A code without dot, spaces or subdivision marker, in capitals."""
    return code.strip().upper().replace(".", "").rstrip("-")


def _is_code_text(text: str) -> bool:
    return bool(text) and text.isalnum() and text.isascii()


class CodeMatcher:
    """Membership test for a list of code entries; built once, asked many times."""

    def __init__(self, entries: list[str], where: str = "rule table") -> None:
        self.entries = tuple(entries)
        prefixes: set[str] = set()
        ranges: list[tuple[str, str]] = []
        for entry in entries:
            if not isinstance(entry, str):
                raise RuleTableError(f"{where}: {entry!r} is not a code or range (text).")
            start, dash, end = entry.partition("-")
            start, end = plain(start), plain(end)
            if dash and end:
                if not (_is_code_text(start) and _is_code_text(end)) or end[: len(start)] < start:
                    raise RuleTableError(f"{where}: '{entry}' is not a valid code range.")
                ranges.append((start, end))
            elif _is_code_text(start):
                prefixes.add(start)
            else:
                raise RuleTableError(f"{where}: '{entry}' is not a valid code.")
        self._prefixes = frozenset(prefixes)
        # The first characters any entry can match: most codes are ruled out by this.
        self._initials = frozenset(p[0] for p in prefixes) | {
            chr(c) for low, high in ranges for c in range(ord(low[0]), ord(high[0]) + 1)
        }
        self._lengths = sorted({len(p) for p in prefixes})
        # Each range as the half-open interval [start, end + DEL) of dot-free codes,
        # sorted by start, with the furthest end reached so far: a look-up walks back
        # only over ranges that can still reach the code.
        spans = sorted((low, high + _AFTER_ALL) for low, high in ranges)
        self._starts = [low for low, _ in spans]
        self._ends = [high for _, high in spans]
        self._reach = list(itertools.accumulate(self._ends, max))
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
        if not key or key[0] not in self._initials:
            return False
        for length in self._lengths:
            if length > len(key):
                break
            if key[:length] in self._prefixes:
                return True
        at = bisect.bisect_right(self._starts, key) - 1
        while at >= 0 and self._reach[at] > key:
            if self._ends[at] > key:
                return True
            at -= 1
        return False

    def may_cover_under(self, stem: str) -> bool:
        """Whether some code starting with `stem` (dot-free) could be in the list."""
        if any(stem.startswith(p) or p.startswith(stem) for p in self._prefixes):
            return True
        top = stem + _AFTER_ALL
        return any(
            low < top and high > stem for low, high in zip(self._starts, self._ends, strict=True)
        )

    def __bool__(self) -> bool:
        return bool(self.entries)
