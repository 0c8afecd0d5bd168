# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-code search documents built from the code-set library (public data only).

An ICD-10-CM document carries the code's title, its category and subcategory titles,
its inclusion terms, the Alphabetic Index paths that lead to it, and the dictionary's
other phrasings of its words. 7th-character codes are not documents of their own: a
search shows the code that needs the 7th character, and the encoder completes it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.catalog import TABLE_COLUMNS
from coderdesk.core.codes.icd10cm import BLOCK, CHAPTER
from coderdesk.core.search.analysis import load_dictionary, words
from coderdesk.core.search.rerank import read_sense

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from coderdesk.core.codes.library import CodeSetLibrary, CodeSetVersion

INDEX_SYSTEMS = ("icd10cm-index", "icd10cm-eindex", "icd10cm-neoplasm", "icd10cm-drug")


@dataclass(frozen=True)
class SearchDocument:
    """What the search index holds for one code."""

    code: str
    system: str
    title: str
    billable: bool
    kind: str
    context: str = ""
    inclusion: str = ""
    index_terms: str = ""
    synonyms: str = ""
    index_paths: tuple[str, ...] = ()
    # Each inclusion term is also scored as a title of its own: it names the code as
    # fully as the title does (A36.0 is "Tonsillar diphtheria" as much as it is
    # "Pharyngeal diphtheria").
    inclusion_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class IcdRow:
    """The library's row for one ICD-10-CM node, as documents need it."""

    code: str
    kind: str
    title: str
    parent: str | None
    billable: bool
    inclusion: tuple[str, ...]
    references: tuple[tuple[str, str], ...]  # (note text, single code it names)
    includes: tuple[str, ...] = ()  # a header's "includes" note


def load_icd_rows(library: CodeSetLibrary, version: CodeSetVersion) -> dict[str, IcdRow]:
    """Every node of an ICD-10-CM version, by code, in tabular order."""
    rows = library.db.execute(
        "SELECT code, kind, title, parent, billable, notes FROM icd_nodes WHERE version_id = ?"
        " ORDER BY ord",
        (version.id,),
    )
    return {r["code"]: _icd_row(r) for r in rows}


def _icd_row(row: sqlite3.Row) -> IcdRow:
    """One node, its notes read once."""
    notes = json.loads(row["notes"])
    billable = bool(row["billable"])
    return IcdRow(
        row["code"],
        row["kind"],
        row["title"],
        row["parent"],
        billable,
        _inclusion_terms(notes, billable),
        tuple(
            (text, start)
            for _kind, text, refs in notes
            for start, end, _children in refs
            if end is None
        ),
        () if billable else _notes_of_kind(notes, ("includes",)),
    )


def _inclusion_terms(notes: list[list[Any]], billable: bool) -> tuple[str, ...]:
    """A code's inclusion terms; a billable code's "includes" note names it as they do
    (I10's "hypertension (arterial) (benign) (essential)")."""
    kinds = ("inclusionTerm", "includes") if billable else ("inclusionTerm",)
    return _notes_of_kind(notes, kinds)


def _notes_of_kind(notes: list[list[Any]], kinds: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(text for kind, text, _refs in notes if kind in kinds)


def default_children(rows: dict[str, IcdRow]) -> dict[str, str]:
    """For each header with an "includes" note or inclusion terms, the code under it
    that is the header itself, saying nothing more but what it leaves unsaid: E11 "Type 2
    diabetes mellitus" has E11.9 "... without complications". What the header includes
    names that code."""
    children: dict[str, list[IcdRow]] = defaultdict(list)
    for row in rows.values():
        if row.parent:
            children[row.parent].append(row)
    found: dict[str, str] = {}
    for row in rows.values():
        if (row.includes or row.inclusion) and row.kind not in (CHAPTER, BLOCK):
            said = read_sense(row.title).said
            pending = list(children.get(row.code, ()))
            while pending:
                under = pending.pop(0)
                if under.billable and read_sense(under.title).said == said:
                    found[row.code] = under.code
                    break
                pending += children.get(under.code, ())
    return found


def _is_seventh_expansion(row: IcdRow, rows: dict[str, IcdRow]) -> bool:
    parent = rows.get(row.parent or "")
    return len(row.code.replace(".", "")) == 7 and parent is not None and not parent.billable


def _context(row: IcdRow, rows: dict[str, IcdRow]) -> str:
    """The titles and inclusion terms of the codes above `row` (not blocks or chapters):
    a category's inclusion terms hold for every code under it."""
    titles = []
    parent = rows.get(row.parent or "")
    while parent is not None and parent.kind not in (CHAPTER, BLOCK):
        titles += [parent.title, *parent.inclusion]
        parent = rows.get(parent.parent or "")
    return " | ".join(titles)


def resolve_index_code(code: str, known: dict[str, IcdRow]) -> str | None:
    """The tabular node an index code points at (`M86.06-` -> `M86.06`, `S09.90XA` -> `S09.90`)."""
    plain = code.strip().rstrip("-").rstrip(".").replace(".", "").upper()
    while len(plain) >= 3:
        formatted = plain if len(plain) == 3 else f"{plain[:3]}.{plain[3:]}"
        if formatted in known:
            return formatted
        plain = plain[:-1]
    return None


_REF_TEXT = re.compile(r"\([^)]*\)|\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z-]{1,5})?-?")


def mentions(rows: dict[str, IcdRow]) -> dict[str, list[str]]:
    """For each code, the words other codes' notes use when they point at it.

    An Excludes note under one code ("gonococcal conjunctivitis (A54.31)") describes the
    code it names in plain words: the tabular's own cross-references, used as synonyms.
    """
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows.values():
        for text, target in row.references:
            code = resolve_index_code(target, rows)
            if code is not None and code != row.code:
                found[code].append(_REF_TEXT.sub(" ", text))
    return found


def index_paths(library: CodeSetLibrary, known: dict[str, IcdRow]) -> dict[str, list[str]]:
    """For each tabular code, the Alphabetic Index and table paths that lead to it."""
    found: dict[str, list[str]] = defaultdict(list)
    for system in INDEX_SYSTEMS:
        version = library.version_for(system)
        if version is not None:
            _collect_paths(library, version, known, found)
    return found


def _heading_names(system: str) -> dict[str, str]:
    columns = TABLE_COLUMNS.get(system, {})
    return {str(col): " ".join(words(name)) for col, name in columns.items()}


def _collect_paths(
    library: CodeSetLibrary,
    version: CodeSetVersion,
    known: dict[str, IcdRow],
    found: dict[str, list[str]],
) -> None:
    headings = _heading_names(version.system)
    titles: dict[int, str] = {}
    rows = library.db.execute(
        "SELECT id, parent_id, title, nemod, code, cells FROM index_terms WHERE version_id = ?"
        " ORDER BY id",
        (version.id,),
    )
    for row in rows:
        own = f"{row['title']} {row['nemod']}".strip()
        path = f"{titles[row['parent_id']]} {own}" if row["parent_id"] in titles else own
        titles[row["id"]] = path
        for code, suffix in _term_codes(row["code"], row["cells"], headings):
            target = resolve_index_code(code, known)
            if target is not None:
                found[target].append(f"{path} {suffix}".strip())


def _term_codes(
    code: str | None, cells: str | None, headings: dict[str, str]
) -> Iterator[tuple[str, str]]:
    if code:
        yield code, ""
    if cells:
        for column, cell_code in json.loads(cells).items():
            yield cell_code, headings.get(column, "")


def icd_documents(library: CodeSetLibrary, version: CodeSetVersion) -> Iterator[SearchDocument]:
    """Search documents for every ICD-10-CM node but chapters and 7th-character codes."""
    rows = load_icd_rows(library, version)
    paths = index_paths(library, rows)
    mentioned = mentions(rows)
    dictionary = load_dictionary()
    named_by_header: dict[str, list[str]] = defaultdict(list)
    for header, default in default_children(rows).items():
        named_by_header[default] += [*rows[header].includes, *rows[header].inclusion]
    for row in rows.values():
        if row.kind == CHAPTER or _is_seventh_expansion(row, rows):
            continue
        row_paths = tuple(dict.fromkeys(paths.get(row.code, ())))
        terms = " | ".join(row_paths)
        yield SearchDocument(
            code=row.code,
            system="icd10cm",
            title=row.title,
            billable=row.billable,
            kind=row.kind,
            context=_context(row, rows),
            inclusion=" | ".join(row.inclusion),
            index_terms=terms,
            index_paths=row_paths,
            synonyms=" | ".join(
                [
                    *dictionary.synonyms_of(f"{row.title} {' '.join(row.inclusion)}"),
                    *mentioned.get(row.code, ()),
                ]
            ),
            inclusion_titles=tuple(dict.fromkeys([*row.inclusion, *named_by_header[row.code]])),
        )


def hcpcs_documents(library: CodeSetLibrary, version: CodeSetVersion) -> Iterator[SearchDocument]:
    """Search documents for HCPCS Level II codes (modifiers are not searched as codes)."""
    rows = library.db.execute(
        "SELECT code, long_description, short_description FROM hcpcs_codes"
        " WHERE version_id = ? AND is_modifier = 0 ORDER BY code",
        (version.id,),
    )
    for row in rows:
        yield SearchDocument(
            row["code"],
            "hcpcs",
            row["long_description"],
            True,
            "code",
            inclusion=row["short_description"],
        )


def cpt_documents(library: CodeSetLibrary, version: CodeSetVersion) -> Iterator[SearchDocument]:
    """Search documents for the user's licensed CPT codes."""
    rows = library.db.execute(
        "SELECT code, descriptor FROM cpt_codes WHERE version_id = ? ORDER BY code", (version.id,)
    )
    for row in rows:
        yield SearchDocument(row["code"], "cpt", row["descriptor"], True, "code")


def all_documents(library: CodeSetLibrary) -> Iterator[SearchDocument]:
    """Documents for every code system in force today."""
    builders = {"icd10cm": icd_documents, "hcpcs": hcpcs_documents, "cpt": cpt_documents}
    for system, build in builders.items():
        version = library.version_for(system)
        if version is not None:
            yield from build(library, version)
