# SPDX-License-Identifier: GPL-3.0-or-later
"""Read side of the code-set library: a code's tabular detail, and walking the index.

Every answer uses the version in force on the date asked for. A code's notes come with
the level they stand on (its own, its subcategory's, category's, block's, chapter's),
since a note binds everything below it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.icd10cm import CHAPTER
from coderdesk.core.errors import NotFound
from coderdesk.core.search.analysis import normalise_code

if TYPE_CHECKING:
    import datetime as dt

    from coderdesk.core.codes.library import CodeSetLibrary, CodeSetVersion

NEOPLASM_COLUMNS = {
    2: "Malignant primary",
    3: "Malignant secondary",
    4: "Carcinoma in situ",
    5: "Benign",
    6: "Uncertain behavior",
    7: "Unspecified behavior",
}
DRUG_COLUMNS = {
    2: "Poisoning, accidental (unintentional)",
    3: "Poisoning, intentional self-harm",
    4: "Poisoning, assault",
    5: "Poisoning, undetermined",
    6: "Adverse effect",
    7: "Underdosing",
}
TABLE_COLUMNS = {"icd10cm-neoplasm": NEOPLASM_COLUMNS, "icd10cm-drug": DRUG_COLUMNS}


@dataclass(frozen=True)
class CodeRefView:
    """A code reference parsed out of a note."""

    start: str
    end: str | None
    children: bool


@dataclass(frozen=True)
class NoteView:
    """An instructional note and the level it comes from."""

    kind: str
    text: str
    source: str
    level: str
    refs: tuple[CodeRefView, ...]


@dataclass(frozen=True)
class Seventh:
    """One valid 7th character of a code: the character, the complete code, its meaning."""

    char: str
    code: str
    meaning: str


@dataclass(frozen=True)
class CodeDetail:
    """Everything the tabular detail pane and `coderdesk code` show for one code."""

    code: str
    system: str
    title: str
    billable: bool
    kind: str
    version: str
    path: tuple[dict[str, str], ...] = ()
    notes: tuple[NoteView, ...] = ()
    children: tuple[dict[str, Any], ...] = ()
    seventh_characters: tuple[Seventh, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def requires_seventh(self) -> bool:
        """Whether the code is complete only with a 7th character."""
        return bool(self.seventh_characters)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the `coderdesk code --json` contract)."""
        data = asdict(self)
        data["requires_seventh"] = self.requires_seventh
        return data


@dataclass(frozen=True)
class IndexEntry:
    """One term of an index or table, for the index walk."""

    id: int
    title: str
    nemod: str
    level: int
    code: str | None
    manif: str | None
    see: str | None
    see_also: str | None
    has_children: bool
    cells: dict[str, str] = field(default_factory=dict)


def _note_views(raw: str, source: str, level: str) -> list[NoteView]:
    return [
        NoteView(kind, text, source, level, tuple(CodeRefView(s, e, c) for s, e, c in refs))
        for kind, text, refs in json.loads(raw)
    ]


class Catalog:
    """Answers questions about codes and index terms for a date of service."""

    def __init__(self, library: CodeSetLibrary) -> None:
        self.library = library

    def _version(self, system: str, day: dt.date | None) -> CodeSetVersion:
        version = self.library.version_for(system, day)
        if version is None:
            raise NotFound(f"No {system} code set is loaded; import one first.")
        return version

    # -- codes ---------------------------------------------------------------------------

    def detail(self, code: str, day: dt.date | None = None) -> CodeDetail:
        """The detail of an ICD-10-CM, HCPCS or CPT code in force on `day`."""
        icd = self._icd_row(code, day)
        if icd is not None:
            return self._icd_detail(icd, day)
        for finder in (self._hcpcs_detail, self._cpt_detail):
            found = finder(code, day)
            if found is not None:
                return found
        raise NotFound(f"{code.strip().upper()} is not a code in the code sets in force.")

    def _icd_row(self, code: str, day: dt.date | None) -> Any:
        version = self.library.version_for("icd10cm", day)
        if version is None:
            return None
        plain = normalise_code(code)
        formatted = plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}"
        row = self.library.db.execute(
            "SELECT *, ? AS label FROM icd_nodes WHERE version_id = ? AND code = ?",
            (version.label, version.id, formatted),
        ).fetchone()
        return row if row is not None and row["kind"] != CHAPTER else None

    def _node(self, version_id: int, code: str) -> Any:
        return self.library.db.execute(
            "SELECT * FROM icd_nodes WHERE version_id = ? AND code = ?", (version_id, code)
        ).fetchone()

    def _icd_detail(self, row: Any, day: dt.date | None) -> CodeDetail:
        version_id = row["version_id"]
        chain = [row]
        while chain[-1]["parent"] is not None:
            chain.append(self._node(version_id, chain[-1]["parent"]))
        notes = [
            note
            for node in chain
            for note in _note_views(node["notes"], node["code"], _level(node, row))
        ]
        children = self.library.db.execute(
            "SELECT code, title, billable, kind FROM icd_nodes WHERE version_id = ? AND parent = ?"
            " ORDER BY ord",
            (version_id, row["code"]),
        ).fetchall()
        return CodeDetail(
            code=row["code"],
            system="icd10cm",
            title=row["title"],
            billable=bool(row["billable"]),
            kind=row["kind"],
            version=row["label"],
            path=tuple(
                {"code": n["code"], "title": n["title"], "kind": n["kind"]}
                for n in reversed(chain[1:])
            ),
            notes=tuple(notes),
            children=tuple(
                {"code": c["code"], "title": c["title"], "billable": bool(c["billable"])}
                for c in children
            ),
            seventh_characters=self._sevenths(row, chain, children),
        )

    @staticmethod
    def _sevenths(row: Any, chain: list[Any], children: list[Any]) -> tuple[Seventh, ...]:
        meanings: dict[str, str] = {}
        for node in chain:
            meanings = json.loads(node["seven_chr"])
            if meanings:
                break
        base = row["code"].replace(".", "")
        return tuple(
            Seventh(c["code"][-1], c["code"], meanings.get(c["code"][-1], ""))
            for c in children
            if meanings and len(c["code"].replace(".", "")) == 7 and len(base) < 7
        )

    def _hcpcs_detail(self, code: str, day: dt.date | None) -> CodeDetail | None:
        version = self.library.version_for("hcpcs", day)
        if version is None:
            return None
        row = self.library.db.execute(
            "SELECT * FROM hcpcs_codes WHERE version_id = ? AND code = ? AND is_modifier = 0",
            (version.id, normalise_code(code)),
        ).fetchone()
        if row is None:
            return None
        details = {
            k: row[k]
            for k in (
                "short_description",
                "add_date",
                "effective_date",
                "termination_date",
                "action",
            )
        }
        return CodeDetail(
            row["code"],
            "hcpcs",
            row["long_description"],
            True,
            "code",
            version.label,
            details=details,
        )

    def _cpt_detail(self, code: str, day: dt.date | None) -> CodeDetail | None:
        version = self.library.version_for("cpt", day)
        if version is None:
            return None
        row = self.library.db.execute(
            "SELECT * FROM cpt_codes WHERE version_id = ? AND code = ?",
            (version.id, normalise_code(code)),
        ).fetchone()
        if row is None:
            return None
        return CodeDetail(row["code"], "cpt", row["descriptor"], True, "code", version.label)

    # -- the index walk -------------------------------------------------------------------

    def main_terms(
        self, prefix: str = "", system: str = "icd10cm-index", limit: int = 200
    ) -> list[IndexEntry]:
        """Main terms whose title starts with `prefix` (case-insensitive), alphabetically."""
        version = self._version(system, None)
        rows = self.library.db.execute(
            "SELECT * FROM index_terms WHERE version_id = ? AND level = 0"
            " AND title LIKE ? ESCAPE '\\' ORDER BY title LIMIT ?",
            (version.id, _like_prefix(prefix), limit),
        ).fetchall()
        return [self._entry(version.id, r) for r in rows]

    def subterms(self, term_id: int, system: str = "icd10cm-index") -> list[IndexEntry]:
        """The terms one level below `term_id`, in index order."""
        version = self._version(system, None)
        rows = self.library.db.execute(
            "SELECT * FROM index_terms WHERE version_id = ? AND parent_id = ? ORDER BY id",
            (version.id, term_id),
        ).fetchall()
        return [self._entry(version.id, r) for r in rows]

    def follow(self, reference: str, system: str = "icd10cm-index") -> IndexEntry | None:
        """The term a `see` / `see also` points at: "Pain, abdominal" -> Pain > abdominal."""
        parts = [p.strip() for p in reference.split(",") if p.strip()]
        if not parts:
            return None
        version = self._version(system, None)
        row = self.library.db.execute(
            "SELECT * FROM index_terms WHERE version_id = ? AND level = 0 AND lower(title) = ?",
            (version.id, parts[0].lower()),
        ).fetchone()
        for part in parts[1:]:
            if row is None:
                break
            below = self.library.db.execute(
                "SELECT * FROM index_terms WHERE version_id = ? AND parent_id = ?"
                " AND lower(title) = ?",
                (version.id, row["id"], part.lower()),
            ).fetchone()
            row = below or row
        return self._entry(version.id, row) if row is not None else None

    def _entry(self, version_id: int, row: Any) -> IndexEntry:
        has_children = (
            self.library.db.execute(
                "SELECT 1 FROM index_terms WHERE version_id = ? AND parent_id = ? LIMIT 1",
                (version_id, row["id"]),
            ).fetchone()
            is not None
        )
        cells = json.loads(row["cells"]) if row["cells"] else {}
        return IndexEntry(
            row["id"],
            row["title"],
            row["nemod"],
            row["level"],
            row["code"],
            row["manif"],
            row["see"],
            row["see_also"],
            has_children,
            cells,
        )


def _level(node: Any, asked: Any) -> str:
    if node["code"] == asked["code"]:
        return "own"
    return str(node["kind"])


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
