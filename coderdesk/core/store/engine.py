# SPDX-License-Identifier: GPL-3.0-or-later
"""The SQLCipher engine: key first, hardened pragmas, guards, and integrity checks.

This is the only module that knows the workspace is SQLite/SQLCipher; everything else
talks SQLAlchemy. Facts it relies on (measured with sqlcipher3 0.6.4 / SQLCipher 4.19):
any statement before `PRAGMA key` creates a plaintext file; a wrong key and a damaged
first page both surface as "file is not a database"; `cipher_integrity_check` returns
one row per page whose HMAC fails and no rows when healthy.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from coderdesk.core.errors import NotAWorkspace, WorkspaceDamaged

if TYPE_CHECKING:
    from pathlib import Path

SQLITE_PLAINTEXT_HEADER = b"SQLite format 3\x00"
CIPHER_PAGE_SIZE = 4096
SALT_LENGTH = 16
MIN_KDF_ITERATIONS = 256_000
SYNCHRONOUS_FULL = 2
TEMP_STORE_MEMORY = 2

# Applied after the key on every connection; each is read back by `read_guards`.
_SESSION_PRAGMAS = (
    "PRAGMA cipher_memory_security = ON",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = FULL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA secure_delete = ON",
    "PRAGMA trusted_schema = OFF",
    "PRAGMA busy_timeout = 5000",
)

_library_lock = threading.Lock()
_library_configured = False


def configure_cipher_library() -> None:
    """Set SQLCipher's process-wide options once: silent logging, memory wiping.

    Both are global in SQLCipher, so an in-memory connection sets them without touching
    any workspace file. `cipher_memory_security` cannot be turned off again afterwards.
    """
    global _library_configured
    with _library_lock:
        if _library_configured:
            return
        probe = sqlcipher3.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE").fetchall()
            probe.execute("PRAGMA cipher_memory_security = ON").fetchall()
        finally:
            probe.close()
        _library_configured = True


@dataclass(frozen=True)
class Guards:
    """The security-relevant settings of an open connection, read back from SQLCipher."""

    synchronous: int
    temp_store: int
    cipher_memory_security: bool
    cipher_use_hmac: bool
    kdf_iterations: int
    foreign_keys: bool
    journal_mode: str

    def problems(self) -> list[str]:
        """Every way these settings fall short of SECURITY.md item 2 and 7."""
        found = []
        if self.synchronous < SYNCHRONOUS_FULL:
            found.append("synchronous is below FULL")
        if self.temp_store != TEMP_STORE_MEMORY:
            found.append("temp_store is not MEMORY")
        if not self.cipher_memory_security:
            found.append("cipher_memory_security is off")
        if not self.cipher_use_hmac:
            found.append("page HMAC is off")
        if self.kdf_iterations < MIN_KDF_ITERATIONS:
            found.append("key derivation uses too few iterations")
        if not self.foreign_keys:
            found.append("foreign keys are not enforced")
        return found


def _pragma_value(dbapi_conn: Any, name: str) -> str:
    row = dbapi_conn.execute(f"PRAGMA {name}").fetchone()
    return "" if row is None else str(row[0])


def read_guards(dbapi_conn: Any) -> Guards:
    """Read the guarded settings of a keyed DB-API connection."""
    return Guards(
        synchronous=int(_pragma_value(dbapi_conn, "synchronous")),
        temp_store=int(_pragma_value(dbapi_conn, "temp_store")),
        cipher_memory_security=_pragma_value(dbapi_conn, "cipher_memory_security") == "1",
        cipher_use_hmac=_pragma_value(dbapi_conn, "cipher_use_hmac") == "1",
        kdf_iterations=int(_pragma_value(dbapi_conn, "kdf_iter")),
        foreign_keys=_pragma_value(dbapi_conn, "foreign_keys") == "1",
        journal_mode=_pragma_value(dbapi_conn, "journal_mode"),
    )


class GuardViolation(RuntimeError):
    """A connection came up without the settings CoderDesk requires (a programming error)."""


def _harden_connection(dbapi_conn: Any, _record: object) -> None:
    # Runs after the dialect's `PRAGMA key`, which SQLAlchemy issues first on connect.
    dbapi_conn.enable_load_extension(False)
    for statement in _SESSION_PRAGMAS:
        dbapi_conn.execute(statement).fetchall()
    problems = read_guards(dbapi_conn).problems()
    if problems:
        raise GuardViolation("; ".join(problems))


def _open_dbapi(path: Path, create: bool) -> Any:
    mode = "rwc" if create else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    return sqlcipher3.connect(uri, uri=True, check_same_thread=False)


def refuse_unusable_file(path: Path) -> None:
    """Raise `NotAWorkspace` unless `path` could be an encrypted workspace."""
    if not path.is_file():
        raise NotAWorkspace(f"No workspace file at {path}.")
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_PLAINTEXT_HEADER))
    if header == SQLITE_PLAINTEXT_HEADER:
        raise NotAWorkspace(
            f"{path.name} is an unencrypted SQLite database; CoderDesk only opens "
            "encrypted workspaces and will not store patient data in plain files."
        )
    if size == 0 or size % CIPHER_PAGE_SIZE:
        raise NotAWorkspace(f"{path.name} is not a CoderDesk workspace.")


def create_cipher_engine(path: Path, passphrase: str, *, create: bool = False) -> Engine:
    """An engine whose every connection is keyed first, then hardened and guard-checked."""
    configure_cipher_library()
    url = URL.create("sqlite+pysqlcipher", password=passphrase, database=str(path))
    # A queue pool hands the keyed connection from thread to thread (one at a time), so
    # the slow key derivation is paid once per connection, not once per thread.
    engine = create_engine(
        url,
        creator=functools.partial(_open_dbapi, path, create),
        hide_parameters=True,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )
    event.listen(engine, "connect", _harden_connection)
    return engine


def read_salt(path: Path) -> bytes:
    """The random salt SQLCipher keeps in the first 16 bytes of the file."""
    with path.open("rb") as handle:
        return handle.read(SALT_LENGTH)


def page_count(path: Path) -> int:
    """How many cipher pages the file holds."""
    return path.stat().st_size // CIPHER_PAGE_SIZE


def count_failing_pages(path: Path, passphrase: str) -> int:
    """Pages whose HMAC fails under `passphrase` (all of them when the key is wrong)."""
    configure_cipher_library()
    conn = _open_dbapi(path, create=False)
    try:
        conn.execute("PRAGMA key = " + _quote(passphrase)).fetchall()
        return len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
    finally:
        conn.close()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_integrity(engine: Engine, path: Path) -> None:
    """Run both integrity checks; raise `WorkspaceDamaged` on any failure."""
    try:
        with engine.connect() as conn:
            cipher_rows = conn.exec_driver_sql("PRAGMA cipher_integrity_check").all()
            sqlite_rows = conn.exec_driver_sql("PRAGMA integrity_check").all()
    except DBAPIError as exc:
        raise damaged(path) from exc
    if cipher_rows or [tuple(r) for r in sqlite_rows] != [("ok",)]:
        raise damaged(path)


def damaged(path: Path) -> WorkspaceDamaged:
    """The error shown for a workspace that fails its checks, with the way out."""
    return WorkspaceDamaged(
        f"The workspace {path.name} is damaged and was not opened. Nothing was changed. "
        "Restore it from your latest backup (File > Restore, or "
        "`coderdesk workspace restore BACKUP PATH`)."
    )
