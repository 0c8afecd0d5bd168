# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD-10-CM Alphabetic Index and its tables: stream the CDC index XML into `IndexTerm`s.

One parser reads the four index files of a CDC release: the Index to Diseases and
Injuries and the External Cause of Injuries Index (`letter > mainTerm > term[@level]`,
each term with `title`, `code`, `manif`, `see`, `seeAlso`), and the Neoplasm and Drug
tables (the same tree after an `indexHeading` of `head[@col]` column titles, each term
with `cell[@col]` codes). A `<nemod>` inside a title holds the nonessential modifiers.

The files come from the user, so they are read as hostile: through defusedxml with no
DTD and no entities, streaming with consumed elements dropped, under a size cap, a
nesting cap and a cap on markup inside one field. Anything outside the layout ends in
`ImportFormatError` naming the file and, where it can, the line.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from coderdesk.core.codes.records import ImportFormatError, IndexTerm
from coderdesk.core.progress import CancelToken, ProgressCallback, no_progress

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from pathlib import Path

MAX_INDEX_BYTES = 200 * 1024 * 1024
MAX_XML_DEPTH = 50
MAX_TERM_LEVEL = 12
MAX_INLINE_ELEMENTS = 64
MAX_COLUMN = 9
PROGRESS_EVERY = 5000

ROOT_TAG: Final = "ICD10CM.index"
INDEX, EINDEX, NEOPLASM, DRUG = "index", "eindex", "neoplasm", "drug"
KINDS: Final = (INDEX, EINDEX, NEOPLASM, DRUG)

_SMALL_NUMBER = re.compile(r"\s*([0-9]{1,3})\s*")
_TERM_TAGS = frozenset({"mainTerm", "term"})
# (parent, child) pairs of the layout; anything else is a field or markup inside one.
_LAYOUT = frozenset(
    {
        (ROOT_TAG, "letter"),
        (ROOT_TAG, "indexHeading"),
        ("letter", "mainTerm"),
        ("mainTerm", "term"),
        ("term", "term"),
    }
)
_TEXT_FIELDS = {"code": "code", "manif": "manif", "see": "see", "seeAlso": "see_also"}
# The External Cause index sends some terms to the Tabular: "see subcategory T75.0".
_TABULAR_REFS = {"subcat": "subcategory", "seecat": "category"}


class _Located(Element):
    """An element that remembers the line it starts on, for error messages."""

    __slots__ = ("line",)
    line: int


class _LineTagger:
    """The element factory of the tree builder: stamps each element with expat's line."""

    def __init__(self) -> None:
        self.expat: Any = None

    def __call__(self, tag: str, attrib: dict[str, str]) -> _Located:
        element = _Located(tag, attrib)
        element.line = self.expat.CurrentLineNumber if self.expat is not None else 0
        return element


class _CappedReader:
    """A binary file read for the parser: refuses bytes past the cap, polls cancellation."""

    def __init__(self, raw: BinaryIO, name: str, cancel: CancelToken | None) -> None:
        self._raw, self._name, self._cancel = raw, name, cancel
        self.seen = 0

    def read(self, size: int = -1) -> bytes:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        data = self._raw.read(size)
        self.seen += len(data)
        if self.seen > MAX_INDEX_BYTES:
            raise _too_large(self._name)
        return data


@dataclass
class _OpenTerm:
    """A mainTerm or term whose start tag was read and whose record may not be out yet."""

    id: int
    parent_id: int | None
    level: int
    line: int
    emitted: bool = False
    has_title: bool = False
    title: str = ""
    nemod: str = ""
    code: str | None = None
    manif: str | None = None
    see: str | None = None
    see_also: str | None = None
    cells: dict[int, str] = field(default_factory=dict)

    def record(self, letter: str) -> IndexTerm:
        return IndexTerm(
            id=self.id,
            parent_id=self.parent_id,
            level=self.level,
            letter=letter,
            title=self.title,
            nemod=self.nemod,
            code=self.code,
            manif=self.manif,
            see=self.see,
            see_also=self.see_also,
            cells=dict(self.cells),
        )


def _too_large(name: str) -> ImportFormatError:
    limit = MAX_INDEX_BYTES // (1024 * 1024)
    return ImportFormatError(f"{name} is larger than {limit} MB: not an ICD-10-CM index file.")


def _clean(text: str) -> str:
    """Whitespace runs (line breaks included) collapsed to one space, ends trimmed."""
    return " ".join(text.split())


def _text_of(element: Element) -> str:
    return _clean("".join(element.itertext()))


def _split_title(element: Element) -> tuple[str, str]:
    """A title's own words and its nonessential modifiers (the `<nemod>` text)."""
    words, nemods = [element.text or ""], []
    for child in element:
        if child.tag == "nemod":
            nemods.append(_text_of(child))
        else:
            words.append("".join(child.itertext()))
        words.append(child.tail or "")
    return _clean("".join(words)), " ".join(n for n in nemods if n)


def _column(element: _Located, name: str) -> int:
    raw = element.get("col", "")
    col = _small_number(raw)
    if col is None or not 1 <= col <= MAX_COLUMN:
        raise ImportFormatError(
            f"{name}, line {element.line}: <{element.tag}> has column {raw!r}; "
            f"columns run from 1 to {MAX_COLUMN}."
        )
    return col


def _small_number(raw: str) -> int | None:
    """An attribute's whole number (ASCII digits only, at most three), else None."""
    match = _SMALL_NUMBER.fullmatch(raw)
    return int(match.group(1)) if match else None


def _is_code(text: str) -> bool:
    """Whether a table cell holds a code: `--` (Drug) and `-` (Neoplasm) mean none."""
    return any(ch.isalnum() for ch in text)


class _IndexReader:
    """Turns start/end events into `IndexTerm`s, checking the layout as it goes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open: list[_Located] = []
        self.live: list[bool] = []  # per open element: part of the index layout, not a field
        self.terms: list[_OpenTerm] = []
        self.next_id = 1
        self.inline = 0
        self.letter = ""
        self.title = ""
        self.heading: dict[int, str] = {}

    def fail(self, element: _Located, problem: str) -> ImportFormatError:
        return ImportFormatError(f"{self.name}, line {element.line}: {problem}")

    def start(self, element: _Located) -> IndexTerm | None:
        """Check nesting; open a term (returning its parent's record when now due)."""
        parent = self.open[-1].tag if self.open else None
        parent_live = self.live[-1] if self.live else False
        self._check_start(element, parent, parent_live)
        self.open.append(element)
        self.live.append(parent is None or (parent_live and (parent, element.tag) in _LAYOUT))
        if element.tag in _TERM_TAGS and parent_live:
            return self._open_term(element, parent)
        return None

    def end(self, element: _Located) -> IndexTerm | None:
        """Read a finished element, then drop it (and its consumed siblings) from the tree."""
        self.open.pop()
        self.live.pop()
        if not self.live or not self.live[-1]:
            return None  # the root, or markup inside a field: read with that field
        parent = self.open[-1]
        done = self._consume(element, str(parent.tag))
        element.clear()
        del parent[:]
        return done

    def _check_start(self, element: _Located, parent: str | None, parent_live: bool) -> None:
        if parent is None and element.tag != ROOT_TAG:
            raise ImportFormatError(
                f"{self.name} is not an ICD-10-CM index file: its root element is "
                f"<{element.tag}>, where the CDC index files have <{ROOT_TAG}>."
            )
        if len(self.open) >= MAX_XML_DEPTH:
            raise self.fail(element, f"elements nest deeper than {MAX_XML_DEPTH} levels.")
        if parent_live:
            self.inline = 0
            return
        self.inline += 1
        if self.inline > MAX_INLINE_ELEMENTS:
            raise self.fail(element, f"more than {MAX_INLINE_ELEMENTS} elements inside one field.")

    def _open_term(self, element: _Located, parent: str | None) -> IndexTerm | None:
        if element.tag == "mainTerm":
            if parent != "letter":
                raise self.fail(element, "a <mainTerm> stands outside a <letter>.")
            return self._push(element, None, 0)
        if parent not in _TERM_TAGS:
            raise self.fail(element, "a <term> stands outside a <mainTerm>.")
        owner = self.terms[-1]
        return self._push(element, owner, self._level(element, owner.level))

    def _level(self, element: _Located, parent_level: int) -> int:
        raw = element.get("level", "")
        level = _small_number(raw)
        if level is None or level != parent_level + 1:
            raise self.fail(
                element, f"a <term> has level {raw!r} under a level-{parent_level} term."
            )
        if level > MAX_TERM_LEVEL:
            raise self.fail(element, f"terms nest deeper than level {MAX_TERM_LEVEL}.")
        return level

    def _push(self, element: _Located, owner: _OpenTerm | None, level: int) -> IndexTerm | None:
        due = self._emit(owner) if owner is not None and not owner.emitted else None
        parent_id = owner.id if owner is not None else None
        self.terms.append(_OpenTerm(self.next_id, parent_id, level, element.line))
        self.next_id += 1
        return due

    def _emit(self, term: _OpenTerm) -> IndexTerm:
        if not term.has_title:
            raise ImportFormatError(f"{self.name}, line {term.line}: a term has no <title>.")
        term.emitted = True
        return term.record(self.letter)

    def _consume(self, element: _Located, parent: str) -> IndexTerm | None:
        if element.tag in _TERM_TAGS:
            term = self.terms.pop()
            return None if term.emitted else self._emit(term)
        if parent in _TERM_TAGS:
            self._set_field(self.terms[-1], element)
        elif element.tag == "title" and parent in ("letter", ROOT_TAG):
            self._set_title(element, parent)
        elif element.tag == "head" and parent == "indexHeading":
            self._set_head(element)
        return None

    def _set_title(self, element: _Located, parent: str) -> None:
        if parent == "letter":
            self.letter = _text_of(element)
        else:
            self.title = _text_of(element)

    def _set_head(self, element: _Located) -> None:
        col = _column(element, self.name)
        if col in self.heading:
            raise self.fail(element, f"the table heading names column {col} twice.")
        self.heading[col] = _text_of(element)

    def _set_field(self, term: _OpenTerm, element: _Located) -> None:
        tag = str(element.tag)
        known = tag == "title" or tag == "cell" or tag in _TEXT_FIELDS or tag in _TABULAR_REFS
        if not known:
            return  # `version`, `warning`, addenda markup: nothing CoderDesk keeps
        if term.emitted:
            raise self.fail(element, f"<{tag}> comes after the subterms of its term.")
        if tag == "title":
            self._set_term_title(term, element)
        elif tag == "cell":
            self._set_cell(term, element)
        else:
            self._set_text(term, element)

    def _set_term_title(self, term: _OpenTerm, element: _Located) -> None:
        if term.has_title:
            raise self.fail(element, "a term has two <title>s.")
        term.title, term.nemod = _split_title(element)
        if not term.title and not term.nemod:
            raise self.fail(element, "a term has an empty <title>.")
        term.has_title = True

    def _set_cell(self, term: _OpenTerm, element: _Located) -> None:
        col = _column(element, self.name)
        if col in term.cells:
            raise self.fail(element, f"a term has two cells in column {col}.")
        text = _text_of(element)
        if _is_code(text):
            term.cells[col] = text

    def _set_text(self, term: _OpenTerm, element: _Located) -> None:
        tag = str(element.tag)
        text = _text_of(element)
        if tag in _TABULAR_REFS:
            tag, text = "see", f"{_TABULAR_REFS[tag]} {text}"
        attribute = _TEXT_FIELDS[tag]
        if getattr(term, attribute) is not None:
            raise self.fail(element, f"a term has two <{tag}>s.")
        setattr(term, attribute, text or None)


def _checked_size(path: Path) -> int:
    size = path.stat().st_size
    if size > MAX_INDEX_BYTES:
        raise _too_large(path.name)
    return size


def _defused_parser() -> Any:
    """A defusedxml parser (no DTD, no entities, no external references) with line stamps."""
    tagger = _LineTagger()
    parser = SafeET.DefusedXMLParser(
        target=TreeBuilder(element_factory=tagger),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    tagger.expat = parser.parser
    return parser


def _events(source: _CappedReader, name: str) -> Generator[tuple[str, _Located], None, None]:
    """(event, element) pairs, "start" and "end", with parser refusals as ImportFormatError."""
    try:
        yield from SafeET.iterparse(source, events=("start", "end"), parser=_defused_parser())
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        raise ImportFormatError(f"{name}, line {line}: not well-formed XML ({exc}).") from None
    except DefusedXmlException:
        raise ImportFormatError(
            f"{name} declares a DTD or entities, which CDC index files never do; "
            "it was refused for safety."
        ) from None
    except (LookupError, ValueError):
        # pyexpat's handler for encodings it lacks: unknown, multi-byte or not a text codec.
        raise ImportFormatError(
            f"{name} declares a character encoding CoderDesk cannot read (CDC files are UTF-8)."
        ) from None


def parse_index(
    path: Path,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[IndexTerm]:
    """Stream the terms of a CDC index or table file, in document order, ids 1..N.

    The size cap is checked now; the rest as the iterator is consumed. Progress counts
    bytes read out of the file size, every `PROGRESS_EVERY` terms.
    """
    size = _checked_size(path)
    return _terms(path, size, progress, cancel)


def _terms(
    path: Path, size: int, progress: ProgressCallback, cancel: CancelToken | None
) -> Iterator[IndexTerm]:
    reader = _IndexReader(path.name)
    count = 0
    with path.open("rb") as raw:
        source = _CappedReader(raw, path.name, cancel)
        for event, element in _events(source, path.name):
            term = reader.start(element) if event == "start" else reader.end(element)
            if term is None:
                continue
            yield term
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(source.seen, size, f"{count:,} index terms")
    if count == 0:
        raise ImportFormatError(f"{path.name} holds no index terms.")
    progress(size, size, f"{count:,} index terms")


def _read_prologue(path: Path) -> _IndexReader:
    """Read up to the first `<letter>`: the file's title and its table heading, if any."""
    _checked_size(path)
    reader = _IndexReader(path.name)
    with path.open("rb") as raw:
        events = _events(_CappedReader(raw, path.name, None), path.name)
        with contextlib.closing(events):
            for event, element in events:
                if event == "start" and element.tag == "letter":
                    break
                _ = reader.start(element) if event == "start" else reader.end(element)
    return reader


def parse_table_heading(path: Path) -> dict[int, str]:
    """Column number -> title of a Neoplasm or Drug table (empty for the two indexes)."""
    return _read_prologue(path).heading


def _kind_from_heading(heading: dict[int, str]) -> str | None:
    first = heading.get(1, "").lower()
    every = " ".join(heading.values()).lower()
    if "neoplasm" in first or "malignant" in every:
        return NEOPLASM
    if "substance" in first or "drug" in first or "poisoning" in every:
        return DRUG
    return None


def _kind_from_title(title: str) -> str | None:
    words = title.lower()
    if "external cause" in words:
        return EINDEX
    if "neoplasm" in words:
        return NEOPLASM
    if "drug" in words:
        return DRUG
    if "diseases" in words:
        return INDEX
    return None


def detect_index_kind(path: Path) -> str:
    """Which index file this is, from its title or table heading: one of `KINDS`."""
    reader = _read_prologue(path)
    kind = _kind_from_heading(reader.heading) or _kind_from_title(reader.title)
    if kind is None:
        raise ImportFormatError(
            f"{path.name} is in the ICD-10-CM index layout, but neither its title nor a "
            "table heading says which index it is."
        )
    return kind
