# SPDX-License-Identifier: GPL-3.0-or-later
"""The ICD-10-CM index parser on the real CDC files, on hostile files, and under fuzzing.

Counts in the real files are checked twice: pinned numbers, and the same numbers found by
a plain ElementTree walk of the (trusted) file, so a parser bug cannot pin itself.
"""

from __future__ import annotations

import string
import time
import tracemalloc
import xml.etree.ElementTree as PlainET
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coderdesk.core.codes import icd10cm_index
from coderdesk.core.codes.icd10cm_index import (
    detect_index_kind,
    parse_index,
    parse_table_heading,
)
from coderdesk.core.codes.records import ImportFormatError, IndexTerm
from coderdesk.core.errors import Cancelled
from coderdesk.core.progress import CancelToken

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

MAIN = "icd10cm-index-2025.rebuilt.xml"
EINDEX = "icd-10-cm-eindex-2025.xml"
NEOPLASM = "icd-10-cm-neoplasm-2025.xml"
DRUG = "icd-10-cm-drug-2025.xml"

# file: (main terms, subterms), verified below against a plain XML walk
PINNED = {
    MAIN: (8_100, 72_924),
    EINDEX: (314, 7_750),
    NEOPLASM: (1, 1_938),
    DRUG: (5_177, 2_251),
}
KIND = {MAIN: "index", EINDEX: "eindex", NEOPLASM: "neoplasm", DRUG: "drug"}

_cache: dict[str, list[IndexTerm]] = {}


def _index_dir(shared_data: Path) -> Path:
    return shared_data / "icd10cm-2025-index"


def _terms(shared_data: Path, name: str) -> list[IndexTerm]:
    """Each real file is parsed once per session; the lists are only read."""
    if name not in _cache:
        _cache[name] = list(parse_index(_index_dir(shared_data) / name))
    return _cache[name]


def _find(terms: list[IndexTerm], title: str, level: int | None = None) -> IndexTerm:
    found = [t for t in terms if t.title == title and (level is None or t.level == level)]
    assert found, title
    return found[0]


def _children(terms: list[IndexTerm], parent: IndexTerm) -> list[IndexTerm]:
    return [t for t in terms if t.parent_id == parent.id]


def _plain_root(path: Path) -> PlainET.Element:
    return PlainET.parse(path).getroot()  # the shared release files are trusted


def _assert_tree_consistent(terms: list[IndexTerm]) -> None:
    """Ids 1..N; each term's parent is the nearest previous term one level up."""
    assert [t.id for t in terms] == list(range(1, len(terms) + 1))
    open_ids: list[int] = []
    for term in terms:
        assert 0 <= term.level <= len(open_ids)
        del open_ids[term.level :]
        assert term.parent_id == (open_ids[-1] if open_ids else None)
        open_ids.append(term.id)


# --- the real files ---------------------------------------------------------------------


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(PINNED))
def test_pinned_counts(shared_data: Path, name: str) -> None:
    counts = Counter(t.level == 0 for t in _terms(shared_data, name))
    assert (counts[True], counts[False]) == PINNED[name]


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(PINNED))
def test_counts_match_a_plain_xml_walk(shared_data: Path, name: str) -> None:
    root = _plain_root(_index_dir(shared_data) / name)
    plain = (len(root.findall("letter/mainTerm")), len(list(root.iter("term"))))
    assert plain == PINNED[name]
    terms = _terms(shared_data, name)
    assert Counter(t.level for t in terms if t.level) == Counter(
        int(e.get("level", "")) for e in root.iter("term")
    )


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(PINNED))
def test_fields_match_a_plain_xml_walk(shared_data: Path, name: str) -> None:
    root = _plain_root(_index_dir(shared_data) / name)
    terms = _terms(shared_data, name)
    for tag, attribute in (("code", "code"), ("seeAlso", "see_also"), ("manif", "manif")):
        plain = Counter(" ".join((e.text or "").split()) for e in root.iter(tag))
        assert Counter(getattr(t, attribute) for t in terms if getattr(t, attribute)) == plain
    cells = [" ".join((e.text or "").split()) for e in root.iter("cell")]
    assert sum(len(t.cells) for t in terms) == sum(1 for c in cells if c.strip("-"))
    assert Counter(t.letter for t in terms if t.level == 0) == Counter(
        " ".join(letter.findtext("title", "").split())
        for letter in root.iter("letter")
        for _ in letter.findall("mainTerm")
    )


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(PINNED))
def test_parent_and_level_consistency(shared_data: Path, name: str) -> None:
    terms = _terms(shared_data, name)
    _assert_tree_consistent(terms)
    assert all(t.title or t.nemod for t in terms)
    assert all(t.title == " ".join(t.title.split()) for t in terms)


@pytest.mark.needs_shared
def test_main_index_spot_checks(shared_data: Path) -> None:
    terms = _terms(shared_data, MAIN)
    abasia = _find(terms, "Abasia", level=0)
    assert (abasia.nemod, abasia.code, abasia.letter) == ("(-astasia) (hysterical)", "F44.4", "A")
    assert _find(terms, "Abandonment", level=0).see == "Maltreatment"
    abdomen = _find(terms, "Abdomen, abdominal", level=0)
    assert (abdomen.see_also, abdomen.code) == ("condition", None)
    assert [(c.title, c.code, c.level) for c in _children(terms, abdomen)] == [
        ("acute", "R10.0", 1),
        ("angina", "K55.1", 1),
        ("muscle deficiency syndrome", "Q79.4", 1),
    ]
    assert {t.letter for t in terms} == {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    assert max(t.level for t in terms) == 9
    # Codes that end in "-" are incomplete and kept as printed.
    assert sum(1 for t in terms if t.code and t.code.endswith("-")) == 6_930
    assert not any(t.manif for t in terms)  # the rebuilt copy lost its <manif> codes


@pytest.mark.needs_shared
def test_external_cause_index_spot_checks(shared_data: Path) -> None:
    terms = _terms(shared_data, EINDEX)
    abandonment = _find(terms, "Abandonment NEC", level=0)
    assert abandonment.nemod == (
        "(causing exposure to weather conditions) (with intent to injure or kill)"
    )
    assert abandonment.code == "X58"
    aircraft = _find(terms, "aircraft", level=1)
    assert (aircraft.nemod, aircraft.see_also) == (
        "(in transit) (powered)",
        "Accident, transport, aircraft",
    )
    # <subcat> and <seecat> send the coder to the Tabular; they are kept as a `see`.
    assert _find(terms, "Lightning", level=0).see == "subcategory T75.0"
    assert _find(terms, "Strangulation", level=0).see == "category T71"
    assert max(t.level for t in terms) == 8


@pytest.mark.needs_shared
def test_neoplasm_table_spot_checks(shared_data: Path) -> None:
    terms = _terms(shared_data, NEOPLASM)
    top = terms[0]
    assert (top.title, top.level, top.letter) == ("Neoplasm, neoplastic", 0, "N")
    abdomen = _find(terms, "abdomen, abdominal", level=1)
    assert abdomen.cells == {
        2: "C76.2",
        3: "C79.8-",
        4: "D09.8",
        5: "D36.7",
        6: "D48.7",
        7: "D49.89",
    }
    basal = _find(terms, "basal cell carcinoma", level=4)
    assert basal.cells == {2: "C44.519"}  # the "-" cells mean no code
    book_leaf = _find(terms, "book-leaf", level=1)
    assert book_leaf.manif == "ventral surface of tongue and floor of mouth"


@pytest.mark.needs_shared
def test_drug_table_spot_checks(shared_data: Path) -> None:
    terms = _terms(shared_data, DRUG)
    propanol = terms[0]
    assert (propanol.title, propanol.letter) == ("1-propanol", "#")
    assert propanol.cells == {2: "T51.3X1", 3: "T51.3X2", 4: "T51.3X3", 5: "T51.3X4"}
    morphinone = _find(terms, "14-hydroxydihydro-morphinone", level=0)
    assert sorted(morphinone.cells) == [2, 3, 4, 5, 6, 7]
    two_four_d = _find(terms, "2,4-D", level=0)
    assert two_four_d.nemod == "(dichlorophen-oxyacetic acid)"
    assert "--" not in {code for t in terms for code in t.cells.values()}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", list(PINNED))
def test_detect_index_kind(shared_data: Path, name: str) -> None:
    assert detect_index_kind(_index_dir(shared_data) / name) == KIND[name]


@pytest.mark.needs_shared
def test_table_headings(shared_data: Path) -> None:
    folder = _index_dir(shared_data)
    neoplasm = parse_table_heading(folder / NEOPLASM)
    assert neoplasm == {
        1: "Neoplasm",
        2: "Malignant Primary",
        3: "Malignant Secondary",
        4: "Ca in situ",
        5: "Benign",
        6: "Uncertain Behavior",
        7: "Unspecified Behavior",
    }
    drug = parse_table_heading(folder / DRUG)
    assert drug[1] == "Substance"
    assert drug[2] == "Poisoning Accidental (unintentional)"
    assert drug[7] == "Underdosing"
    assert parse_table_heading(folder / MAIN) == {}


@pytest.mark.needs_shared
def test_progress_is_reported_and_cancel_stops(shared_data: Path) -> None:
    path = _index_dir(shared_data) / EINDEX
    calls: list[tuple[int, int]] = []
    list(parse_index(path, progress=lambda done, total, label: calls.append((done, total))))
    size = path.stat().st_size
    assert len(calls) >= 2
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (size, size)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(parse_index(path, cancel=token))


# --- hostile files ----------------------------------------------------------------------

INDEX_BODY = "<letter><title>A</title><mainTerm><title>Abasia</title></mainTerm></letter>"
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE ICD10CM.index [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<ICD10CM.index><letter><title>&lol9;</title></letter></ICD10CM.index>"
)
QUADRATIC = (
    f'<?xml version="1.0"?>\n<!DOCTYPE ICD10CM.index [<!ENTITY big "{"x" * 100_000}">]>\n'
    f"<ICD10CM.index><letter><title>{'&big;' * 50_000}</title></letter></ICD10CM.index>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE ICD10CM.index [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<ICD10CM.index><letter><title>&xxe;</title></letter></ICD10CM.index>"
)
PARAMETER_XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE ICD10CM.index [<!ENTITY % ext SYSTEM "file:///etc/passwd">'
    " %ext;]>\n<ICD10CM.index>" + INDEX_BODY + "</ICD10CM.index>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE ICD10CM.index SYSTEM "http://example.invalid/index.dtd">\n'
    "<ICD10CM.index>" + INDEX_BODY + "</ICD10CM.index>"
)
DEEP_XML = "<ICD10CM.index>" + "<x>" * 100_000 + "</x>" * 100_000 + "</ICD10CM.index>"
DEEP_TERMS = (
    "<ICD10CM.index><letter><title>A</title><mainTerm><title>t</title>"
    + "".join(f'<term level="{i}"><title>t{i}</title>' for i in range(1, 100_001))
    + "</term>" * 100_000
    + "</mainTerm></letter></ICD10CM.index>"
)
WIDE_TITLE = (
    "<ICD10CM.index><letter><title>A</title><mainTerm><title>t"
    + "<nemod>(x)</nemod>" * 200_000
    + "</title></mainTerm></letter></ICD10CM.index>"
)
TABULAR_ROOT = '<?xml version="1.0"?>\n<ICD10CM.tabular><version>2025</version></ICD10CM.tabular>'

# case: (file text, message, whether it sits inside a <letter>). detect_index_kind and
# parse_table_heading stop at the first <letter>, so body-only attacks are parse_index's.
HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, "DTD or entities", False),
    "quadratic blow-up": (QUADRATIC, "DTD or entities", False),
    "XXE": (XXE, "DTD or entities", False),
    "parameter-entity XXE": (PARAMETER_XXE, "DTD or entities", False),
    "external DTD": (EXTERNAL_DTD, "DTD or entities", False),
    "deep XML": (DEEP_XML, "deeper than 50", False),
    "deep terms": (DEEP_TERMS, "deeper than level 12", True),
    "markup flood in a title": (WIDE_TITLE, "elements inside one field", True),
    "wrong root": (TABULAR_ROOT, "root element is <ICD10CM.tabular>", False),
    "HTML": ("<html><body>Index</body></html>", "root element is <html>", False),
    "not XML": ("Aarskog's syndrome\tQ87.19\n", "not well-formed", False),
    "empty": ("", "not well-formed", False),
    "odd encoding": ('<?xml version="1.0" encoding="x-none"?><ICD10CM.index/>', "encoding", False),
}
READERS: dict[str, Callable[[Path], object]] = {
    "parse_index": lambda path: list(parse_index(path)),
    "detect_index_kind": detect_index_kind,
    "parse_table_heading": parse_table_heading,
}


def _outcome(read: Callable[[], object]) -> object:
    """The reader's result, or "no kind" when it refuses to tell which index this is."""
    try:
        return read()
    except ImportFormatError as exc:
        return "no kind" if "says which index" in exc.user_message else exc.user_message


def _assert_rejected_quickly(read: Callable[[], object], match: str) -> None:
    """Rejected with ImportFormatError within a second, allocating under 50 MB meanwhile."""
    started = time.perf_counter()
    with pytest.raises(ImportFormatError, match=match):
        read()
    assert time.perf_counter() - started < 1.0
    tracemalloc.start()
    try:
        with pytest.raises(ImportFormatError):
            read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_is_rejected(tmp_path: Path, case: str, reader: str) -> None:
    text, match, in_body = HOSTILE[case]
    path = tmp_path / "hostile.xml"
    path.write_text(text, encoding="utf-8")
    if in_body and reader != "parse_index":
        # The attack sits past the prologue: these readers stop before it, quickly.
        started = time.perf_counter()
        outcome = _outcome(lambda: READERS[reader](path))
        assert time.perf_counter() - started < 1.0
        assert outcome == ({} if reader == "parse_table_heading" else "no kind")
        return
    _assert_rejected_quickly(lambda: READERS[reader](path), match)


@pytest.mark.parametrize("reader", list(READERS))
def test_file_over_200_mb_is_refused_before_parsing(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as sparse:
        sparse.truncate(icd10cm_index.MAX_INDEX_BYTES + 1)  # sparse: costs no disk
    _assert_rejected_quickly(lambda: READERS[reader](path), "larger than 200 MB")


def test_parse_index_checks_the_size_when_called(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as sparse:
        sparse.truncate(icd10cm_index.MAX_INDEX_BYTES + 1)
    with pytest.raises(ImportFormatError, match="larger than"):
        parse_index(path)  # not yet iterated


def test_a_file_that_grows_past_the_cap_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.xml"
    terms = "".join(f"<mainTerm><title>t{i}</title></mainTerm>" for i in range(2_000))
    path.write_text(f"<ICD10CM.index><letter>{terms}</letter></ICD10CM.index>")
    iterator = parse_index(path)  # passes the size check
    monkeypatch.setattr(icd10cm_index, "MAX_INDEX_BYTES", 1_000)
    with pytest.raises(ImportFormatError, match="larger than"):
        list(iterator)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('<letter><mainTerm><title>a</title><term level="2"><title>b</title></term>'
         "</mainTerm></letter>", "level '2' under a level-0"),
        ('<letter><mainTerm><title>a</title><term level="one"><title>b</title></term>'
         "</mainTerm></letter>", "level 'one'"),
        ('<letter><mainTerm><title>a</title><term level="\u0661"><title>b</title></term>'
         "</mainTerm></letter>", "level"),
        ('<mainTerm><title>a</title></mainTerm>', "outside a <letter>"),
        ('<letter><term level="1"><title>a</title></term></letter>', "outside a <mainTerm>"),
        ("<letter><mainTerm><code>A00</code></mainTerm></letter>", "no <title>"),
        ("<letter><mainTerm><title> </title></mainTerm></letter>", "empty <title>"),
        ("<letter><mainTerm><title>a</title><title>b</title></mainTerm></letter>", "two <title>"),
        ("<letter><mainTerm><title>a</title><code>A0</code><code>B0</code></mainTerm></letter>",
         "two <code>"),
        ('<letter><mainTerm><title>a</title><term level="1"><title>b</title></term>'
         "<code>A00</code></mainTerm></letter>", "after the subterms"),
        ('<letter><mainTerm><title>a</title><cell col="10">A00</cell></mainTerm></letter>',
         "column '10'"),
        ('<letter><mainTerm><title>a</title><cell col="\u00b2">A00</cell></mainTerm></letter>',
         "column"),
        ('<letter><mainTerm><title>a</title><cell col="2">A00</cell><cell col="2">B00</cell>'
         "</mainTerm></letter>", "two cells in column 2"),
        ('<indexHeading><head col="1">x</head><head col="1">y</head></indexHeading>'
         "<letter><mainTerm><title>a</title></mainTerm></letter>", "column 1 twice"),
        ("<letter><title>A</title></letter>", "no index terms"),
    ],
)  # fmt: skip
def test_layout_errors_name_file_and_line(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "bad-index.xml"
    path.write_text(f'<?xml version="1.0"?>\n<ICD10CM.index>\n{body}\n</ICD10CM.index>\n')
    with pytest.raises(ImportFormatError, match=match) as caught:
        list(parse_index(path))
    message = caught.value.user_message
    assert "bad-index.xml" in message
    if "no index terms" not in message:
        assert "line 3" in message


def test_kind_cannot_be_told_without_title_or_heading(tmp_path: Path) -> None:
    path = tmp_path / "untitled.xml"
    path.write_text(f"<ICD10CM.index>{INDEX_BODY}</ICD10CM.index>")
    with pytest.raises(ImportFormatError, match="says which index"):
        detect_index_kind(path)
    assert [t.title for t in parse_index(path)] == ["Abasia"]


@pytest.mark.parametrize(
    ("prologue", "kind"),
    [
        ("<title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>", "index"),
        ("<title>ICD-10-CM EXTERNAL CAUSE of INJURIES INDEX</title>", "eindex"),
        ('<indexHeading><head col="1">Neoplasm</head></indexHeading>', "neoplasm"),
        ('<indexHeading><head col="1">Substance</head></indexHeading>', "drug"),
        ('<indexHeading><head col="2">Poisoning Assault</head></indexHeading>', "drug"),
    ],
)
def test_detect_index_kind_from_small_files(tmp_path: Path, prologue: str, kind: str) -> None:
    path = tmp_path / "small.xml"
    path.write_text(f"<ICD10CM.index><version>2025</version>{prologue}{INDEX_BODY}</ICD10CM.index>")
    assert detect_index_kind(path) == kind


def test_title_nemod_in_the_middle_and_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "nemod.xml"
    path.write_text(
        "<ICD10CM.index><letter><title> B </title><mainTerm><title>Bee \n sting"
        "<nemod> (with allergic\n  shock) </nemod>, venomous</title><code> T63.441 </code>"
        '<see/><term level="1"><title><nemod>(massive)</nemod></title>'
        '<cell col="2">--</cell><cell col="3"> - </cell><cell col="4">D69.59</cell>'
        "</term></mainTerm></letter></ICD10CM.index>"
    )
    first, second = parse_index(path)
    assert first == IndexTerm(
        1, None, 0, "B", "Bee sting, venomous", "(with allergic shock)", code="T63.441"
    )
    assert second == IndexTerm(2, 1, 1, "B", "", "(massive)", cells={4: "D69.59"})


# --- fuzzing ----------------------------------------------------------------------------

_FUZZ = settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(" \n\t&<>\"'"),
    max_size=15,
)
_ALNUM = string.ascii_letters + string.digits
_WORD = st.builds(
    str.__add__, st.sampled_from(string.ascii_letters), st.text(_ALNUM + " ,'()-", max_size=15)
)
_CODE = st.builds(
    lambda head, tail, dash: (f"{head}.{tail}" if tail else head) + ("-" if dash else ""),
    st.builds(
        str.__add__,
        st.sampled_from(string.ascii_uppercase),
        st.text(string.digits + string.ascii_uppercase, min_size=2, max_size=2),
    ),
    st.text(string.digits + string.ascii_uppercase, max_size=4),
    st.booleans(),
)
_CELLS = st.dictionaries(st.integers(1, 9), _CODE | st.sampled_from(["--", "-", " "]), max_size=7)


@dataclass
class _Drawn:
    """One generated term: its level, letter, title pieces and fields."""

    level: int
    letter: str
    before: str
    nemod: str | None
    after: str
    code: str | None
    see: str | None
    see_also: str | None
    cells: dict[int, str]

    def xml(self) -> str:
        title = escape(self.before)
        if self.nemod is not None:
            title += f"<nemod>{escape(self.nemod)}</nemod>{escape(self.after)}"
        parts = [f"<title>{title}</title>"]
        for tag, value in (("see", self.see), ("seeAlso", self.see_also), ("code", self.code)):
            if value is not None:
                parts.append(f"<{tag}>{escape(value)}</{tag}>")
        parts += [f'<cell col="{col}">{escape(code)}</cell>' for col, code in self.cells.items()]
        return "".join(parts)


def _clean(text: str) -> str:
    return " ".join(text.split())


@st.composite
def _index_terms(draw: st.DrawFn) -> list[_Drawn]:
    """A flat list of terms in document order, levels valid (each at most one deeper)."""
    terms: list[_Drawn] = []
    for _ in range(draw(st.integers(1, 15))):
        deepest = min(terms[-1].level + 1 if terms else 0, icd10cm_index.MAX_TERM_LEVEL)
        terms.append(
            _Drawn(
                level=draw(st.integers(0, deepest)),
                letter=draw(st.sampled_from(["A", "B", "#"])),
                before=draw(_WORD),
                nemod=draw(st.none() | _TEXT),
                after=draw(_TEXT),
                code=draw(st.none() | _CODE),
                see=draw(st.none() | _WORD),
                see_also=draw(st.none() | _WORD),
                cells=draw(_CELLS),
            )
        )
    return terms


def _index_xml(terms: list[_Drawn]) -> str:
    """Serialise the flat list; a new letter starts whenever a main term changes letter."""
    out, depth, letter = ["<ICD10CM.index><version>2025</version>"], -1, None
    for term in terms:
        out.append("</term>" * max(depth - max(term.level, 1) + 1, 0))
        if term.level == 0:
            out.append("</mainTerm>" if depth >= 0 else "")
            if term.letter != letter:
                out.append("</letter>" if letter is not None else "")
                letter = term.letter
                out.append(f"<letter><title>{letter}</title>")
            out.append("<mainTerm>")
        else:
            out.append(f'<term level="{term.level}">')
        out.append(term.xml())
        depth = term.level
    out.append("</term>" * depth + "</mainTerm></letter></ICD10CM.index>")
    return "".join(out)


def _expected(terms: list[_Drawn]) -> list[IndexTerm]:
    records: list[IndexTerm] = []
    open_ids: list[int] = []
    letter = ""
    for number, term in enumerate(terms, start=1):
        letter = term.letter if term.level == 0 else letter
        del open_ids[term.level :]
        after = term.after if term.nemod is not None else ""
        records.append(
            IndexTerm(
                id=number,
                parent_id=open_ids[-1] if open_ids else None,
                level=term.level,
                letter=letter,
                title=_clean(term.before + after),
                nemod=_clean(term.nemod or ""),
                code=term.code,
                see=_clean(term.see) if term.see else None,
                see_also=_clean(term.see_also) if term.see_also else None,
                cells={c: _clean(v) for c, v in term.cells.items() if v.strip(" -")},
            )
        )
        open_ids.append(number)
    return records


def _parse_all(path: Path) -> list[IndexTerm] | None:
    """All three entry points; None when the file is refused with ImportFormatError."""
    try:
        terms = list(parse_index(path))
        parse_table_heading(path)
    except ImportFormatError:
        return None
    _assert_tree_consistent(terms)
    try:
        kind = detect_index_kind(path)
    except ImportFormatError as exc:
        kind = exc.user_message
    assert kind in icd10cm_index.KINDS or "says which index" in kind
    return terms


@_FUZZ
@given(terms=_index_terms())
def test_fuzz_well_formed_index_round_trips(
    tmp_path_factory: pytest.TempPathFactory, terms: list[_Drawn]
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-index.xml"
    path.write_text(_index_xml(terms), encoding="utf-8")
    assert list(parse_index(path)) == _expected(terms)


@_FUZZ
@given(data=st.binary(max_size=2_000))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-bytes.xml"
    path.write_bytes(data)
    _parse_all(path)


_TAGS = st.sampled_from(
    ["ICD10CM.index", "letter", "mainTerm", "term", "title", "nemod", "code", "manif", "see",
     "seeAlso", "subcat", "seecat", "cell", "head", "indexHeading", "version", "warning", "x"]
)  # fmt: skip
_ATTRS = st.dictionaries(
    st.sampled_from(["level", "col", "x"]),
    st.sampled_from(["0", "1", "2", "3", "9", "10", "13", "-1", "a", "", " 2 ", "\u0663"]),
    max_size=2,
)
_XML = st.recursive(
    _TEXT.map(escape),
    lambda inner: st.builds(
        lambda tag, attrs, children: (
            f"<{tag}{''.join(f' {k}={quoteattr(v)}' for k, v in attrs.items())}>"
            f"{''.join(children)}</{tag}>"
        ),
        _TAGS,
        _ATTRS,
        st.lists(inner, max_size=5),
    ),
    max_leaves=20,
)


@_FUZZ
@given(body=st.lists(_XML, max_size=6), root=st.sampled_from(["ICD10CM.index", "index"]))
def test_fuzz_small_index_like_xml(
    tmp_path_factory: pytest.TempPathFactory, body: list[str], root: str
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-xml.xml"
    path.write_text(f"<{root}>{''.join(body)}</{root}>", encoding="utf-8")
    terms = _parse_all(path)
    if root != "ICD10CM.index":
        assert terms is None


@_FUZZ
@given(text=_TEXT)
def test_fuzz_random_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-text.xml"
    path.write_text(text, encoding="utf-8")
    _parse_all(path)
