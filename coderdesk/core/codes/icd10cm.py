# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD-10-CM Tabular List: parse the CDC XML into nodes, expand 7th characters, resolve notes.

A node is a chapter, a block (section), a category, a subcategory or a code. Notes are
kept where the tabular prints them; `inherited_notes` walks up the tree because a note
binds everything below its level (an Excludes1 at a category binds all its codes). A
code takes the 7th-character definition of its nearest ancestor that has one; such a
code is billable only with its 7th character (placeholder X fills positions 5-6).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from coderdesk.core.codes.records import ImportFormatError
from coderdesk.core.paths import codesets_dir

if TYPE_CHECKING:
    from collections.abc import Iterator
    from xml.etree.ElementTree import Element

NOTE_KINDS = (
    "inclusionTerm",
    "includes",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "sevenChrNote",
    "notes",
)
MAX_TABULAR_BYTES = 64 * 1024 * 1024
PLACEHOLDER = "X"
CHAPTER, BLOCK, CATEGORY, SUBCATEGORY, CODE = "chapter", "block", "category", "subcategory", "code"


@dataclass(frozen=True)
class CodeRef:
    """A code reference inside a note: one code, a code and all below it (`E10.-`), or a range."""

    start: str
    end: str | None = None
    children: bool = False

    def covers(self, code: str) -> bool:
        """Whether `code` (with its dot) falls under this reference."""
        plain, first = code.replace(".", ""), self.start.replace(".", "")
        if self.end is None:
            return plain == first or (self.children and plain.startswith(first))
        last = self.end.replace(".", "")
        return first <= plain[: len(first)] and plain[: len(last)] <= last


@dataclass(frozen=True)
class Note:
    """One instructional note, with the code references found in its text."""

    kind: str
    text: str
    refs: tuple[CodeRef, ...] = ()


@dataclass
class TabularNode:
    """A chapter, block or code of the tabular, with its own notes (not inherited ones)."""

    code: str
    kind: str
    title: str
    parent: str | None
    order: int
    notes: list[Note] = field(default_factory=list)
    seven_chr: dict[str, str] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    billable: bool = False


@dataclass
class Tabular:
    """A whole ICD-10-CM release: nodes by code, in tabular order."""

    version: str
    nodes: dict[str, TabularNode]

    def ancestors(self, code: str) -> list[TabularNode]:
        """The node's ancestors, nearest first, up to its chapter."""
        found = []
        parent = self.nodes[code].parent
        while parent is not None:
            node = self.nodes[parent]
            found.append(node)
            parent = node.parent
        return found

    def inherited_notes(self, code: str) -> list[tuple[TabularNode, Note]]:
        """The code's own notes, then each ancestor's, each paired with the node it stands on."""
        node = self.nodes[code]
        return [(owner, note) for owner in [node, *self.ancestors(code)] for note in owner.notes]

    def seven_chr_for(self, code: str) -> dict[str, str]:
        """The 7th characters that apply to `code` (nearest definition up the tree)."""
        for owner in [self.nodes[code], *self.ancestors(code)]:
            if owner.seven_chr:
                return owner.seven_chr
        return {}

    def billable_codes(self) -> Iterator[TabularNode]:
        """Every billable code, in tabular order."""
        return (n for n in self.nodes.values() if n.billable)


_CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF = re.compile(rf"\b({_CODE})(?:\s*-\s*({_CODE}))?(\.?-)?")


_CATEGORIES = r"[A-Z]\d\d(?:\s*-\s*[A-Z]\d\d)?"
# "(E08-E13 with .39)", "(F10, F13, F19 with .26, .96)", "(E08-E13 with .51-.52)": the
# same subdivisions of several categories, written once.
_WITH = re.compile(rf"({_CATEGORIES}(?:\s*,\s*{_CATEGORIES})*),?\s+with\s+(\.[^)]*)")
_SUFFIX = re.compile(r"\.([0-9A-Z]{1,4})(?:\s*-\s*\.([0-9A-Z]{1,4}))?")


def _categories(text: str) -> list[str]:
    """`E08-E13, F19` -> E08 ... E13, F19 (numbered categories of one letter)."""
    found = []
    for item in re.split(r"\s*,\s*", text.strip()):
        first, _, last = (part.strip() for part in item.partition("-"))
        if last and first[0] == last[0] and first[1:].isdigit() and last[1:].isdigit():
            found += [f"{first[0]}{n:02d}" for n in range(int(first[1:]), int(last[1:]) + 1)]
        else:
            found += [first] + ([last] if last else [])
    return found


def _with_refs(categories: str, suffixes: str) -> list[CodeRef]:
    refs = []
    for category in _categories(categories):
        for match in _SUFFIX.finditer(suffixes):
            start, end = match.group(1), match.group(2)
            refs.append(CodeRef(f"{category}.{start}", f"{category}.{end}" if end else None, True))
    return refs


def parse_refs(text: str) -> tuple[CodeRef, ...]:
    """The code references in a note's text: `E10.-`, `S72.0-`, `P35-P39`, `Z16.1`, and
    `E08-E13 with .39` (E08.39 ... E13.39)."""
    refs: list[CodeRef] = []
    for match in _WITH.finditer(text):
        refs += _with_refs(match.group(1), match.group(2))
    text = _WITH.sub(" ", text)
    for match in _REF.finditer(text):
        start, end, dash = match.group(1), match.group(2), match.group(3)
        if end is not None:
            refs.append(CodeRef(start, end, children=True))
        else:
            refs.append(CodeRef(start.rstrip("."), None, children=bool(dash)))
    return tuple(refs)


def format_code(plain: str) -> str:
    """`S72001A` -> `S72.001A` (a dot after the third character when longer than three)."""
    return plain if len(plain) <= 3 else f"{plain[:3]}.{plain[3:]}"


def with_seventh(code: str, character: str) -> str:
    """A code completed by its 7th character, placeholder X filling up to six characters."""
    plain = code.replace(".", "").ljust(6, PLACEHOLDER)
    return format_code(plain + character)


class _Builder:
    """Walks the XML tree once and fills the node table in tabular order."""

    def __init__(self) -> None:
        self.nodes: dict[str, TabularNode] = {}

    def add(self, node: TabularNode) -> None:
        if node.code in self.nodes:
            raise ImportFormatError(f"The tabular lists {node.code} twice.")
        self.nodes[node.code] = node
        if node.parent is not None:
            self.nodes[node.parent].children.append(node.code)

    def chapter(self, element: Element) -> None:
        number = _text(element, "name")
        code = f"chapter-{number}"
        self.add(TabularNode(code, CHAPTER, _text(element, "desc"), None, len(self.nodes)))
        self.nodes[code].notes.extend(_notes(element))
        for section in element.findall("section"):
            self.section(section, code)

    def section(self, element: Element, chapter: str) -> None:
        block_id = element.get("id") or ""
        diags = element.findall("diag")
        notes = _notes(element)
        if len(diags) == 1 and _text(diags[0], "name") == block_id:
            # A one-category block (B10, B20, C7A...): one node, the category, keeps both.
            self.diag(diags[0], chapter, extra_notes=notes)
            return
        self.add(TabularNode(block_id, BLOCK, _text(element, "desc"), chapter, len(self.nodes)))
        self.nodes[block_id].notes.extend(notes)
        for diag in diags:
            self.diag(diag, block_id)

    def diag(self, element: Element, parent: str, extra_notes: list[Note] | None = None) -> None:
        code = _text(element, "name")
        kind = CATEGORY if len(code) == 3 else SUBCATEGORY
        node = TabularNode(code, kind, _text(element, "desc"), parent, len(self.nodes))
        node.notes.extend(extra_notes or [])
        node.notes.extend(_notes(element))
        node.seven_chr = _seven_chr(element)
        self.add(node)
        for child in element.findall("diag"):
            self.diag(child, code)


def _text(element: Element, tag: str) -> str:
    child = element.find(tag)
    if child is None or child.text is None:
        raise ImportFormatError(f"A tabular entry lacks its <{tag}>.")
    return " ".join(child.text.split())


def _notes(element: Element) -> list[Note]:
    found = []
    for kind in NOTE_KINDS:
        for holder in element.findall(kind):
            for note in holder.findall("note"):
                text = " ".join("".join(note.itertext()).split())
                if text:
                    found.append(Note(kind, text, parse_refs(text)))
    return found


def _seven_chr(element: Element) -> dict[str, str]:
    definition = element.find("sevenChrDef")
    if definition is None:
        return {}
    return {
        ext.get("char", ""): " ".join((ext.text or "").split())
        for ext in definition.findall("extension")
        if ext.get("char")
    }


@dataclass(frozen=True)
class SeventhException:
    """7th characters a tabular note rules out for codes of a category with given 6th chars."""

    category: str
    sixth_characters: frozenset[str]
    not_allowed: frozenset[str]
    note_starts: str

    def forbids(self, code: str, character: str) -> bool:
        """Whether `character` may not complete `code`."""
        plain = code.replace(".", "")
        return (
            plain.startswith(self.category)
            and len(plain) == 6
            and plain[5] in self.sixth_characters
            and character in self.not_allowed
        )


def seventh_exceptions() -> tuple[SeventhException, ...]:
    """The project's table of 7th characters ruled out by tabular notes (codesets/)."""
    raw = tomllib.loads((codesets_dir() / "icd10cm_seventh_exceptions.toml").read_text("utf-8"))
    return tuple(
        SeventhException(
            item["category"],
            frozenset(item["sixth_characters"]),
            frozenset(item["not_allowed"]),
            item["note_starts"],
        )
        for item in raw.get("exception", [])
    )


def _allowed_sevenths(
    code: str, sevenths: dict[str, str], exceptions: tuple[SeventhException, ...]
) -> dict[str, str]:
    return {
        char: meaning
        for char, meaning in sevenths.items()
        if not any(rule.forbids(code, char) for rule in exceptions)
    }


def _finish(builder: _Builder) -> None:
    """Mark billable codes and add the 7th-character codes under the leaves that need one."""
    tabular = Tabular("", builder.nodes)
    exceptions = seventh_exceptions()
    for node in list(builder.nodes.values()):
        if node.kind in (CHAPTER, BLOCK) or node.children:
            continue
        node.kind = CODE if len(node.code) > 3 else node.kind
        sevenths = _allowed_sevenths(node.code, tabular.seven_chr_for(node.code), exceptions)
        if not sevenths:
            node.billable = True
            continue
        for character, meaning in sevenths.items():
            expanded = TabularNode(
                with_seventh(node.code, character),
                CODE,
                f"{node.title}, {meaning}",
                node.code,
                len(builder.nodes),
                billable=True,
            )
            builder.add(expanded)


def parse_tabular(path: Path) -> Tabular:
    """Parse a CDC ICD-10-CM tabular XML file (any fiscal year) into a `Tabular`."""
    if path.stat().st_size > MAX_TABULAR_BYTES:
        raise ImportFormatError(f"{path.name} is too large for an ICD-10-CM tabular file.")
    try:
        root = SafeET.parse(str(path), forbid_dtd=True).getroot()
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ImportFormatError(f"{path.name} is not well-formed XML: {exc}") from None
    if root.tag != "ICD10CM.tabular":
        raise ImportFormatError(f"{path.name} is not an ICD-10-CM tabular file.")
    builder = _Builder()
    for chapter in root.findall("chapter"):
        builder.chapter(chapter)
    if not builder.nodes:
        raise ImportFormatError(f"{path.name} holds no chapters.")
    _finish(builder)
    version = (root.findtext("version") or "").strip()
    return Tabular(version, builder.nodes)


def embedded_tabular_path() -> Path:
    """The FY2026 tabular XML that ships inside the `simple-icd-10-cm` package."""
    import importlib.util

    # Locate the package without importing it: its import parses the whole XML.
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or spec.origin is None:
        raise ImportFormatError("The package simple-icd-10-cm is not installed.")
    data = Path(spec.origin).parent / "data"
    matches = [p for p in data.iterdir() if p.name.endswith(".xml") and "tabular" in p.name]
    if not matches:
        raise ImportFormatError("The embedded ICD-10-CM tabular is missing from simple-icd-10-cm.")
    return Path(str(matches[0]))
