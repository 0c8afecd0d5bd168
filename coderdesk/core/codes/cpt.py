# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's licensed CPT file: AMA tab-delimited `code<TAB>descriptor`, or a CSV with a header.

CPT descriptors are copyrighted by the AMA, so CoderDesk never ships them: it imports
the file the user licensed. Two layouts are accepted, told apart by the first
non-blank line: with a tab it is the AMA data-file style (an optional header line such
as `Code<TAB>Descriptor`, then one `code<TAB>descriptor` per line, unquoted); without
one it is a CSV whose header names a code column and a descriptor column (a headerless
two-column CSV is accepted too). Every code must be a CPT code: five characters,
`NNNNN` (Category I), `NNNNF` (Category II) or `NNNNT` (Category III); a row that is
not raises `ImportFormatError` naming its line.
"""

from __future__ import annotations

import re
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

from coderdesk.core.codes.hcpcs import (
    MAX_PREAMBLE_LINES,
    counted,
    csv_rows,
    format_error,
    is_blank,
    normalized,
    shown,
    text_lines,
)
from coderdesk.core.codes.records import CptRecord, ImportFormatError
from coderdesk.core.progress import no_progress

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator

    from coderdesk.core.progress import CancelToken, ProgressCallback

# Category I, II (F) and III (T). AMA files may also hold PLA (U), vaccine (A) and
# MAAA (M) codes; they are refused until the code-set library decides how to keep them.
CPT_CODE = re.compile(
    r"[0-9]{4}[0-9FTUAM]"
)  # Cat I, II (F), III (T), PLA (U), vaccines (A), MAAA (M)
CPT_LABEL = "CPT codes"

CODE_HEADERS = frozenset(
    {"code", "cpt", "cpt code", "cpt codes", "hcpcs", "hcpcs code", "cpt/hcpcs", "procedure code"}
)
# Descriptor columns, most complete first: the first one a header has is used.
DESCRIPTOR_HEADERS = (
    "long descriptor",
    "long description",
    "descriptor",
    "description",
    "cpt descriptor",
    "full descriptor",
    "long desc",
    "medium descriptor",
    "medium description",
    "short descriptor",
    "short description",
)

# (code column, descriptor column, how many columns a row may fill)
_Columns = tuple[int, int, int]
_HEADERLESS: _Columns = (0, 1, 2)


def parse_cpt(
    path: str | os.PathLike[str],
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Iterator[CptRecord]:
    """The codes and descriptors of the user's CPT file, streaming."""
    source = Path(path).name
    with Path(path).open("rb") as stream:
        lines = text_lines(stream, source)
        head = list(islice(lines, MAX_PREAMBLE_LINES))
        tabbed = _is_tab_delimited(head)
        rows = csv_rows(
            chain(head, lines),
            source,
            delimiter="\t" if tabbed else ",",
            quoted=not tabbed,
        )
        yield from counted(_records(rows, source), progress, cancel, CPT_LABEL)


def _is_tab_delimited(head: list[str]) -> bool:
    """Whether the first non-blank line has a tab (AMA style) rather than being CSV."""
    return next((line for line in head if line.strip()), "").count("\t") > 0


def _records(rows: Iterable[tuple[int, list[str]]], source: str) -> Iterator[CptRecord]:
    columns: _Columns | None = None
    for number, row in rows:
        if is_blank(row):
            continue
        if columns is None:
            columns = _columns(row, number, source)
            if columns is not _HEADERLESS:
                continue
        yield _record(row, columns, number, source)
    if columns is None:
        raise ImportFormatError(f"{source} holds no CPT codes.")


def _columns(first_row: list[str], number: int, source: str) -> _Columns:
    """The header's code and descriptor columns, or `_HEADERLESS` when the row is data."""
    names = [normalized(name) for name in first_row]
    code_column = next((i for i, name in enumerate(names) if name in CODE_HEADERS), None)
    if code_column is None:
        if CPT_CODE.fullmatch(first_row[0].strip().upper()):
            return _HEADERLESS
        raise format_error(
            source, number, "expected a header with a code column, or a code and its descriptor"
        )
    descriptor = next((names.index(name) for name in DESCRIPTOR_HEADERS if name in names), None)
    if descriptor is None:
        raise format_error(source, number, "the header names no descriptor column")
    return code_column, descriptor, len(first_row)


def _record(row: list[str], columns: _Columns, number: int, source: str) -> CptRecord:
    code_column, descriptor_column, width = columns
    if len(row) <= max(code_column, descriptor_column):
        raise format_error(source, number, "expected a code and a descriptor")
    if not is_blank(row[width:]):
        raise format_error(source, number, _TOO_MANY_COLUMNS[columns is _HEADERLESS])
    code = row[code_column].strip().upper()
    if not CPT_CODE.fullmatch(code):
        raise format_error(
            source, number, f"{shown(code)} is not a CPT code (NNNNN, NNNNF or NNNNT)"
        )
    descriptor = row[descriptor_column].strip()
    if not descriptor:
        raise format_error(source, number, f"{code} has no descriptor")
    return CptRecord(code, descriptor)


_TOO_MANY_COLUMNS = {
    True: "more than a code and a descriptor (a CSV descriptor with commas needs quotes)",
    False: "more columns than the header names",
}
