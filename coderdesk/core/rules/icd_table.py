# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD-10-CM in memory for the rules: every node of a version with its parent and notes."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from coderdesk.core.codes.icd10cm import CodeRef, Note

if TYPE_CHECKING:
    from coderdesk.core.codes.library import CodeSetLibrary, CodeSetVersion


@dataclass(frozen=True)
class PlainRange:
    """A note's code reference as dot-free bounds, compared in one step per code."""

    first: str
    last: str
    exact: bool

    @classmethod
    def of(cls, ref: CodeRef) -> PlainRange:
        """`E10.-` -> E10..E10, `E11.9` -> exactly E119, `C00-C14` -> C00..C14."""
        first = ref.start.replace(".", "")
        if ref.end is not None:
            return cls(first, ref.end.replace(".", ""), exact=False)
        return cls(first, first, exact=not ref.children)

    def covers(self, plain: str) -> bool:
        """Whether a dot-free code falls under the reference (same answer as CodeRef.covers)."""
        if self.exact:
            return plain == self.first
        return self.first <= plain[: len(self.first)] and plain[: len(self.last)] <= self.last


@dataclass(frozen=True)
class InheritedNote:
    """A note that applies to a code, the node it stands on, and its references' bounds."""

    owner: str
    owner_kind: str
    note: Note
    ranges: tuple[PlainRange, ...]

    def covers(self, plain: str) -> bool:
        """Whether any reference of the note covers the dot-free code."""
        return any(r.covers(plain) for r in self.ranges)


# Upper bounds of half-open intervals over dot-free codes: no code character sorts after
# DEL, and a bound of `x + "\0"` admits `x` itself only.
_AFTER_ALL = "\x7f"
_JUST_AFTER = "\x00"
CATEGORY_LENGTH = 3


@dataclass(frozen=True)
class NoteTarget:
    """One code reference of one note, as a half-open interval of dot-free codes."""

    low: str
    high: str
    note: InheritedNote


class TargetIndex:
    """Every reference of one note kind in the tabular, bucketed by 3-character category.

    Answers "which notes name this code" for a claim's codes in a few dictionary look-ups,
    so pair rules (Excludes) cost the same for any claim, without per-code warm-up.
    """

    def __init__(self, notes: list[InheritedNote], categories: list[str]) -> None:
        self._buckets: dict[str, list[NoteTarget]] = {}
        self._named: dict[str, tuple[InheritedNote, ...]] = {}
        for note in notes:
            for r in note.ranges:
                high = r.first + _JUST_AFTER if r.exact else r.last + _AFTER_ALL
                target = NoteTarget(r.first, high, note)
                first = bisect.bisect_left(categories, r.first[:CATEGORY_LENGTH])
                last = bisect.bisect_right(categories, r.last[:CATEGORY_LENGTH])
                for category in categories[first:last]:
                    self._buckets.setdefault(category, []).append(target)

    def naming(self, code: str) -> tuple[InheritedNote, ...]:
        """The notes one of whose references covers the code (answers remembered)."""
        found = self._named.get(code)
        if found is None:
            plain = code.replace(".", "")
            found = self._named[code] = tuple(
                target.note
                for target in self._buckets.get(plain[:CATEGORY_LENGTH], ())
                if target.low <= plain < target.high
            )
        return found


@dataclass(frozen=True)
class IcdNode:
    """One tabular node as the rules need it."""

    code: str
    kind: str
    title: str
    parent: str | None
    billable: bool
    notes: tuple[Note, ...]


def _notes(raw: str) -> tuple[Note, ...]:
    if raw == "[]":
        return ()
    return tuple(
        Note(kind, text, tuple(CodeRef(s, e, c) for s, e, c in refs))
        for kind, text, refs in json.loads(raw)
    )


class IcdTable:
    """All nodes of one ICD-10-CM version, with parent links and children lists."""

    def __init__(self, label: str, nodes: dict[str, IcdNode]) -> None:
        self.label = label
        self.nodes = nodes
        self._own_notes: dict[tuple[str, str], tuple[InheritedNote, ...]] = {}
        self._lineages: dict[str, tuple[IcdNode, ...]] = {}
        self._typed: dict[str, IcdNode | None] = {}
        self._targets: dict[str, TargetIndex] = {}

    @classmethod
    def load(cls, library: CodeSetLibrary, version: CodeSetVersion) -> IcdTable:
        """Read a version from the library (about a second for the full tabular)."""
        cursor = library.db.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT code, kind, title, parent, billable, notes FROM icd_nodes WHERE version_id = ?",
            (version.id,),
        )
        nodes = {c: IcdNode(c, k, t, p, bool(b), _notes(n)) for c, k, t, p, b, n in rows}
        return cls(version.label, nodes)

    @cached_property
    def children(self) -> dict[str, list[str]]:
        """Children of every node, in code order."""
        found: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.parent is not None:
                found.setdefault(node.parent, []).append(node.code)
        for codes in found.values():
            codes.sort()
        return found

    def get(self, code: str) -> IcdNode | None:
        """The node for a code written with or without its dot (remembered as typed)."""
        if code in self._typed:
            return self._typed[code]
        plain = code.replace(".", "").strip().upper()
        node = self.nodes.get(plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}")
        self._typed[code] = node
        return node

    def lineage(self, code: str) -> tuple[IcdNode, ...]:
        """The node and its ancestors, nearest first (remembered per code)."""
        found = self._lineages.get(code)
        if found is None:
            chain = []
            node = self.nodes.get(code)
            while node is not None:
                chain.append(node)
                node = self.nodes.get(node.parent or "")
            found = self._lineages[code] = tuple(chain)
        return found

    def own_notes(self, code: str, kind: str) -> tuple[InheritedNote, ...]:
        """The notes of `kind` with code references standing on this very node."""
        key = (code, kind)
        found = self._own_notes.get(key)
        if found is None:
            node = self.nodes[code]
            found = self._own_notes[key] = tuple(
                InheritedNote(code, node.kind, note, tuple(map(PlainRange.of, note.refs)))
                for note in node.notes
                if note.kind == kind and note.refs
            )
        return found

    def inherited_notes(self, code: str, kind: str) -> list[InheritedNote]:
        """The notes of `kind` with code references on the node and its ancestors, nearest
        first (each node's own notes are prepared once and shared by its descendants)."""
        return [note for node in self.lineage(code) for note in self.own_notes(node.code, kind)]

    def targets(self, kind: str, *, chapter_notes: bool = True) -> TargetIndex:
        """Every note of `kind` by the codes it names (built on first use, about 0.1 s);
        without the chapters' own notes when `chapter_notes` is false."""
        key = kind if chapter_notes else f"{kind}/below-chapter"
        index = self._targets.get(key)
        if index is None:
            notes = [
                n
                for code, node in self.nodes.items()
                if chapter_notes or node.kind != "chapter"
                for n in self.own_notes(code, kind)
            ]
            categories = sorted(c for c, node in self.nodes.items() if node.kind == "category")
            index = self._targets[key] = TargetIndex(notes, categories)
        return index

    def needs_seventh(self, code: str) -> bool:
        """Whether the code is complete only with a 7th character."""
        kids = self.children.get(code, [])
        return bool(kids) and all(len(k.replace(".", "")) == 7 for k in kids)
