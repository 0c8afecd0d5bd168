# SPDX-License-Identifier: GPL-3.0-or-later
"""HCPCS Level II parser: the real CMS files in ../shared/data, small fixtures, fuzzing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coderdesk.core.codes.hcpcs import (
    CMS_CSV,
    FIXED_WIDTH,
    SIMPLE_CSV,
    detect_hcpcs_format,
    parse_hcpcs,
)
from coderdesk.core.codes.records import HcpcsRecord, ImportFormatError
from coderdesk.core.errors import Cancelled
from coderdesk.core.progress import CancelToken

if TYPE_CHECKING:
    from pathlib import Path

ANWEB_2020 = "hcpcs/2020-anweb/HCPC2020_ANWEB_w_disclaimer.txt"
SIMPLE_2023 = "hcpcs/hcpcs-level2-2023.csv"
CSV_2026 = "hcpcs/HCPC2026_OCT_ANWEB.excerpt.csv"
CMS_CSV_HEADER = (
    "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,PRICE1,PRICE2,PRICE3,PRICE4,"
    "MULT_PI,CIM1,CIM2,CIM3,MCM1,MCM2,MCM3,STATUTE,LABCERT1,LABCERT2,LABCERT3,LABCERT4,"
    "LABCERT5,LABCERT6,LABCERT7,LABCERT8,XREF1,XREF2,XREF3,XREF4,XREF5,COV,ASC_GRP,ASC_DT,"
    "OPPS,OPPS_PI,OPPS_DT,PROCNOTE,BETOS,TOS1,TOS2,TOS3,TOS4,TOS5,ANEST_BU,ADD DT,"
    "ACT EFF DT,TERM DT,ACTION CD"
)


def by_code(records: list[HcpcsRecord]) -> dict[str, HcpcsRecord]:
    """Records keyed by code (codes and modifiers never share a code)."""
    return {record.code: record for record in records}


def fixed_record(
    code: str,
    seq: int,
    record_id: str,
    long: str,
    short: str = "",
    dates: tuple[str, str, str] = ("", "", ""),
    action: str = "",
) -> str:
    """One 320-character ANWEB record (continuations stop after the long description)."""
    head = f"{code:>5}{seq:05d}{record_id}{long:<80}"
    if record_id in "48":
        return head
    tail = f"{short:<28}".ljust(268 - 91) + "".join(f"{d:<8}" for d in dates) + f"{action:<1}"
    return (head + tail).ljust(320)


def write_fixed(path: Path, records: list[str], disclaimer: bool = True) -> Path:
    """An ANWEB-style file: a disclaimer block, then the records, CRLF line endings."""
    lines = ["Note regarding coverage and payment indicators", "", "Neither coverage.", ""]
    body = (lines if disclaimer else []) + records + [""]
    path.write_bytes("\r\n".join(body).encode("cp1252"))
    return path


# --- the real files ---------------------------------------------------------------------


@pytest.mark.needs_shared
def test_anweb_2020_counts_codes_and_modifiers(shared_data: Path) -> None:
    path = shared_data / ANWEB_2020
    assert detect_hcpcs_format(path) == FIXED_WIDTH
    records = list(parse_hcpcs(path))
    kinds = Counter(record.is_modifier for record in records)
    assert kinds[False] == 6710
    assert kinds[True] == 369
    assert len(by_code(records)) == 6710 + 369


@pytest.mark.needs_shared
def test_anweb_2020_joins_continuations_and_reads_dates(shared_data: Path) -> None:
    records = by_code(list(parse_hcpcs(shared_data / ANWEB_2020)))
    xe = records["XE"]  # right-aligned "   XE", one modifier continuation line
    assert xe.is_modifier
    assert xe.long_description == (
        "Separate encounter, a service that is distinct because it occurred during a "
        "separate encounter"
    )
    assert xe.short_description == "Separate encounter"
    assert (xe.add_date, xe.effective_date, xe.termination_date, xe.action) == (
        dt.date(2015, 1, 1),
        dt.date(2015, 1, 1),
        None,
        "N",
    )
    j3301 = records["J3301"]
    assert not j3301.is_modifier
    assert j3301.long_description == (
        "Injection, triamcinolone acetonide, not otherwise specified, 10 mg"
    )
    assert j3301.short_description == "Triamcinolone acet inj nos"
    assert (j3301.add_date, j3301.effective_date) == (dt.date(1991, 1, 1), dt.date(2009, 1, 1))
    assert records["A0130"].effective_date is None  # a blank action effective date
    assert records["GD"].termination_date == dt.date(2019, 12, 31)
    assert records["GD"].action == "D"
    g0503 = records["G0503"]  # a first line and 16 continuation lines
    assert g0503.long_description.startswith("Subsequent psychiatric collaborative care")
    assert g0503.long_description.endswith("prepared for discharge from active treatment")
    assert "  " not in g0503.long_description.replace(";  ", "; ")


@pytest.mark.needs_shared
def test_anweb_2020_descriptions_are_clean(shared_data: Path) -> None:
    records = list(parse_hcpcs(shared_data / ANWEB_2020))
    for record in records:
        assert record.long_description == record.long_description.strip()
        assert record.short_description == record.short_description.strip()
        assert record.long_description
        assert record.add_date is not None
    assert Counter(record.action for record in records) == {
        "N": 6648,
        "A": 250,
        "D": 99,
        "C": 70,
        "P": 10,
        "S": 2,
    }
    assert sum(record.termination_date is not None for record in records) == 615


@pytest.mark.needs_shared
def test_simple_2023_csv_counts(shared_data: Path) -> None:
    path = shared_data / SIMPLE_2023
    assert detect_hcpcs_format(path) == SIMPLE_CSV
    records = list(parse_hcpcs(path))
    # 7,501 data rows: one continuation row (G0503, record id 4) is left unjoined in the file.
    assert len(records) == 7500
    kinds = Counter(record.is_modifier for record in records)
    assert kinds[False] == 7125
    assert kinds[True] == 375
    codes = by_code(records)
    assert len(codes) == 7500
    assert codes["G0503"].long_description.endswith(
        "remission of symptoms and/or other treatment goals and are prepared for discharge "
        "from active treatment"
    )
    assert codes["A1"].is_modifier
    assert codes["A1"].long_description == "Dressing for one wound"  # BOM dropped
    assert all(record.add_date is None and record.action == "" for record in records)


@pytest.mark.needs_shared
def test_cms_csv_2026_excerpt_rows_and_dates(shared_data: Path) -> None:
    path = shared_data / CSV_2026
    assert detect_hcpcs_format(path) == CMS_CSV
    records = list(parse_hcpcs(path))
    summary = [
        (r.code, r.is_modifier, r.add_date, r.effective_date, r.termination_date, r.action)
        for r in records
    ]
    day = dt.date
    assert summary == [
        ("A1", True, day(2002, 7, 1), day(2002, 7, 1), None, "N"),
        ("AA", True, day(1984, 1, 1), day(2001, 1, 1), None, "N"),
        ("AC", True, day(2026, 7, 1), day(2026, 7, 1), None, "N"),
        ("AM", True, day(1991, 1, 1), day(1997, 1, 1), None, "N"),
        ("GD", True, day(2008, 1, 1), day(2020, 1, 1), day(2019, 12, 31), "N"),
        ("JG", True, day(2018, 1, 1), day(2025, 1, 1), day(2024, 12, 31), "N"),
    ]
    assert records[3].long_description == "Physician, team member service"
    assert records[3].short_description == "Physician, team member svc"
    assert records[2].long_description.startswith("Initial onboarding support payment")


# --- fixtures of our own ----------------------------------------------------------------


def test_fixed_width_fixture(tmp_path: Path) -> None:
    path = write_fixed(
        tmp_path / "anweb.txt",
        [
            fixed_record(
                "XS",
                10,
                "7",
                "Separate structure, a service that is",
                "Separate structure",
                ("20150101", "20150101", ""),
                "N",
            ),
            fixed_record("XS", 20, "8", "distinct"),
            fixed_record(
                "G0438",
                10,
                "3",
                "Annual wellness visit; first part",
                "Ppps, initial visit",
                ("20110101", "", "20261231"),
                "C",
            ),
            fixed_record("G0438", 20, "4", "second part"),
            fixed_record("G0438", 30, "4", "third part"),
            fixed_record(
                "J3301", 10, "3", "Injection, fixture", "Inj fixture", ("19910101", "20090101", "")
            ),
        ],
    )
    assert detect_hcpcs_format(path) == FIXED_WIDTH
    xs, g0438, j3301 = parse_hcpcs(path)
    assert xs == HcpcsRecord(
        "XS",
        "Separate structure, a service that is distinct",
        "Separate structure",
        True,
        dt.date(2015, 1, 1),
        dt.date(2015, 1, 1),
        None,
        "N",
    )
    assert g0438.long_description == "Annual wellness visit; first part second part third part"
    assert (g0438.effective_date, g0438.termination_date, g0438.action) == (
        None,
        dt.date(2026, 12, 31),
        "C",
    )
    assert j3301.action == ""


def test_fixed_width_windows_1252_bytes(tmp_path: Path) -> None:
    path = write_fixed(
        tmp_path / "anweb.txt",
        [fixed_record("J3301", 10, "3", "Fixture drug\u2019s description", "Fixture")],
    )
    (record,) = parse_hcpcs(path)
    assert record.long_description == "Fixture drug\u2019s description"


@pytest.mark.parametrize(
    ("records", "line", "problem"),
    [
        ([fixed_record("G0438", 20, "4", "orphan continuation")], 5, "continuation"),
        (
            [fixed_record("J3301", 10, "3", "x", "x"), fixed_record("G0438", 20, "4", "other")],
            6,
            "continuation",
        ),
        (
            [fixed_record("J3301", 10, "3", "x", "x"), fixed_record("XE", 20, "8", "wrong")],
            6,
            "continuation",
        ),
        ([fixed_record("J3301", 10, "3", "x", "x", ("2020130", "", ""))], 5, "date"),
        ([fixed_record("J3301", 10, "3", "x", "x", ("20201301", "", ""))], 5, "valid date"),
        ([fixed_record("J330", 10, "3", "x", "x")], 5, "HCPCS Level II code"),
        ([fixed_record("XEE", 10, "7", "x", "x")], 5, "modifier"),
        ([fixed_record("J3301", 10, "3", "x", "x"), "a stray line of text"], 6, "record"),
        ([fixed_record("J3301", 10, "3", "x", "x") + "overflow"], 5, "320"),
    ],
)
def test_fixed_width_rejects_bad_records(
    tmp_path: Path, records: list[str], line: int, problem: str
) -> None:
    path = write_fixed(tmp_path / "bad.txt", records)
    with pytest.raises(ImportFormatError, match=f"line {line}: .*{problem}"):
        list(parse_hcpcs(path))


def test_cms_csv_fixture_with_continuations(tmp_path: Path) -> None:
    blanks = "," * 39
    rows = [
        CMS_CSV_HEADER,
        f'J3301,0010,3,"Injection, fixture first part",Inj fixture{blanks},19910101,20090101,,N',
        f"J3301,0020,4,second part,{blanks},,,,",
        f"   XE,0010,7,Separate encounter fixture,Sep enc{blanks},20150101,20150101,20251231,D",
    ]
    assert len(rows[1].split(",")) == 49  # the quoted description holds one comma
    path = tmp_path / "cms.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert detect_hcpcs_format(path) == CMS_CSV
    j3301, xe = parse_hcpcs(path)
    assert j3301.long_description == "Injection, fixture first part second part"
    assert (j3301.add_date, j3301.effective_date, j3301.termination_date) == (
        dt.date(1991, 1, 1),
        dt.date(2009, 1, 1),
        None,
    )
    assert (xe.code, xe.is_modifier, xe.termination_date, xe.action) == (
        "XE",
        True,
        dt.date(2025, 12, 31),
        "D",
    )


def test_simple_csv_fixture_after_notice_lines(tmp_path: Path) -> None:
    path = tmp_path / "simple.csv"
    path.write_text(
        "Public domain fixture\n\nhcpcs,seqnum,recid,long_description,short_description\n"
        "G0438,0010,3,Annual wellness visit fixture,Awv fixture\nLT,0010,7,Left side,Left\n",
        encoding="utf-8",
    )
    assert detect_hcpcs_format(path) == SIMPLE_CSV
    assert [(r.code, r.is_modifier) for r in parse_hcpcs(path)] == [
        ("G0438", False),
        ("LT", True),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("G0438,0010,5,x,x", "record id"),
        ("G043,0010,3,x,x", "HCPCS Level II code"),
        ("G0438,0010", "columns"),
        ('G0438,0010,3,"unclosed', "columns|CSV"),
    ],
)
def test_simple_csv_rejects_bad_rows(tmp_path: Path, row: str, problem: str) -> None:
    path = tmp_path / "simple.csv"
    path.write_text(
        f"hcpcs,seqnum,recid,long_description,short_description\nA1,0010,7,x,x\n{row}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError, match=f"line 3: .*({problem})"):
        list(parse_hcpcs(path))


def test_cms_csv_rejects_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "cms.csv"
    path.write_text(f"{CMS_CSV_HEADER}\nJ3301,0010,3,x,x{',' * 39},1991-01-01,,,N\n")
    with pytest.raises(ImportFormatError, match="line 2: '1991-01-01' is not a date"):
        list(parse_hcpcs(path))


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", b"code,description\nJ3301,x\n", b"just some text\n" * 200, b"\x00\xff" * 9],
)
def test_not_a_hcpcs_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "other.txt"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match="not a HCPCS Level II file"):
        detect_hcpcs_format(path)
    with pytest.raises(ImportFormatError):
        list(parse_hcpcs(path))


def test_overlong_line_rejected(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("hcpcs,seqnum,recid,long_description,short_description\n" + "x" * 200_000)
    with pytest.raises(ImportFormatError, match="line 2: line longer than"):
        list(parse_hcpcs(path))


def test_progress_and_cancel(tmp_path: Path) -> None:
    rows = "".join(f"G{n:04d},0010,3,Fixture service {n},Fixture {n}\n" for n in range(10_000))
    path = tmp_path / "many.csv"
    path.write_text("hcpcs,seqnum,recid,long_description,short_description\n" + rows)
    seen: list[tuple[int, int, str]] = []
    assert len(list(parse_hcpcs(path, progress=lambda *a: seen.append(a)))) == 10_000
    assert seen[-1] == (10_000, 10_000, "HCPCS Level II codes")
    assert all(done % 4096 == 0 and total == 0 for done, total, _ in seen[:-1])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(parse_hcpcs(path, cancel=token))


# --- fuzzing ----------------------------------------------------------------------------


def parse_or_format_error(path: Path) -> None:
    """Parse `path` to the end: only ImportFormatError may escape."""
    try:
        detect_hcpcs_format(path)
        list(parse_hcpcs(path))
    except ImportFormatError:
        pass


@settings(max_examples=500, deadline=None)
@given(content=st.binary(max_size=4000))
def test_fuzz_random_bytes(content: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "hcpcs.bin"
    path.write_bytes(content)
    parse_or_format_error(path)


@settings(max_examples=500, deadline=None)
@given(
    header=st.sampled_from(
        [
            "",
            "hcpcs,seqnum,recid,long_description,short_description\n",
            CMS_CSV_HEADER + "\n",
            fixed_record("J3301", 10, "3", "Fixture", "Fixture", ("20200101", "", "")) + "\r\n",
        ]
    ),
    lines=st.lists(
        st.one_of(
            st.text(max_size=400),
            st.builds(
                fixed_record,
                st.sampled_from(["J3301", "G0438", "   XE", "LT", "J33", "x"]),
                st.integers(0, 99999),
                st.sampled_from(list("34780")),
                st.text(max_size=90),
                st.text(max_size=30),
            ),
            st.lists(st.text(max_size=12), max_size=50).map(",".join),
        ),
        max_size=12,
    ),
)
def test_fuzz_structured_text(
    header: str, lines: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "hcpcs.txt"
    path.write_bytes((header + "\n".join(lines)).encode("utf-8", "surrogatepass"))
    parse_or_format_error(path)
