# SPDX-License-Identifier: GPL-3.0-or-later
"""NCCI PTP and MUE parsers on fixtures written in the CMS layouts (HCPCS Level II codes and
invented code pairs, never CPT content), hostile zips, a 2-million-row file, and fuzzing."""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import time
import tracemalloc
import zipfile
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coderdesk.core.codes.ncci import parse_mue, parse_ptp
from coderdesk.core.codes.records import ImportFormatError, MueValue, PtpEdit
from coderdesk.core.errors import Cancelled
from coderdesk.core.progress import CancelToken

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

PTP_NOTICE = [
    "CPT codes, descriptions and other data only are copyright of their owners (fixture notice)",
    "Column 1/Column 2 Edits",
    'Column 1\tColumn 2\t"* = in existence prior to 1996"\tEffective Date\t'
    'Deletion Date *=no data\t"Modifier',
    "0=not allowed",
    "1=allowed",
    '9=not applicable"\tPTP Edit Rationale',
]
PTP_ROWS = [
    "J3301\tG0438\t*\t19960101\t*\t1\tMisuse of column two code with column one code",
    "G0438\tJ3301\t\t20110101\t20191231\t0\tMutually exclusive procedures",
    "10001\t10002\t\t20200401\t*\t9\tStandards of medical / surgical practice",
    '10001\t10003\t\t20200401\t*\t1\tCPT "separate procedure" definition',
]
PTP_EXPECTED = [
    PtpEdit(
        "J3301",
        "G0438",
        True,
        dt.date(1996, 1, 1),
        None,
        1,
        "Misuse of column two code with column one code",
    ),
    PtpEdit(
        "G0438",
        "J3301",
        False,
        dt.date(2011, 1, 1),
        dt.date(2019, 12, 31),
        0,
        "Mutually exclusive procedures",
    ),
    PtpEdit(
        "10001",
        "10002",
        False,
        dt.date(2020, 4, 1),
        None,
        9,
        "Standards of medical / surgical practice",
    ),
    PtpEdit(
        "10001", "10003", False, dt.date(2020, 4, 1), None, 1, 'CPT "separate procedure" definition'
    ),
]
MUE_NOTICE = [
    '"CPT codes, descriptions and other data only are copyright of their owners.',
    'Fixture notice on a second line."',
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale",
]
MUE_ROWS = [
    "J3301,8,3 Date of Service Edit: Clinical,Prescribing Information",
    "G0438,1,2 Date of Service Edit: Policy,CMS Policy",
    '10001,2,1 Line Edit,"Anatomic Consideration, fixture"',
]
MUE_EXPECTED = [
    MueValue("J3301", 8, 3, "3 Date of Service Edit: Clinical", "Prescribing Information"),
    MueValue("G0438", 1, 2, "2 Date of Service Edit: Policy", "CMS Policy"),
    MueValue("10001", 2, 1, "1 Line Edit", "Anatomic Consideration, fixture"),
]


def write_lines(path: Path, lines: list[str], ending: str = "\r\n") -> Path:
    """Write `lines` with CMS's CRLF endings."""
    path.write_bytes((ending.join(lines) + ending).encode("utf-8"))
    return path


def zipped(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip holding `members` (name -> content), names stored exactly as given."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return path


def as_csv(tab_line: str) -> str:
    """A tab-delimited fixture row as a CSV row (quoting fields with quotes or commas)."""
    fields = []
    for field in tab_line.split("\t"):
        quoted = '"' + field.replace('"', '""') + '"'
        fields.append(quoted if '"' in field or "," in field else field)
    return ",".join(fields)


def refused_quickly(parse: Callable[[Path], Iterator[object]], path: Path, match: str) -> None:
    """`parse` must refuse `path` with ImportFormatError matching `match`, within a second."""
    start = time.perf_counter()
    with pytest.raises(ImportFormatError, match=match):
        list(parse(path))
    assert time.perf_counter() - start < 1.0


# --- PTP --------------------------------------------------------------------------------


def test_ptp_tab_delimited_after_notice_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "ptp.txt", PTP_NOTICE + PTP_ROWS + ["", ""])
    assert list(parse_ptp(path)) == PTP_EXPECTED


def test_ptp_csv(tmp_path: Path) -> None:
    lines = [
        "Column 1,Column 2,* = in existence prior to 1996,Effective Date,Deletion Date,"
        "Modifier,PTP Edit Rationale"
    ] + [as_csv(row) for row in PTP_ROWS]
    assert list(parse_ptp(write_lines(tmp_path / "ptp.csv", lines, "\n"))) == PTP_EXPECTED


def test_ptp_in_a_zip_with_other_files(tmp_path: Path) -> None:
    data = write_lines(tmp_path / "ptp.txt", PTP_NOTICE + PTP_ROWS).read_bytes()
    path = zipped(
        tmp_path / "ptp.zip",
        {"ccipra-fixture-f1.TXT": data, "ccipra-fixture-f1.xlsx": b"PK not read", "docs/": b""},
    )
    assert list(parse_ptp(path)) == PTP_EXPECTED


def test_ptp_tolerates_trailing_tabs_spaces_and_a_missing_rationale(tmp_path: Path) -> None:
    rows = [
        "J3301\tG0438\t*\t19960101\t*\t1\tRationale fixture\t\t",
        " G0438 \tJ3301\t\t20110101\t*\t0",
    ]
    edits = list(parse_ptp(write_lines(tmp_path / "ptp.txt", rows)))
    assert [(e.column1, e.column2, e.rationale) for e in edits] == [
        ("J3301", "G0438", "Rationale fixture"),
        ("G0438", "J3301", ""),
    ]


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("J3301\tG0438\t\t2011010\t*\t1\tx", "'2011010' is not a date"),
        ("J3301\tG0438\t\t20111301\t*\t1\tx", "'20111301' is not a valid date"),
        ("J3301\tG0438\t\t20110101\t2019-12-31\t1\tx", "'2019-12-31' is not a date"),
        ("J3301\tG0438\t\t20110101\t*\t2\tx", "modifier indicator '2' is not 0, 1 or 9"),
        ("J3301\tG0438\t**\t20110101\t*\t1\tx", "prior-1996 flag"),
        ("J3301\tG043\t\t20110101\t*\t1\tx", "'G043' is not a CPT or HCPCS code"),
        ("j3301\tG0438\t\t20110101\t*\t1\tx", "'j3301' is not a CPT or HCPCS code"),
        ("J3301\tG0438\t\t20110101", "expected 7 columns"),
        ("J3301\tG0438\t\t20110101\t*\t1\tx\tunexpected", "expected 7 columns"),
        ("End of fixture file", "expected 7 columns"),
    ],
)
def test_ptp_malformed_row_names_its_line(tmp_path: Path, bad_row: str, problem: str) -> None:
    lines = PTP_NOTICE + PTP_ROWS + ["", bad_row] + PTP_ROWS
    path = write_lines(tmp_path / "ptp.txt", lines)
    line = len(PTP_NOTICE) + len(PTP_ROWS) + 2
    with pytest.raises(ImportFormatError, match=f"ptp.txt, line {line}: .*{problem}"):
        list(parse_ptp(path))


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\r\n\r\n",
        b"Column 1\tColumn 2\n",
        b"no edits here\n" * 300,
        "\t".join("ABCDEFG").encode(),
    ],
)
def test_ptp_without_data_rows(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ptp.txt"
    path.write_bytes(content)
    refused_quickly(parse_ptp, path, "no PTP edit rows|is the right file")


def test_ptp_progress_and_cancel(tmp_path: Path) -> None:
    rows = [f"{10000 + n:05d}\t{20000 + n:05d}\t\t20200101\t*\t1\tFixture" for n in range(10_000)]
    path = write_lines(tmp_path / "ptp.txt", PTP_NOTICE + rows)
    seen: list[tuple[int, int, str]] = []
    assert len(list(parse_ptp(path, progress=lambda *a: seen.append(a)))) == 10_000
    assert seen == [
        (4096, 0, "NCCI PTP edits"),
        (8192, 0, "NCCI PTP edits"),
        (10_000, 10_000, "NCCI PTP edits"),
    ]
    token = CancelToken()
    edits = parse_ptp(path, cancel=token)
    next(edits)
    token.cancel()
    with pytest.raises(Cancelled):
        list(edits)


# --- MUE --------------------------------------------------------------------------------


def test_mue_csv_after_notice_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mue.csv", MUE_NOTICE + MUE_ROWS + [",,,", ""])
    assert list(parse_mue(path)) == MUE_EXPECTED


def test_mue_tab_delimited_and_zipped(tmp_path: Path) -> None:
    lines = [row.replace(",", "\t", 3).replace('"', "") for row in MUE_ROWS]
    text = write_lines(tmp_path / "mue.txt", lines).read_bytes()
    path = zipped(tmp_path / "mue.zip", {"MCR_MUE_Fixture.txt": text})
    assert list(parse_mue(path)) == MUE_EXPECTED


def test_mue_bare_indicator_number(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mue.csv", ["J3301,8,3,Fixture"])
    assert list(parse_mue(path)) == [
        MueValue("J3301", 8, 3, "3 Date of Service Edit: Clinical", "Fixture")
    ]


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("J3301,eight,3 Date of Service Edit: Clinical,x", "MUE value 'eight' is not a whole"),
        ("J3301,-1,1 Line Edit,x", "MUE value '-1'"),
        ("J3301,8,4 Other,x", "adjudication indicator '4 Other'"),
        ("J3301,8,12 Line Edit,x", "adjudication indicator"),
        ("J3301,8,,x", "adjudication indicator ''"),
        ("J33011,8,1 Line Edit,x", "is not a CPT or HCPCS code"),
        ("J3301,8", "expected 4 columns"),
        ('J3301,8,1 Line Edit,"unclosed', "not valid CSV"),
        ('J3301,8,1 Line Edit,"closed"early', "not valid CSV"),
    ],
)
def test_mue_malformed_row_names_its_line(tmp_path: Path, bad_row: str, problem: str) -> None:
    path = write_lines(tmp_path / "mue.csv", MUE_NOTICE + MUE_ROWS + [bad_row])
    line = len(MUE_NOTICE) + len(MUE_ROWS) + 1
    with pytest.raises(ImportFormatError, match=f"mue.csv, line {line}: .*({problem})"):
        list(parse_mue(path))


def test_mue_progress_and_cancel(tmp_path: Path) -> None:
    rows = [f"{10000 + n:05d},{n % 9},1 Line Edit,Fixture" for n in range(5000)]
    path = write_lines(tmp_path / "mue.csv", MUE_NOTICE + rows)
    seen: list[tuple[int, int, str]] = []
    assert len(list(parse_mue(path, progress=lambda *a: seen.append(a)))) == 5000
    assert seen == [(4096, 0, "MUE values"), (5000, 5000, "MUE values")]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(parse_mue(path, cancel=token))


# --- hostile zips -----------------------------------------------------------------------

PARSERS = [parse_ptp, parse_mue]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(
    "name",
    [
        "../../evil.txt",
        "/etc/evil.txt",
        "docs/../../evil.txt",
        "..\\evil.txt",
        "C:\\evil.txt",
        "C:/evil.txt",
    ],
)
def test_zip_slip_refused(
    tmp_path: Path, parse: Callable[[Path], Iterator[object]], name: str
) -> None:
    path = zipped(tmp_path / "slip.zip", {name: b"J3301\tG0438\t\t20200101\t*\t1\tx\n"})
    refused_quickly(parse, path, "zip slip")


def test_zip_slip_refused_even_beside_a_safe_member(tmp_path: Path) -> None:
    path = zipped(tmp_path / "slip.zip", {"ptp.txt": b"", "../readme.pdf": b""})
    refused_quickly(parse_ptp, path, "zip slip")


def test_zip_member_without_a_name_refused(tmp_path: Path) -> None:
    path = zipped(tmp_path / "nameless.zip", {"\x00evil.txt": b""})  # stored as ""
    refused_quickly(parse_ptp, path, "is empty or points outside its folder")


@pytest.mark.parametrize("parse", PARSERS)
def test_zip_bomb_by_ratio_refused(
    tmp_path: Path, parse: Callable[[Path], Iterator[object]]
) -> None:
    path = zipped(tmp_path / "bomb.zip", {"ptp.txt": b"\t" * (16 * 1024 * 1024)})
    assert os.path.getsize(path) < 100_000  # compressed about 1,000 to 1
    refused_quickly(parse, path, "compressed more than 200 to 1")


def declare_size(path: Path, size: int) -> None:
    """Rewrite the central directory so the first member claims `size` bytes, both ways."""
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    struct.pack_into("<II", data, entry + 20, size, size)  # compressed, uncompressed
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("parse", PARSERS)
def test_zip_member_over_2_gb_refused(
    tmp_path: Path, parse: Callable[[Path], Iterator[object]]
) -> None:
    path = zipped(tmp_path / "huge.zip", {"ptp.txt": b"J3301"}, zipfile.ZIP_STORED)
    declare_size(path, 3_000_000_000)
    with zipfile.ZipFile(path) as archive:
        assert archive.infolist()[0].file_size == 3_000_000_000
    refused_quickly(parse, path, "larger than 2 GB")


@pytest.mark.parametrize("parse", PARSERS)
def test_zip_with_too_many_members_refused(
    tmp_path: Path, parse: Callable[[Path], Iterator[object]]
) -> None:
    path = zipped(tmp_path / "many.zip", {f"part{n}.txt": b"x" for n in range(500)})
    refused_quickly(parse, path, "holds 500 files")


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"a.txt": b"", "b.csv": b""}, "holds 2 .txt or .csv files"),
        ({"ptp.xlsx": b"", "ptp.pdf": b""}, "holds 0 .txt or .csv files"),
        ({}, "holds 0 .txt or .csv files"),
    ],
)
def test_zip_needs_exactly_one_data_file(
    tmp_path: Path, members: dict[str, bytes], problem: str
) -> None:
    refused_quickly(parse_ptp, zipped(tmp_path / "odd.zip", members), problem)


def test_damaged_zips_refused(tmp_path: Path) -> None:
    rows = "\r\n".join(PTP_ROWS * 50).encode()
    data = zipped(tmp_path / "good.zip", {"ptp.txt": rows}, zipfile.ZIP_STORED).read_bytes()
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(data[: len(data) // 2])  # no central directory
    refused_quickly(parse_ptp, damaged, "not a readable zip file")
    damaged.write_bytes(data[:30] + b"q" + data[31:])  # the local header's name differs
    refused_quickly(parse_ptp, damaged, "not a readable zip file")
    position = data.rindex(b"Mutually exclusive")
    damaged.write_bytes(data[:position] + b"m" + data[position + 1 :])  # still a valid row
    refused_quickly(parse_ptp, damaged, "not a readable zip file .*CRC")


# --- 2 million rows, streaming ----------------------------------------------------------

TOTAL_ROWS = 2_000_000
TRACED_ROWS = 150_000
ROWS_PER_BLOCK = 10_000
MEMORY_LIMIT = 50 * 1024 * 1024


def write_big_ptp(path: Path) -> None:
    """2 million edit rows in the practitioner layout (invented pairs, J3301/G0438 among them)."""
    blocks = [
        "".join(
            f"{10000 + (n * 7 + year) % 9000:05d}\t"
            f"{('J3301', 'G0438', f'{20000 + n % 5000:05d}')[n % 3]}\t"
            f"{'*' if n % 11 == 0 else ''}\t{year}0{1 + n % 9}01\t"
            f"{'*' if n % 4 else f'{year + 3}1231'}\t{'019'[n % 3]}\t"
            "Misuse of column two code with column one code\r\n"
            for n in range(ROWS_PER_BLOCK)
        ).encode()
        for year in (2019, 2020, 2021, 2022)
    ]
    with path.open("wb") as stream:
        stream.write("\r\n".join(PTP_NOTICE).encode() + b"\r\n")
        for index in range(TOTAL_ROWS // ROWS_PER_BLOCK):
            stream.write(blocks[index % len(blocks)])


def resident_bytes() -> int:
    """This process's resident memory (Linux /proc; 0 elsewhere, which skips that check)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def test_two_million_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    """2 million rows parsed with memory growth under 50 MB.

    Tracemalloc slows every allocation about fivefold, so it traces the last 150,000 rows:
    their peak must stay under the limit and what they leave behind, scaled to 2 million
    rows, too. Resident memory is sampled across all 2 million rows as well.
    """
    path = tmp_path / "ptp-2m.txt"
    write_big_ptp(path)
    assert not tracemalloc.is_tracing()
    resident = [resident_bytes()]
    count, final = 0, None
    try:
        for count, edit in enumerate(parse_ptp(path), start=1):
            if count == TOTAL_ROWS - TRACED_ROWS:
                tracemalloc.start()
            if count % 100_000 == 0:
                resident.append(resident_bytes())
            final = edit
        left_behind, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == TOTAL_ROWS
    assert final == PtpEdit(
        "10015",
        "J3301",
        True,
        dt.date(2022, 1, 1),
        None,
        0,
        "Misuse of column two code with column one code",
    )
    assert traced_peak < MEMORY_LIMIT
    assert left_behind * (TOTAL_ROWS / TRACED_ROWS) < MEMORY_LIMIT
    assert max(resident) - resident[0] < MEMORY_LIMIT


# --- fuzzing ----------------------------------------------------------------------------


def parse_or_format_error(parse: Callable[[Path], Iterator[object]], path: Path) -> None:
    """Parse `path` to the end: only ImportFormatError may escape."""
    try:
        for _ in parse(path):
            pass
    except ImportFormatError:
        pass


def fuzz_file(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> Path:
    """A fresh file holding `content`."""
    path = tmp_path_factory.mktemp("fuzz") / "release.txt"
    path.write_bytes(content)
    return path


@settings(max_examples=500, deadline=None)
@given(content=st.binary(max_size=4000), zip_header=st.booleans())
def test_fuzz_random_bytes(
    content: bytes, zip_header: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = fuzz_file(tmp_path_factory, (b"PK\x03\x04" if zip_header else b"") + content)
    for parse in PARSERS:
        parse_or_format_error(parse, path)


PTP_FIELD = st.one_of(
    st.sampled_from(["J3301", "G0438", "10001", "*", "", "0", "1", "9", "20200101", "20201301"]),
    st.text(max_size=12),
)
MUE_FIELD = st.one_of(
    st.sampled_from(["J3301", "8", "1 Line Edit", "2 Date of Service Edit: Policy", "3", "x"]),
    st.text(max_size=12),
)


@settings(max_examples=500, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.one_of(PTP_FIELD, MUE_FIELD), min_size=0, max_size=9),
            st.sampled_from(["\t", ","]),
        ).map(lambda fields_and_delimiter: fields_and_delimiter[1].join(fields_and_delimiter[0])),
        max_size=12,
    ),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    seed_row=st.sampled_from(["", PTP_ROWS[0], MUE_ROWS[0]]),
)
def test_fuzz_structured_rows(
    rows: list[str], ending: str, seed_row: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = ending.join([seed_row, *rows])
    path = fuzz_file(tmp_path_factory, text.encode("utf-8", "surrogatepass"))
    for parse in PARSERS:
        parse_or_format_error(parse, path)


@settings(max_examples=500, deadline=None)
@given(
    members=st.dictionaries(
        st.one_of(
            st.sampled_from(["ptp.txt", "mue.csv", "../x.txt", "a/b.TXT"]), st.text(max_size=20)
        ),
        st.binary(max_size=300),
        max_size=4,
    ),
    flip=st.tuples(st.integers(0, 10_000), st.integers(1, 255)),
)
def test_fuzz_zips(
    members: dict[str, bytes], flip: tuple[int, int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name or "unnamed"), content)
    data = bytearray(buffer.getvalue())
    if data and flip[0] < len(data):
        data[flip[0]] ^= flip[1]  # one damaged byte somewhere, or none
    path = fuzz_file(tmp_path_factory, bytes(data))
    for parse in PARSERS:
        parse_or_format_error(parse, path)
