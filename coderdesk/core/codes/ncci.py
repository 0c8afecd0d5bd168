# SPDX-License-Identifier: GPL-3.0-or-later
"""NCCI practitioner procedure-to-procedure (PTP) edits and MUE values, streaming.

PTP layout (tab-delimited text, or CSV, after a few header and notice lines):
`Column 1 | Column 2 | * = in existence prior to 1996 | Effective Date (YYYYMMDD) |
Deletion Date (YYYYMMDD or *) | Modifier (0, 1, 9) | PTP Edit Rationale`.
MUE layout (CSV, or tab-delimited, after possible notice lines):
`HCPCS/CPT Code | Practitioner Services MUE Values | MUE Adjudication Indicator |
MUE Rationale`, the indicator written as "1 Line Edit", "2 Date of Service Edit:
Policy" or "3 Date of Service Edit: Clinical".

Lines before the first data row (one starting with a five-character code) are skipped;
from there every non-blank row must be well formed, else `ImportFormatError` names
its line. CMS ships these files zipped: a zip holding one .txt or .csv is read in
place, after refusing unsafe member names (zip slip), too many members, members over
2 GB uncompressed and compression ratios above 200 (zip bombs).
"""

from __future__ import annotations

import contextlib
import csv
import lzma
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Generic, TypeVar

from coderdesk.core.codes.hcpcs import (
    MAX_PREAMBLE_LINES,
    ROWS_PER_CHECK,
    format_error,
    parse_date,
    shown,
    text_lines,
)
from coderdesk.core.codes.records import ImportFormatError, MueValue, PtpEdit
from coderdesk.core.progress import no_progress

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Iterator

    from coderdesk.core.progress import CancelToken, ProgressCallback

MAX_ZIP_MEMBERS = 8
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FLOOR = 1024 * 1024  # below this size a high ratio cannot hurt
DATA_SUFFIXES = (".txt", ".csv")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

PTP_LABEL = "NCCI PTP edits"
MUE_LABEL = "MUE values"
PTP_COLUMNS = 7
MUE_COLUMNS = 4

_CODE_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
MUE_INDICATORS = {
    1: "1 Line Edit",
    2: "2 Date of Service Edit: Policy",
    3: "3 Date of Service Edit: Clinical",
}
_MUE_INDICATOR = re.compile(r"([123])(?![0-9]).*", re.DOTALL)
_UNITS = re.compile(r"[0-9]{1,6}")
_DRIVE = re.compile(r"[A-Za-z]:")
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)

R = TypeVar("R")


# --- public parsers ---------------------------------------------------------------------


def parse_ptp(
    path: str | os.PathLike[str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[PtpEdit]:
    """The edits of a practitioner PTP file (.txt, .csv, or a .zip holding one), lazily."""
    return _parse(Path(path), _PTP, progress, cancel)


def parse_mue(
    path: str | os.PathLike[str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[MueValue]:
    """The values of a practitioner MUE file (.csv, .txt, or a .zip holding one), lazily."""
    return _parse(Path(path), _MUE, progress, cancel)


# --- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout(Generic[R]):
    """How to read one kind of file: its data rows, and the record each one makes."""

    what: str
    label: str
    columns: int
    column_names: str
    from_fields: Callable[[list[str]], R]  # ValueError with a message on a bad row
    fast: Callable[[str, str], R | None] | None = None  # (line, delimiter); None: not sure


def _parse(
    path: Path, layout: _Layout[R], progress: ProgressCallback, cancel: CancelToken | None
) -> Iterator[R]:
    with open_release(path) as stream:
        lines = text_lines(stream, path.name)
        head = list(islice(lines, MAX_PREAMBLE_LINES))
        start, delimiter = _data_start(head, layout, path.name)
        body = chain(head[start:], lines)
        reader = _Reader(layout, delimiter, path.name, progress, cancel)
        yield from reader.records(body, start + 1)


def _data_start(head: list[str], layout: _Layout[R], source: str) -> tuple[int, str]:
    """The index of the first data row among the first lines, and its delimiter."""
    for index, line in enumerate(head):
        for delimiter in ("\t", ","):
            fields = _split(line, delimiter) or [""]
            if len(fields) >= layout.columns - 1 and _is_code(fields[0].strip()):
                return index, delimiter
    raise ImportFormatError(
        f"{source} holds no {layout.what} rows in its first {MAX_PREAMBLE_LINES} lines; "
        "is it the right file?"
    )


@dataclass(frozen=True)
class _Reader(Generic[R]):
    """Turns the lines from the first data row on into records, reporting progress."""

    layout: _Layout[R]
    delimiter: str
    source: str
    progress: ProgressCallback
    cancel: CancelToken | None

    def records(self, lines: Iterable[str], first: int) -> Iterator[R]:
        """One record per non-blank line: the fast path first, the checking path when unsure."""
        fast, delimiter, count = self.layout.fast, self.delimiter, 0
        for number, line in enumerate(lines, start=first):
            try:
                record = None if fast is None else fast(line, delimiter)
            except ValueError:
                record = None
            if record is None:
                record = _checked(line, number, delimiter, self.layout, self.source)
                if record is None:
                    continue
            count += 1
            if count % ROWS_PER_CHECK == 0:
                self.tick(count, 0)
            yield record
        self.tick(count, count)

    def tick(self, done: int, total: int) -> None:
        """Report progress and stop here when cancelled."""
        self.progress(done, total, self.layout.label)
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()


def _checked(line: str, number: int, delimiter: str, layout: _Layout[R], source: str) -> R | None:
    """The line's record, None for a blank row, or an error naming the line."""
    split = _split(line.rstrip("\r\n"), delimiter)
    if split is None:
        raise format_error(source, number, "not valid CSV")
    fields = [field.strip() for field in split]
    if not any(fields):
        return None
    if len(fields) < layout.columns - 1 or any(fields[layout.columns :]):
        raise format_error(
            source, number, f"expected {layout.columns} columns: {layout.column_names}"
        )
    fields += [""] * (layout.columns - len(fields))
    try:
        return layout.from_fields(fields[: layout.columns])
    except ValueError as error:
        raise format_error(source, number, str(error)) from None


def _split(line: str, delimiter: str) -> list[str] | None:
    """The fields of one line, or None when it is not valid CSV (an unclosed quote...)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return None


def _is_code(text: str) -> bool:
    """Whether `text` is a five-character CPT or HCPCS code (digits and capital letters)."""
    return len(text) == 5 and _CODE_CHARACTERS.issuperset(text)


def _procedure_code(text: str) -> str:
    if not _is_code(text):
        raise ValueError(f"{shown(text)} is not a CPT or HCPCS code")
    return text


# --- PTP --------------------------------------------------------------------------------


def _ptp_from_fields(fields: list[str]) -> PtpEdit:
    column1, column2, prior, effective, deletion, modifier, rationale = fields
    return PtpEdit(
        column1=_procedure_code(column1),
        column2=_procedure_code(column2),
        prior_1996=_prior_1996(prior),
        effective=parse_date(effective),
        deletion=None if deletion in _NO_DATE else parse_date(deletion),
        modifier_indicator=_modifier_indicator(modifier),
        rationale=rationale,
    )


def _ptp_fast(line: str, delimiter: str) -> PtpEdit | None:
    """The edit of a plain, well-formed line; None sends the line to the checking path."""
    fields = line.split(delimiter)
    if len(fields) != PTP_COLUMNS or '"' in line:
        return None
    column1, column2, prior, effective, deletion, modifier, rationale = fields
    indicator = _MODIFIER_INDICATORS.get(modifier)
    if indicator is None or prior not in _PRIOR_FLAGS or len(column1) != 5 or len(column2) != 5:
        return None
    if not (_CODE_CHARACTERS.issuperset(column1) and _CODE_CHARACTERS.issuperset(column2)):
        return None
    ends = None if deletion in _NO_DATE else parse_date(deletion)
    return PtpEdit(
        column1, column2, prior == "*", parse_date(effective), ends, indicator, rationale.strip()
    )


_NO_DATE = frozenset({"*", ""})
_PRIOR_FLAGS = frozenset({"*", ""})
_MODIFIER_INDICATORS = {"0": 0, "1": 1, "9": 9}


def _prior_1996(text: str) -> bool:
    if text not in _PRIOR_FLAGS:
        raise ValueError(f"prior-1996 flag {shown(text)} is neither '*' nor blank")
    return text == "*"


def _modifier_indicator(text: str) -> int:
    indicator = _MODIFIER_INDICATORS.get(text)
    if indicator is None:
        raise ValueError(f"modifier indicator {shown(text)} is not 0, 1 or 9")
    return indicator


_PTP = _Layout(
    "PTP edit",
    PTP_LABEL,
    PTP_COLUMNS,
    "column 1, column 2, prior-1996 flag, effective date, deletion date, modifier "
    "indicator, rationale",
    _ptp_from_fields,
    _ptp_fast,
)


# --- MUE --------------------------------------------------------------------------------


def _mue_from_fields(fields: list[str]) -> MueValue:
    code, units, indicator, rationale = fields
    number, text = _adjudication(indicator)
    return MueValue(
        code=_procedure_code(code),
        value=_units(units),
        adjudication_indicator=number,
        indicator_text=text,
        rationale=rationale,
    )


def _units(text: str) -> int:
    if _UNITS.fullmatch(text) is None:
        raise ValueError(f"MUE value {shown(text)} is not a whole number")
    return int(text)


def _adjudication(text: str) -> tuple[int, str]:
    """The indicator's number and text ("2 Date of Service Edit: Policy")."""
    match = _MUE_INDICATOR.fullmatch(text)
    if match is None:
        raise ValueError(f"adjudication indicator {shown(text)} does not start with 1, 2 or 3")
    indicator = int(match.group(1))
    return indicator, text if len(text) > 1 else MUE_INDICATORS[indicator]


_MUE = _Layout(
    "MUE",
    MUE_LABEL,
    MUE_COLUMNS,
    "code, MUE value, adjudication indicator, rationale",
    _mue_from_fields,
)


# --- zip --------------------------------------------------------------------------------


@contextlib.contextmanager
def open_release(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes; for a zip, those of the one .txt or .csv inside it."""
    if not _is_zip(path):
        with path.open("rb") as stream:
            yield stream
        return
    try:
        with zipfile.ZipFile(path) as archive:
            member = safe_member(archive, path.name)
            with archive.open(member) as stream:
                yield stream
    except _ZIP_ERRORS as error:
        raise ImportFormatError(f"{path.name} is not a readable zip file ({error}).") from None


def _is_zip(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(4) in ZIP_MAGIC


def safe_member(archive: zipfile.ZipFile, source: str) -> zipfile.ZipInfo:
    """The archive's one data member, once every member passed the safety checks."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFormatError(
            f"{source} holds {len(members)} files; an NCCI or MUE zip holds at most "
            f"{MAX_ZIP_MEMBERS}. It was not read."
        )
    for info in members:
        _check_member(info, source)
    return _data_member(members, source)


def _check_member(info: zipfile.ZipInfo, source: str) -> None:
    if unsafe_name(info.orig_filename) or unsafe_name(info.filename):
        raise ImportFormatError(
            f"{source} holds a file named {shown(info.orig_filename, 60)}, which is empty or "
            "points outside its folder (zip slip). It was not read."
        )
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportFormatError(
            f"{source}: {shown(info.filename, 60)} would be larger than 2 GB uncompressed. "
            "It was not read."
        )
    ratio_limit = MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
    if info.file_size > RATIO_CHECK_FLOOR and info.file_size > ratio_limit:
        raise ImportFormatError(
            f"{source}: {shown(info.filename, 60)} is compressed more than "
            f"{MAX_COMPRESSION_RATIO} to 1 (a zip bomb?). It was not read."
        )


def unsafe_name(name: str) -> bool:
    """Whether a member name is empty, absolute, has a drive or a NUL, or climbs with `..`."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return ".." in re.split(r"[\\/]", name)


def _data_member(members: Iterable[zipfile.ZipInfo], source: str) -> zipfile.ZipInfo:
    data = [
        info
        for info in members
        if not info.is_dir() and info.filename.lower().endswith(DATA_SUFFIXES)
    ]
    if len(data) != 1:
        raise ImportFormatError(
            f"{source} holds {len(data)} .txt or .csv files; expected exactly one."
        )
    return data[0]
