# SPDX-License-Identifier: GPL-3.0-or-later
"""The encrypted workspace: create, unlock, lock, change passphrase, back up, restore.

A `Workspace` is unlocked while it holds an engine; locking disposes the engine (closing
every connection) and drops the passphrase with it. Nothing here stores the passphrase.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from coderdesk.core import files
from coderdesk.core.errors import (
    NotAWorkspace,
    StorageFailed,
    WorkspaceExists,
    WorkspaceLocked,
    WrongPassphrase,
)
from coderdesk.core.passphrase import check_new_passphrase
from coderdesk.core.store import audit
from coderdesk.core.store import engine as cipher
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.migrate import upgrade_to_head
from coderdesk.core.store.models import PracticeSettings, WorkspaceMeta
from coderdesk.core.store.registry import WorkspaceRegistry
from coderdesk.core.store.throttle import UnlockThrottle

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

WORKSPACE_SUFFIX = ".cdws"


@dataclass
class Workspace:
    """An open (unlocked) or locked encrypted workspace file."""

    path: Path
    engine: Engine | None
    actor: str = field(default_factory=audit.default_actor)

    # -- lifecycle ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        confirmation: str,
        *,
        registry: WorkspaceRegistry | None = None,
    ) -> Workspace:
        """Create a new encrypted workspace with the current schema; return it unlocked."""
        check_new_passphrase(passphrase, confirmation)
        path = path.expanduser().absolute()
        files.refuse_cloud_sync(path)
        files.prepare_private_parent(path)
        try:
            files.create_private_file(path)
        except FileExistsError:
            raise WorkspaceExists(f"{path.name} already exists; choose another name.") from None
        engine = cipher.create_cipher_engine(path, passphrase, create=True)
        workspace = cls(path, engine)
        try:
            _initialise(engine)
            workspace._audit_lifecycle(AuditAction.CREATE, "workspace")
            _verify_encrypted_header(path)
        except BaseException:
            engine.dispose()
            path.unlink(missing_ok=True)
            raise
        (registry or WorkspaceRegistry()).remember(path, cipher.read_salt(path))
        return workspace

    @classmethod
    def unlock(
        cls,
        path: Path,
        passphrase: str,
        *,
        throttle: UnlockThrottle | None = None,
        registry: WorkspaceRegistry | None = None,
    ) -> Workspace:
        """Open `path` with `passphrase`: checks, migrations, audit; raise a clear error."""
        path = path.expanduser().absolute()
        files.refuse_cloud_sync(path)
        cipher.refuse_unusable_file(path)
        throttle = throttle or UnlockThrottle()
        registry = registry or WorkspaceRegistry()
        throttle.wait_turn(path)
        engine = cipher.create_cipher_engine(path, passphrase)
        workspace = cls(path, engine)
        try:
            _open_checked(engine, path, passphrase, registry.known_salt(path))
            throttle.record_success(path)
            workspace._audit_lifecycle(AuditAction.UNLOCK, "workspace")
        except WrongPassphrase:
            engine.dispose()
            throttle.record_failure(path)
            raise
        except BaseException:
            engine.dispose()
            raise
        registry.remember(path, cipher.read_salt(path))
        return workspace

    @property
    def is_unlocked(self) -> bool:
        """Whether the workspace holds an open engine."""
        return self.engine is not None

    def lock(self) -> None:
        """Close every connection and forget the key; unlock again to continue."""
        if self.engine is None:
            return
        with contextlib.suppress(StorageFailed):
            self._audit_lifecycle(AuditAction.LOCK, "workspace")
        self.engine.dispose()
        self.engine = None

    def close(self) -> None:
        """Lock and release the workspace (same effect; kept for intent at call sites)."""
        self.lock()

    # -- sessions ----------------------------------------------------------------------

    def _require_engine(self) -> Engine:
        if self.engine is None:
            raise WorkspaceLocked("The workspace is locked. Unlock it to continue.")
        return self.engine

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error, maps storage failures."""
        with Session(self._require_engine(), expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise storage_failed(exc) from exc

    def _audit_lifecycle(self, action: AuditAction, object_type: str) -> None:
        with self.session() as session:
            audit.record(session, action, object_type, self.path.name, self.actor)

    # -- passphrase, backup ------------------------------------------------------------

    def change_passphrase(self, current: str, new: str, confirmation: str) -> None:
        """Re-encrypt the whole file under a new passphrase (atomic: old or new, never half)."""
        check_new_passphrase(new, confirmation)
        engine = self._require_engine()
        if current != engine.url.password:
            raise WrongPassphrase("The current passphrase is not correct.")
        engine.dispose()
        self.engine = None
        rekey_file(self.path, current, new)
        self.engine = cipher.create_cipher_engine(self.path, new)
        self._audit_lifecycle(AuditAction.REKEY, "workspace")

    def backup(self, destination: Path) -> Path:
        """Write an encrypted copy to `destination` atomically; return its path."""
        engine = self._require_engine()
        destination = destination.expanduser().absolute()
        files.refuse_cloud_sync(destination)
        files.prepare_private_parent(destination)
        with self.session() as session:
            audit.record(session, AuditAction.BACKUP, "workspace", self.path.name, self.actor)
        passphrase = engine.url.password or ""
        with files.temporary_sibling(destination, ".partial") as temp:
            _export_encrypted(engine, temp, passphrase)
            files.make_private(temp)
            _check_copy(temp, passphrase)
            files.atomic_replace(temp, destination)
        return destination


def _initialise(engine: Engine) -> None:
    upgrade_to_head(engine)
    with Session(engine) as session:
        session.add(WorkspaceMeta(key="created_at", value=dt.datetime.now(dt.UTC).isoformat()))
        session.add(PracticeSettings(id=1))
        session.commit()


def _verify_encrypted_header(path: Path) -> None:
    if cipher.read_salt(path) == cipher.SQLITE_PLAINTEXT_HEADER:
        raise NotAWorkspace("The new workspace was not encrypted; it has been removed.")


def _is_key_failure(exc: DBAPIError) -> bool:
    return "file is not a database" in str(exc.orig)


def _classify_open_failure(path: Path, passphrase: str, known_salt: bytes | None) -> Exception:
    """Tell a wrong passphrase from a damaged file after the first read failed."""
    pages = cipher.page_count(path)
    failing = cipher.count_failing_pages(path, passphrase)
    if pages > 1 and 0 < failing < pages:
        return cipher.damaged(path)
    if known_salt is not None and cipher.read_salt(path) != known_salt:
        return cipher.damaged(path)
    return WrongPassphrase("Wrong passphrase. Nothing was changed; try again.")


def _open_checked(engine: Engine, path: Path, passphrase: str, known_salt: bytes | None) -> None:
    _verify_opens(engine, path, passphrase, known_salt)
    try:
        upgrade_to_head(engine)
    except OperationalError as exc:
        raise storage_failed(exc) from None


def _verify_opens(engine: Engine, path: Path, passphrase: str, known_salt: bytes | None) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except DBAPIError as exc:
        if _is_key_failure(exc):
            raise _classify_open_failure(path, passphrase, known_salt) from None
        raise cipher.damaged(path) from None
    cipher.check_integrity(engine, path)


def storage_failed(exc: OperationalError) -> StorageFailed:
    """A clear message for a failed write; SQLCipher reports a full disk as an I/O error."""
    detail = str(exc.orig).lower()
    if "disk" in detail or "full" in detail or "i/o" in detail:
        return StorageFailed(
            "The workspace could not be saved: the disk is full or failing. Your last "
            "change was not stored; free some space and try again."
        )
    return StorageFailed("The workspace could not be saved; your last change was not stored.")


def _export_encrypted(engine: Engine, target: Path, passphrase: str) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ? AS backup KEY ?", (str(target), passphrase))
        try:
            conn.exec_driver_sql("SELECT sqlcipher_export('backup')").all()
        finally:
            conn.exec_driver_sql("DETACH DATABASE backup")


def _check_copy(path: Path, passphrase: str) -> None:
    cipher.refuse_unusable_file(path)
    engine = cipher.create_cipher_engine(path, passphrase)
    try:
        cipher.check_integrity(engine, path)
    finally:
        engine.dispose()


def rekey_file(path: Path, current: str, new: str) -> None:
    """Re-encrypt `path` from `current` to `new` in one SQLite transaction."""
    engine = cipher.create_cipher_engine(path, current)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA rekey = " + _sql_string(new)).all()
    finally:
        engine.dispose()


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def restore_backup(
    backup: Path,
    target: Path,
    passphrase: str,
    *,
    registry: WorkspaceRegistry | None = None,
) -> Path | None:
    """Replace `target` by `backup` after checking the backup opens with `passphrase`.

    The replaced file is kept beside it (its name is returned) so nothing is ever lost.
    """
    backup, target = backup.expanduser().absolute(), target.expanduser().absolute()
    files.refuse_cloud_sync(target)
    cipher.refuse_unusable_file(backup)
    _check_backup_key(backup, passphrase)
    files.prepare_private_parent(target)
    with files.temporary_sibling(target, ".restoring") as temp:
        shutil.copyfile(backup, temp)
        files.make_private(temp)
        kept = _set_aside(target)
        files.atomic_replace(temp, target)
    (registry or WorkspaceRegistry()).remember(target, cipher.read_salt(target))
    restored = Workspace.unlock(target, passphrase, registry=registry)
    restored._audit_lifecycle(AuditAction.RESTORE, "workspace")
    restored.close()
    return kept


def _check_backup_key(backup: Path, passphrase: str) -> None:
    engine = cipher.create_cipher_engine(backup, passphrase)
    try:
        _verify_opens(engine, backup, passphrase, None)
    finally:
        engine.dispose()


def _set_aside(target: Path) -> Path | None:
    if not target.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}")
    target.replace(kept)
    return kept
