# SPDX-License-Identifier: GPL-3.0-or-later
"""Import official release files into the code-set library: validated, atomic, idempotent.

`import_release(library, KIND, FILE)` parses the file (streaming), writes a new version
with all its records in one transaction and reports what it stored. Importing the same
file again changes nothing; a failed or cancelled import leaves the previous version in
force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes import cpt, hcpcs, icd10cm, icd10cm_index, ncci
from coderdesk.core.codes.library import ALWAYS, CodeSetLibrary
from coderdesk.core.codes.records import ImportFormatError
from coderdesk.core.errors import UsageError
from coderdesk.core.progress import CancelToken, ProgressCallback, no_progress

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

KINDS = (
    "icd10cm-tabular",
    "icd10cm-index",
    "icd10cm-eindex",
    "icd10cm-neoplasm",
    "icd10cm-drug",
    "hcpcs",
    "cpt",
    "ncci-ptp",
    "mue",
)
_INDEX_KINDS = {
    "icd10cm-index": "index",
    "icd10cm-eindex": "eindex",
    "icd10cm-neoplasm": "neoplasm",
    "icd10cm-drug": "drug",
}
_BATCH = 5000


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: the version now in force for the system, and the record count."""

    kind: str
    system: str
    version_id: int
    label: str
    effective_from: dt.date
    records: int
    unchanged: bool
    previous_label: str | None

    def describe(self) -> str:
        """One line for the CLI and the import dialog."""
        if self.unchanged:
            return f"{self.label}: already imported ({self.records:,} records); nothing changed."
        before = f" (was: {self.previous_label})" if self.previous_label else ""
        return (
            f"{self.label}: {self.records:,} records imported, in force from "
            f"{self.effective_from.isoformat()}{before}."
        )


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def system_of(kind: str) -> str:
    """The library system a KIND of release file feeds."""
    if kind not in KINDS:
        raise UsageError(f"Unknown kind '{kind}'; use one of: {', '.join(KINDS)}.")
    return "icd10cm" if kind == "icd10cm-tabular" else kind


def _year_in_name(path: Path) -> int | None:
    match = re.search(r"(20\d\d)", path.name)
    return int(match.group(1)) if match else None


_QUARTERS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}


def default_effective(kind: str, path: Path) -> dt.date:
    """When a release comes into force if the user does not say: read off its name."""
    if kind in ("ncci-ptp", "mue"):
        return ALWAYS  # every row carries its own dates
    year = _year_in_name(path) or dt.date.today().year
    if kind.startswith("icd10cm"):
        return dt.date(year - 1, 10, 1)  # fiscal year: FY2026 starts 2025-10-01
    month = next((m for name, m in _QUARTERS.items() if name in path.name.upper()), 1)
    return dt.date(year, month, 1)


def _effective_to(kind: str, start: dt.date) -> dt.date | None:
    if kind.startswith("icd10cm") and start != ALWAYS:
        return dt.date(start.year + 1, 9, 30)
    return None


# -- row writers per kind ------------------------------------------------------------------


def _notes_json(node: icd10cm.TabularNode) -> str:
    return json.dumps(
        [[n.kind, n.text, [[r.start, r.end, r.children] for r in n.refs]] for n in node.notes]
    )


def _icd_rows(path: Path, version_id: int) -> Iterator[tuple[Any, ...]]:
    tabular = icd10cm.parse_tabular(path)
    for node in tabular.nodes.values():
        yield (
            version_id,
            node.code,
            node.kind,
            node.title,
            node.parent,
            int(node.billable),
            node.order,
            _notes_json(node),
            json.dumps(node.seven_chr),
        )


def _index_rows(path: Path, version_id: int, kind: str, **kw: Any) -> Iterator[tuple[Any, ...]]:
    found = icd10cm_index.detect_index_kind(path)
    if found != _INDEX_KINDS[kind]:
        raise ImportFormatError(f"{path.name} is an ICD-10-CM '{found}' file, not '{kind}'.")
    for term in icd10cm_index.parse_index(path, **kw):
        yield (
            version_id,
            term.id,
            term.parent_id,
            term.level,
            term.letter,
            term.title,
            term.nemod,
            term.code,
            term.manif,
            term.see,
            term.see_also,
            json.dumps({str(k): v for k, v in term.cells.items()}) if term.cells else None,
        )


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _hcpcs_rows(path: Path, version_id: int, **kw: Any) -> Iterator[tuple[Any, ...]]:
    for rec in hcpcs.parse_hcpcs(path, **kw):
        yield (
            version_id,
            rec.code,
            int(rec.is_modifier),
            rec.long_description,
            rec.short_description,
            _date(rec.add_date),
            _date(rec.effective_date),
            _date(rec.termination_date),
            rec.action,
        )


def _cpt_rows(path: Path, version_id: int, **kw: Any) -> Iterator[tuple[Any, ...]]:
    for rec in cpt.parse_cpt(path, **kw):
        yield (version_id, rec.code, rec.descriptor)


def _ptp_rows(path: Path, version_id: int, **kw: Any) -> Iterator[tuple[Any, ...]]:
    for edit in ncci.parse_ptp(path, **kw):
        yield (
            version_id,
            edit.column1,
            edit.column2,
            int(edit.prior_1996),
            edit.effective.isoformat(),
            _date(edit.deletion),
            edit.modifier_indicator,
            edit.rationale,
        )


def _mue_rows(path: Path, version_id: int, **kw: Any) -> Iterator[tuple[Any, ...]]:
    for value in ncci.parse_mue(path, **kw):
        yield (
            version_id,
            value.code,
            value.value,
            value.adjudication_indicator,
            value.indicator_text,
            value.rationale,
        )


_INSERTS = {
    "icd10cm-tabular": "INSERT INTO icd_nodes VALUES (?,?,?,?,?,?,?,?,?)",
    "hcpcs": "INSERT OR REPLACE INTO hcpcs_codes VALUES (?,?,?,?,?,?,?,?,?)",
    "cpt": "INSERT OR REPLACE INTO cpt_codes VALUES (?,?,?)",
    "ncci-ptp": "INSERT INTO ncci_ptp VALUES (?,?,?,?,?,?,?,?)",
    "mue": "INSERT OR REPLACE INTO mue VALUES (?,?,?,?,?,?)",
}
_INDEX_INSERT = "INSERT INTO index_terms VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"


def _rows_for(kind: str) -> Callable[..., Iterator[tuple[Any, ...]]]:
    if kind in _INDEX_KINDS:
        return lambda path, vid, **kw: _index_rows(path, vid, kind, **kw)
    writers: dict[str, Callable[..., Iterator[tuple[Any, ...]]]] = {
        "icd10cm-tabular": lambda path, vid, **_kw: _icd_rows(path, vid),
        "hcpcs": _hcpcs_rows,
        "cpt": _cpt_rows,
        "ncci-ptp": _ptp_rows,
        "mue": _mue_rows,
    }
    return writers[kind]


def _write_batches(
    library: CodeSetLibrary,
    statement: str,
    rows: Iterable[tuple[Any, ...]],
    cancel: CancelToken | None,
) -> int:
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            library.db.executemany(statement, batch)
            count += len(batch)
            batch.clear()
            if cancel is not None:
                cancel.raise_if_cancelled()
    library.db.executemany(statement, batch)
    return count + len(batch)


def _label(kind: str, path: Path, effective: dt.date) -> str:
    names = {
        "icd10cm-tabular": "ICD-10-CM tabular",
        "icd10cm-index": "ICD-10-CM Alphabetic Index",
        "icd10cm-eindex": "ICD-10-CM External Cause Index",
        "icd10cm-neoplasm": "ICD-10-CM Table of Neoplasms",
        "icd10cm-drug": "ICD-10-CM Table of Drugs and Chemicals",
        "hcpcs": "HCPCS Level II",
        "cpt": "CPT (licensed file)",
        "ncci-ptp": "NCCI PTP practitioner edits",
        "mue": "MUE practitioner values",
    }
    if kind.startswith("icd10cm") and effective != ALWAYS:
        return f"{names[kind]} FY{effective.year + 1}"
    return f"{names[kind]} ({path.name})"


def import_release(
    library: CodeSetLibrary,
    kind: str,
    path: Path,
    *,
    effective: dt.date | None = None,
    label: str | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ImportSummary:
    """Import one release file of `kind`; return what is now in force."""
    system = system_of(kind)
    if not path.is_file():
        raise UsageError(f"No file at {path}.")
    sha = file_sha256(path)
    start = effective or default_effective(kind, path)
    same = library.find_same_source(system, sha)
    if same is not None:
        return ImportSummary(
            kind, system, same.id, same.label, same.effective_from, same.record_count, True, None
        )
    previous = library.version_for(system, start)
    name = label or _label(kind, path, start)
    statement = _INDEX_INSERT if kind in _INDEX_KINDS else _INSERTS[kind]
    with library.transaction():
        version_id = library.add_version(
            system, name, (start, _effective_to(kind, start)), (path.name, sha)
        )
        rows = _rows_for(kind)(path, version_id, progress=progress, cancel=cancel)
        count = _write_batches(library, statement, rows, cancel)
        if count == 0:
            raise ImportFormatError(f"{path.name} holds no {kind} records.")
        library.activate(version_id, count)
    return ImportSummary(
        kind, system, version_id, name, start, count, False, previous.label if previous else None
    )


def ensure_default_icd10cm(
    library: CodeSetLibrary, progress: ProgressCallback = no_progress
) -> None:
    """Load the embedded FY2026 tabular the first time the library has no ICD-10-CM."""
    if not library.versions("icd10cm"):
        progress(0, 0, "Loading the ICD-10-CM FY2026 tabular")
        import_release(
            library,
            "icd10cm-tabular",
            icd10cm.embedded_tabular_path(),
            effective=dt.date(2025, 10, 1),
            label="ICD-10-CM FY2026 (embedded)",
        )
