# SPDX-License-Identifier: GPL-3.0-or-later
"""The code-set library: every imported release, versioned by the dates it is in force.

Public reference data only (no PHI), so a plain SQLite file in the user data folder. An
import writes a version row marked `building` and all its records in one transaction,
then marks it `active`: a failed or cancelled import leaves nothing behind and the
previous version in force. Look-ups take a date of service and use the version in force
that day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core import paths

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# 2: note references re-read ("E08-E13 with .39" names E08.39 ... E13.39, not E08-E13).
SCHEMA_VERSION = 2
ALWAYS = dt.date(1900, 1, 1)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    system TEXT NOT NULL,
    label TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    record_count INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'building'
);
CREATE TABLE IF NOT EXISTS icd_nodes (
    version_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    parent TEXT,
    billable INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    notes TEXT NOT NULL,
    seven_chr TEXT NOT NULL,
    PRIMARY KEY (version_id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_icd_nodes_parent ON icd_nodes (version_id, parent, ord);
CREATE TABLE IF NOT EXISTS index_terms (
    version_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    parent_id INTEGER,
    level INTEGER NOT NULL,
    letter TEXT NOT NULL,
    title TEXT NOT NULL,
    nemod TEXT NOT NULL,
    code TEXT,
    manif TEXT,
    see TEXT,
    see_also TEXT,
    cells TEXT,
    PRIMARY KEY (version_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_index_terms_parent ON index_terms (version_id, parent_id);
CREATE INDEX IF NOT EXISTS ix_index_terms_title ON index_terms (version_id, level, title);
CREATE TABLE IF NOT EXISTS hcpcs_codes (
    version_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    is_modifier INTEGER NOT NULL,
    long_description TEXT NOT NULL,
    short_description TEXT NOT NULL,
    add_date TEXT,
    effective_date TEXT,
    termination_date TEXT,
    action TEXT NOT NULL,
    PRIMARY KEY (version_id, is_modifier, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cpt_codes (
    version_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    descriptor TEXT NOT NULL,
    PRIMARY KEY (version_id, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ncci_ptp (
    version_id INTEGER NOT NULL,
    column1 TEXT NOT NULL,
    column2 TEXT NOT NULL,
    prior_1996 INTEGER NOT NULL,
    effective TEXT NOT NULL,
    deletion TEXT,
    modifier_indicator INTEGER NOT NULL,
    rationale TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_ncci_pair ON ncci_ptp (version_id, column1, column2);
CREATE TABLE IF NOT EXISTS mue (
    version_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    value INTEGER NOT NULL,
    adjudication_indicator INTEGER NOT NULL,
    indicator_text TEXT NOT NULL,
    rationale TEXT NOT NULL,
    PRIMARY KEY (version_id, code)
) WITHOUT ROWID;
"""

# Tables holding a version's records, for clean-up of failed or replaced imports.
RECORD_TABLES = ("icd_nodes", "index_terms", "hcpcs_codes", "cpt_codes", "ncci_ptp", "mue")


@dataclass(frozen=True)
class CodeSetVersion:
    """One imported release of one code system."""

    id: int
    system: str
    label: str
    effective_from: dt.date
    effective_to: dt.date | None
    source_name: str
    source_sha256: str
    record_count: int
    imported_at: str

    def in_force(self, day: dt.date) -> bool:
        """Whether this version applies on `day`."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def _version(row: sqlite3.Row) -> CodeSetVersion:
    return CodeSetVersion(
        id=row["id"],
        system=row["system"],
        label=row["label"],
        effective_from=dt.date.fromisoformat(row["effective_from"]),
        effective_to=dt.date.fromisoformat(row["effective_to"]) if row["effective_to"] else None,
        source_name=row["source_name"],
        source_sha256=row["source_sha256"],
        record_count=row["record_count"],
        imported_at=row["imported_at"],
    )


class CodeSetLibrary:
    """The SQLite file of code-set versions; one connection, used by one thread at a time."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.codeset_library_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        found = self.db.execute("PRAGMA user_version").fetchone()[0]
        self.db.executescript(_SCHEMA)
        self._discard_unfinished()
        if 0 < found < SCHEMA_VERSION:
            self._reread_note_references()
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _discard_unfinished(self) -> None:
        # A crash mid-import cannot leave rows (one transaction); this clears any leftovers.
        stale = [
            r["id"] for r in self.db.execute("SELECT id FROM versions WHERE status != 'active'")
        ]
        if stale:
            with self.transaction():
                for version_id in stale:
                    self._delete_version_rows(version_id)

    def _reread_note_references(self) -> None:
        """Parse the code references of every stored note again with today's parser."""
        from coderdesk.core.codes.icd10cm import parse_refs

        rows = self.db.execute(
            "SELECT version_id, code, notes FROM icd_nodes WHERE notes != '[]'"
        ).fetchall()
        with self.transaction():
            for version_id, code, notes in rows:
                fresh = [
                    [kind, text, [[r.start, r.end, r.children] for r in parse_refs(text)]]
                    for kind, text, _ in json.loads(notes)
                ]
                self.db.execute(
                    "UPDATE icd_nodes SET notes = ? WHERE version_id = ? AND code = ?",
                    (json.dumps(fresh), version_id, code),
                )

    def _delete_version_rows(self, version_id: int) -> None:
        for table in RECORD_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE version_id = ?", (version_id,))
        self.db.execute("DELETE FROM versions WHERE id = ?", (version_id,))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (cancel included)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- versions ---------------------------------------------------------------------

    def versions(self, system: str | None = None) -> list[CodeSetVersion]:
        """Active versions, by system then effective date (newest last)."""
        query = "SELECT * FROM versions WHERE status = 'active'"
        args: tuple[str, ...] = ()
        if system is not None:
            query += " AND system = ?"
            args = (system,)
        rows = self.db.execute(query + " ORDER BY system, effective_from, id", args)
        return [_version(r) for r in rows]

    def version_for(self, system: str, day: dt.date | None = None) -> CodeSetVersion | None:
        """The version of `system` in force on `day` (today if None).

        When none covers the day, the newest version that started before it, else the
        earliest one: a code set is never missing just because a date is out of range.
        """
        day = day or dt.date.today()
        candidates = self.versions(system)
        in_force = [v for v in candidates if v.in_force(day)]
        if in_force:
            return max(in_force, key=lambda v: (v.effective_from, v.id))
        started = [v for v in candidates if v.effective_from <= day]
        if started:
            return max(started, key=lambda v: (v.effective_from, v.id))
        return candidates[0] if candidates else None

    def labels_in_force(self, day: dt.date | None = None) -> list[str]:
        """The label of each code system's version in force on `day` (today if None)."""
        systems = dict.fromkeys(v.system for v in self.versions())
        found = (self.version_for(system, day) for system in systems)
        return [version.label for version in found if version is not None]

    def find_same_source(self, system: str, sha256: str) -> CodeSetVersion | None:
        """An active version of `system` imported from the very same file, if any."""
        row = self.db.execute(
            "SELECT * FROM versions WHERE status = 'active' AND system = ? AND source_sha256 = ?",
            (system, sha256),
        ).fetchone()
        return _version(row) if row else None

    def add_version(
        self,
        system: str,
        label: str,
        effective: tuple[dt.date, dt.date | None],
        source: tuple[str, str],
    ) -> int:
        """Insert a `building` version inside the caller's transaction; return its id."""
        cursor = self.db.execute(
            "INSERT INTO versions (system, label, effective_from, effective_to, source_name,"
            " source_sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                system,
                label,
                effective[0].isoformat(),
                effective[1].isoformat() if effective[1] else None,
                source[0],
                source[1],
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            ),
        )
        return int(cursor.lastrowid or 0)

    def activate(self, version_id: int, record_count: int) -> None:
        """Mark a version complete (inside the import's transaction)."""
        self.db.execute(
            "UPDATE versions SET status = 'active', record_count = ? WHERE id = ?",
            (record_count, version_id),
        )
