# SPDX-License-Identifier: GPL-3.0-or-later
"""CPT parser on fixture files in the AMA layouts, with invented descriptors (never CPT text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coderdesk.core.codes.cpt import parse_cpt
from coderdesk.core.codes.records import CptRecord, ImportFormatError
from coderdesk.core.errors import Cancelled
from coderdesk.core.progress import CancelToken

if TYPE_CHECKING:
    from pathlib import Path

FIXTURE_ROWS = [
    ("99213", "Office visit fixture descriptor"),
    ("1234F", "Category II fixture descriptor, with a comma"),
    ("0042T", 'Category III fixture descriptor with "quotes"'),
    ("10060", "Procedure fixture descriptor"),
]
EXPECTED = [CptRecord(code, text) for code, text in FIXTURE_ROWS]


def write(tmp_path: Path, text: str, name: str = "cpt.txt", encoding: str = "utf-8") -> Path:
    """Write a fixture file and return its path."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def tab_file(header: str | None = None, ending: str = "\n") -> str:
    """The fixture rows in the AMA tab-delimited layout."""
    lines = [header] if header is not None else []
    lines += [f"{code}\t{text}" for code, text in FIXTURE_ROWS]
    return ending.join(lines) + ending


def csv_quoted(text: str) -> str:
    """`text` as one CSV field."""
    return '"' + text.replace('"', '""') + '"'


def test_tab_delimited_without_header(tmp_path: Path) -> None:
    assert list(parse_cpt(write(tmp_path, tab_file()))) == EXPECTED


@pytest.mark.parametrize(
    "header", ["Code\tDescriptor", "CPT Code\tLong Descriptor", "HCPCS\tDESCRIPTION"]
)
def test_tab_delimited_with_header(tmp_path: Path, header: str) -> None:
    assert list(parse_cpt(write(tmp_path, tab_file(header)))) == EXPECTED


def test_tab_delimited_crlf_bom_blank_lines_and_lower_case(tmp_path: Path) -> None:
    text = "\n\n" + tab_file("Code\tDescriptor", "\r\n").replace("1234F", "1234f") + "\r\n\r\n"
    assert list(parse_cpt(write(tmp_path, text, encoding="utf-8-sig"))) == EXPECTED


def test_tab_delimited_windows_1252(tmp_path: Path) -> None:
    path = write(tmp_path, "99213\tFixture descriptor \u2013 visit\n", encoding="cp1252")
    assert list(parse_cpt(path)) == [CptRecord("99213", "Fixture descriptor \u2013 visit")]


@pytest.mark.parametrize(
    ("code_name", "descriptor_name"),
    [
        ("code", "descriptor"),
        ("CPT", "Description"),
        ("CPT Code", "Long Description"),
        ("cpt_code", "long_descriptor"),
        ("HCPCS", "Long Descriptor"),
    ],
)
def test_csv_with_header(tmp_path: Path, code_name: str, descriptor_name: str) -> None:
    lines = [f"{code_name},{descriptor_name}"]
    lines += [f"{code},{csv_quoted(text)}" for code, text in FIXTURE_ROWS]
    path = write(tmp_path, "\n".join(lines) + "\n", "cpt.csv")
    assert list(parse_cpt(path)) == EXPECTED


def test_csv_prefers_the_long_descriptor_and_ignores_other_columns(tmp_path: Path) -> None:
    text = (
        "Short Descriptor,Concept Id,CPT Code,Long Descriptor\n"
        "Short fixture,1001,99213,Long office visit fixture descriptor\n"
    )
    assert list(parse_cpt(write(tmp_path, text, "cpt.csv"))) == [
        CptRecord("99213", "Long office visit fixture descriptor")
    ]


def test_headerless_two_column_csv(tmp_path: Path) -> None:
    text = "99213,Office visit fixture descriptor\n1234F,Category II fixture descriptor\n"
    assert [r.code for r in parse_cpt(write(tmp_path, text, "cpt.csv"))] == ["99213", "1234F"]
    unquoted = write(tmp_path, text + "99214,Fixture, with an unquoted comma\n", "bad.csv")
    with pytest.raises(ImportFormatError, match="line 3: more than a code and a descriptor"):
        list(parse_cpt(unquoted))


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        ("9921\tShort code fixture", "'9921' is not a CPT code"),
        ("992134\tLong code fixture", "is not a CPT code"),
        ("J3301\tHCPCS Level II fixture", "is not a CPT code"),
        ("1234X\tWrong category letter fixture", "is not a CPT code"),
        ("99214\t", "99214 has no descriptor"),
        ("99214", "expected a code and a descriptor"),
        ("99214\tFixture\tunexpected column", "more columns than the header names"),
    ],
)
def test_bad_tab_row_names_its_line(tmp_path: Path, bad_line: str, problem: str) -> None:
    text = tab_file("Code\tDescriptor") + "\n" + bad_line + "\n99215\tFixture\n"
    with pytest.raises(ImportFormatError, match=f"cpt.txt, line 7: .*{problem}"):
        list(parse_cpt(write(tmp_path, text)))


def test_bad_csv_row_names_its_line(tmp_path: Path) -> None:
    text = "code,descriptor\n99213,Fixture one\n\n9921Z,Fixture two\n"
    with pytest.raises(ImportFormatError, match="line 4: '9921Z' is not a CPT code"):
        list(parse_cpt(write(tmp_path, text, "cpt.csv")))


def test_csv_row_without_descriptor_column(tmp_path: Path) -> None:
    text = "code,descriptor,notes\n99213\n"
    with pytest.raises(ImportFormatError, match="line 2: expected a code and a descriptor"):
        list(parse_cpt(write(tmp_path, text, "cpt.csv")))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,notes\n99213,x\n", "line 1: the header names no descriptor column"),
        ("Procedure list fixture\n99213\tx\n", "line 1: expected a header"),
        ("", "holds no CPT codes"),
        ("\n \n\t\n", "holds no CPT codes"),
    ],
)
def test_not_a_cpt_file(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ImportFormatError, match=problem):
        list(parse_cpt(write(tmp_path, text)))


def test_overlong_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="line 2: line longer than"):
        list(parse_cpt(write(tmp_path, "99213\tFixture\n99214\t" + "x" * 100_000)))


def test_progress_and_cancel(tmp_path: Path) -> None:
    text = "".join(f"{10000 + n:05d}\tFixture descriptor {n}\n" for n in range(9000))
    path = write(tmp_path, text)
    seen: list[tuple[int, int, str]] = []
    assert len(list(parse_cpt(path, progress=lambda *a: seen.append(a)))) == 9000
    assert [done for done, _, _ in seen] == [4096, 8192, 9000]
    assert seen[-1] == (9000, 9000, "CPT codes")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(parse_cpt(path, cancel=token))


# --- fuzzing ----------------------------------------------------------------------------


def parse_or_format_error(path: Path) -> None:
    """Parse `path` to the end: only ImportFormatError may escape."""
    try:
        for record in parse_cpt(path):
            assert len(record.code) == 5
            assert record.descriptor
    except ImportFormatError:
        pass


@settings(max_examples=500, deadline=None)
@given(content=st.binary(max_size=4000))
def test_fuzz_random_bytes(content: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "cpt.bin"
    path.write_bytes(content)
    parse_or_format_error(path)


@settings(max_examples=500, deadline=None)
@given(
    header=st.sampled_from(["", "Code\tDescriptor\n", "code,descriptor\n", "CPT Code,Notes\n"]),
    rows=st.lists(
        st.tuples(
            st.one_of(st.from_regex(r"[0-9]{4}[0-9FTX]", fullmatch=True), st.text(max_size=8)),
            st.sampled_from(["\t", ",", ", ", ""]),
            st.text(max_size=60),
        ).map("".join),
        max_size=15,
    ),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_fuzz_structured_text(
    header: str, rows: list[str], ending: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "cpt.txt"
    path.write_bytes((header + ending.join(rows)).encode("utf-8", "surrogatepass"))
    parse_or_format_error(path)
