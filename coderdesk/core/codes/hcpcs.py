# SPDX-License-Identifier: GPL-3.0-or-later
"""HCPCS Level II release files: CMS's fixed-width ANWEB text, its CSV form, a simple CSV.

All three hold one row per code or Level II modifier plus continuation rows (record id
4 after a code's 3, 8 after a modifier's 7) that carry the rest of a long description;
the parser joins them and yields one `HcpcsRecord` per code or modifier, streaming.

The fixed-width file has 320-character records after a disclaimer block: code 1-5,
sequence 6-10, record id 11, long description 12-91, short description 92-119, then
pricing and coverage data, code added date 269-276, action effective date 277-284,
termination date 285-292 and action code 293 (dates YYYYMMDD, blank when none).
Modifiers are right-aligned in the code field (`"   XE"`); continuation lines stop
after the long description.

The release-file text helpers below (bounded line reading, decoding, CSV rows with
line numbers, dates, progress) are shared by the CPT and NCCI/MUE parsers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from coderdesk.core.codes.records import HcpcsRecord, ImportFormatError
from coderdesk.core.progress import no_progress

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator

    from coderdesk.core.progress import CancelToken, ProgressCallback

FIXED_WIDTH = "anweb-fixed-width"
CMS_CSV = "anweb-csv"
SIMPLE_CSV = "simple-csv"

MAX_LINE_CHARS = 64 * 1024
MAX_PREAMBLE_LINES = 100
ROWS_PER_CHECK = 4096
RECORD_WIDTH = 320
_FALLBACK_ERRORS = "coderdesk-cp1252-fallback"
HCPCS_LABEL = "HCPCS Level II codes"

CODE_ID, CODE_CONTINUATION_ID, MODIFIER_ID, MODIFIER_CONTINUATION_ID = "3", "4", "7", "8"
_FIRST_LINE_OF = {CODE_CONTINUATION_ID: CODE_ID, MODIFIER_CONTINUATION_ID: MODIFIER_ID}
_RECORD_IDS = frozenset({CODE_ID, CODE_CONTINUATION_ID, MODIFIER_ID, MODIFIER_CONTINUATION_ID})
_MODIFIER_IDS = frozenset({MODIFIER_ID, MODIFIER_CONTINUATION_ID})

LEVEL2_CODE = re.compile(r"[A-Z][0-9]{4}")
LEVEL2_MODIFIER = re.compile(r"[0-9A-Z]{2}")
_FIXED_RECORD = re.compile(r"[0-9A-Z ]{5}[0-9]{5}[3478]")

# CSV header names (lower case, single spaces) mapped to the field they hold.
_CSV_COLUMNS = {
    "hcpc": "code",
    "hcpcs": "code",
    "hcpcs code": "code",
    "recid": "record_id",
    "rec id": "record_id",
    "long description": "long",
    "short description": "short",
    "add dt": "add",
    "add date": "add",
    "act eff dt": "effective",
    "action effective date": "effective",
    "term dt": "termination",
    "termination date": "termination",
    "action cd": "action",
    "action code": "action",
}
_REQUIRED_CSV_FIELDS = ("code", "record_id", "long", "short")
_DATE_FIELDS = ("add", "effective", "termination")

T = TypeVar("T")


# --- release-file text helpers (shared with cpt.py and ncci.py) -------------------------


def format_error(source: str, line: int, problem: str) -> ImportFormatError:
    """An `ImportFormatError` naming the file and the line."""
    return ImportFormatError(f"{source}, line {line}: {problem}")


def shown(text: str, limit: int = 24) -> str:
    """A short, quoted excerpt of a field for an error message."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252, CMS's encoding (`CMS\x92` -> `CMS’`)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    undecoded = bytes(error.object[error.start : error.end])
    return undecoded.decode("cp1252", errors="replace"), error.end


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


def text_lines(stream: IO[bytes], source: str) -> Iterator[str]:
    """The stream's lines as text, endings kept, byte-order mark dropped, each bounded.

    UTF-8 where the bytes are UTF-8, Windows-1252 elsewhere; a line longer than
    `MAX_LINE_CHARS` raises `ImportFormatError` before more of it is read.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors=_FALLBACK_ERRORS, newline="")
    try:
        number = 0
        while line := text.readline(MAX_LINE_CHARS + 1):
            number += 1
            if len(line) > MAX_LINE_CHARS:
                raise format_error(source, number, f"line longer than {MAX_LINE_CHARS} characters")
            yield line
    finally:
        if not stream.closed:
            text.detach()  # the caller owns `stream`: the wrapper must not close it


def csv_rows(
    lines: Iterable[str], source: str, delimiter: str = ",", quoted: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """CSV (or tab-delimited) rows with the number of the line each one ends on.

    With `quoted` false, double quotes are plain characters (AMA tab-delimited files).
    """
    if quoted:
        reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    else:
        reader = csv.reader(lines, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise format_error(source, reader.line_num, f"not valid CSV ({error})") from None
        yield reader.line_num, row


def is_blank(row: list[str]) -> bool:
    """Whether a row has no content at all."""
    return not any(field.strip() for field in row)


def normalized(name: str) -> str:
    """A header name in lower case with single spaces (`LONG_DESCRIPTION` -> `long description`)."""
    return " ".join(name.replace("_", " ").lower().split())


@functools.lru_cache(maxsize=8192)
def parse_date(text: str) -> dt.date:
    """A YYYYMMDD date; ValueError when `text` is anything else."""
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise ValueError(f"{shown(text)} is not a date (YYYYMMDD)")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f"{shown(text)} is not a valid date") from None


def optional_date(text: str) -> dt.date | None:
    """A YYYYMMDD date, or None when `text` is blank; ValueError otherwise."""
    value = text.strip()
    return parse_date(value) if value else None


def counted(
    items: Iterable[T], progress: ProgressCallback, cancel: CancelToken | None, label: str
) -> Iterator[T]:
    """`items` unchanged, reporting the count and checking `cancel` every few thousand."""
    count = 0
    for item in items:
        count += 1
        if count % ROWS_PER_CHECK == 0:
            progress(count, 0, label)
            if cancel is not None:
                cancel.raise_if_cancelled()
        yield item
    progress(count, count, label)


# --- HCPCS ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One physical row of any HCPCS layout, before continuation rows are joined."""

    line: int
    code: str
    record_id: str
    long: str
    short: str = ""
    add: dt.date | None = None
    effective: dt.date | None = None
    termination: dt.date | None = None
    action: str = ""


def detect_hcpcs_format(path: str | os.PathLike[str]) -> str:
    """`FIXED_WIDTH`, `CMS_CSV` or `SIMPLE_CSV`, from the file's first lines."""
    source = Path(path).name
    with Path(path).open("rb") as stream:
        for line in islice(text_lines(stream, source), MAX_PREAMBLE_LINES):
            found = _format_of_line(line)
            if found is not None:
                return found
    raise ImportFormatError(
        f"{source} is not a HCPCS Level II file: none of its first {MAX_PREAMBLE_LINES} "
        "lines is a fixed-width HCPCS record or a HCPCS CSV header."
    )


def _format_of_line(line: str) -> str | None:
    if _FIXED_RECORD.match(line):
        return FIXED_WIDTH
    columns = _csv_header(_single_csv_row(line))
    if columns is None:
        return None
    return CMS_CSV if "add" in columns else SIMPLE_CSV


def _single_csv_row(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def _csv_header(row: list[str]) -> dict[str, int] | None:
    """Field name -> column index when `row` is a HCPCS CSV header, else None."""
    columns: dict[str, int] = {}
    for index, name in enumerate(row):
        field = _CSV_COLUMNS.get(normalized(name))
        if field is not None:
            columns.setdefault(field, index)
    if all(field in columns for field in _REQUIRED_CSV_FIELDS):
        return columns
    return None


def parse_hcpcs(
    path: str | os.PathLike[str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[HcpcsRecord]:
    """The codes and modifiers of a HCPCS Level II file in any of the three layouts."""
    source = Path(path).name
    layout = detect_hcpcs_format(path)
    with Path(path).open("rb") as stream:
        lines = text_lines(stream, source)
        rows = _fixed_rows(lines, source) if layout == FIXED_WIDTH else _csv_rows(lines, source)
        yield from counted(_joined(rows, source), progress, cancel, HCPCS_LABEL)


def _joined(rows: Iterable[_Row], source: str) -> Iterator[HcpcsRecord]:
    """One record per first row, with its continuation rows' text appended."""
    first: _Row | None = None
    parts: list[str] = []
    for row in rows:
        if row.record_id in _FIRST_LINE_OF:
            _check_continuation(first, row, source)
            parts.append(row.long)
            continue
        if first is not None:
            yield _record(first, parts)
        first, parts = row, [row.long]
    if first is not None:
        yield _record(first, parts)


def _check_continuation(first: _Row | None, row: _Row, source: str) -> None:
    expected = _FIRST_LINE_OF[row.record_id]
    if first is None or first.code != row.code or first.record_id != expected:
        raise format_error(
            source, row.line, f"continuation of {row.code} does not follow its first line"
        )


def _record(first: _Row, parts: list[str]) -> HcpcsRecord:
    return HcpcsRecord(
        code=first.code,
        long_description=" ".join(text for part in parts if (text := part.strip())),
        short_description=first.short.strip(),
        is_modifier=first.record_id == MODIFIER_ID,
        add_date=first.add,
        effective_date=first.effective,
        termination_date=first.termination,
        action=first.action.strip(),
    )


def _checked_code(raw: str, record_id: str, source: str, line: int) -> str:
    code = raw.strip().upper()
    modifier = record_id in _MODIFIER_IDS
    if not (LEVEL2_MODIFIER if modifier else LEVEL2_CODE).fullmatch(code):
        kind = "a HCPCS Level II modifier" if modifier else "a HCPCS Level II code"
        raise format_error(source, line, f"{shown(raw)} is not {kind}")
    return code


# --- fixed width ---


def _fixed_rows(lines: Iterable[str], source: str) -> Iterator[_Row]:
    """The records of the fixed-width file, after its disclaimer block."""
    started = False
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not started and not _FIXED_RECORD.match(text):
            continue  # the disclaimer block; detection found a record within its bound
        started = True
        if text.strip():
            yield _fixed_row(text, number, source)


def _fixed_row(text: str, number: int, source: str) -> _Row:
    if not _FIXED_RECORD.match(text) or len(text) > RECORD_WIDTH:
        raise format_error(source, number, f"not a {RECORD_WIDTH}-character HCPCS record")
    record = text.ljust(RECORD_WIDTH)
    record_id = record[10]
    try:
        dates = [optional_date(record[start : start + 8]) for start in (268, 276, 284)]
    except ValueError as error:
        raise format_error(source, number, str(error)) from None
    return _Row(
        number,
        _checked_code(record[:5], record_id, source, number),
        record_id,
        long=record[11:91],
        short=record[91:119],
        add=dates[0],
        effective=dates[1],
        termination=dates[2],
        action=record[292],
    )


# --- CSV ---


def _csv_rows(lines: Iterable[str], source: str) -> Iterator[_Row]:
    """The rows of a HCPCS CSV after its header (and any notice lines before it)."""
    columns: dict[str, int] | None = None
    for number, row in csv_rows(lines, source):
        if columns is None:
            columns = _csv_header(row)
            if columns is None and number >= MAX_PREAMBLE_LINES:
                raise format_error(source, number, "no HCPCS CSV header before this line")
        elif not is_blank(row):
            yield _csv_row(row, columns, number, source)


def _csv_row(row: list[str], columns: dict[str, int], number: int, source: str) -> _Row:
    if len(row) <= max(columns.values()):
        raise format_error(source, number, f"{len(row)} columns; the header has more")
    record_id = row[columns["record_id"]].strip()
    if record_id not in _RECORD_IDS:
        raise format_error(source, number, f"record id {shown(record_id)} is not 3, 4, 7 or 8")
    try:
        dates = [_optional_column_date(row, columns, name) for name in _DATE_FIELDS]
    except ValueError as error:
        raise format_error(source, number, str(error)) from None
    return _Row(
        number,
        _checked_code(row[columns["code"]], record_id, source, number),
        record_id,
        long=row[columns["long"]],
        short=row[columns["short"]],
        add=dates[0],
        effective=dates[1],
        termination=dates[2],
        action=row[columns["action"]] if "action" in columns else "",
    )


def _optional_column_date(row: list[str], columns: dict[str, int], name: str) -> dt.date | None:
    index = columns.get(name)
    return None if index is None else optional_date(row[index])
