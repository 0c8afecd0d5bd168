# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD-10-CM in memory for the rules: every node of a version with its parent and notes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from coderdesk.core.codes.icd10cm import CodeRef, Note

if TYPE_CHECKING:
    from coderdesk.core.codes.library import CodeSetLibrary, CodeSetVersion


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
        """The node for a code written with or without its dot."""
        plain = code.replace(".", "").strip().upper()
        return self.nodes.get(plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}")

    def lineage(self, code: str) -> list[IcdNode]:
        """The node and its ancestors, nearest first."""
        found = []
        node = self.nodes.get(code)
        while node is not None:
            found.append(node)
            node = self.nodes.get(node.parent or "")
        return found

    def needs_seventh(self, code: str) -> bool:
        """Whether the code is complete only with a 7th character."""
        kids = self.children.get(code, [])
        return bool(kids) and all(len(k.replace(".", "")) == 7 for k in kids)
