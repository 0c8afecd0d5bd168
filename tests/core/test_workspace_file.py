# SPDX-License-Identifier: GPL-3.0-or-later
"""The workspace file at rest: encrypted, private, refused when unsafe (SECURITY 5, 7, 18)."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from typing import TYPE_CHECKING

import pytest
import sqlcipher3

from coderdesk.core.errors import (
    NotAWorkspace,
    UnsafeLocation,
    WeakPassphrase,
    WorkspaceExists,
    WrongPassphrase,
)
from coderdesk.core.store.throttle import UnlockThrottle
from coderdesk.core.store.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def test_file_is_encrypted_and_unreadable_without_the_key(
    workspace: Workspace, workspace_path: Path, passphrase: str
) -> None:
    workspace.close()
    assert workspace_path.read_bytes()[:16] != b"SQLite format 3\x00"
    plain = sqlite3.connect(workspace_path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
    plain.close()
    keyed = sqlcipher3.connect(str(workspace_path))
    keyed.execute("PRAGMA key = '" + passphrase.replace("'", "''") + "'")
    tables = {row[0] for row in keyed.execute("SELECT name FROM sqlite_master")}
    keyed.close()
    assert {"patients", "encounters", "chart_documents", "audit_events"} <= tables


def test_files_are_private(workspace: Workspace, workspace_path: Path) -> None:
    assert stat.S_IMODE(workspace_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace_path.parent.stat().st_mode) == 0o700


def test_backup_is_private_and_encrypted(workspace: Workspace, tmp_path: Path) -> None:
    backup = workspace.backup(tmp_path / "backups" / "copy.cdws")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    assert backup.read_bytes()[:16] != b"SQLite format 3\x00"


@pytest.mark.parametrize(
    ("new", "confirmation", "fragment"),
    [
        ("short", "short", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "different characters"),
        ("password1234", "password1234", "commonly used"),
        ("Tidy-Harbor 48 lanterns", "Tidy-Harbor 48 lantern", "differ"),
    ],
)
def test_create_refuses_weak_or_unconfirmed_passphrase(
    workspace_path: Path, new: str, confirmation: str, fragment: str
) -> None:
    with pytest.raises(WeakPassphrase, match=fragment):
        Workspace.create(workspace_path, new, confirmation)
    assert not workspace_path.exists()


def test_create_never_overwrites(
    workspace: Workspace, workspace_path: Path, passphrase: str
) -> None:
    with pytest.raises(WorkspaceExists):
        Workspace.create(workspace_path, passphrase, passphrase)


@pytest.mark.parametrize("folder", ["Dropbox", "OneDrive - Clinic", "Google Drive", "iCloud Drive"])
def test_cloud_sync_folders_are_refused(tmp_path: Path, passphrase: str, folder: str) -> None:
    with pytest.raises(UnsafeLocation, match="cloud-sync"):
        Workspace.create(tmp_path / folder / "w.cdws", passphrase, passphrase)


def test_plaintext_sqlite_is_refused(tmp_path: Path, passphrase: str) -> None:
    plain_path = tmp_path / "plain.cdws"
    plain = sqlite3.connect(plain_path)
    plain.execute("CREATE TABLE patients (name TEXT)")
    plain.commit()
    plain.close()
    before = plain_path.read_bytes()
    with pytest.raises(NotAWorkspace, match="unencrypted"):
        Workspace.unlock(plain_path, passphrase)
    assert plain_path.read_bytes() == before


def test_missing_and_foreign_files_are_refused(tmp_path: Path, passphrase: str) -> None:
    with pytest.raises(NotAWorkspace):
        Workspace.unlock(tmp_path / "absent.cdws", passphrase)
    odd = tmp_path / "notes.cdws"
    odd.write_bytes(b"not a database at all")
    with pytest.raises(NotAWorkspace):
        Workspace.unlock(odd, passphrase)
    assert not (tmp_path / "absent.cdws").exists()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_wrong_passphrase_is_clear_and_changes_nothing(
    workspace: Workspace, workspace_path: Path, no_wait_throttle: UnlockThrottle
) -> None:
    workspace.close()
    before = _digest(workspace_path)
    siblings = sorted(p.name for p in workspace_path.parent.iterdir())
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        Workspace.unlock(workspace_path, "Wrong-Harbor 48 lanterns", throttle=no_wait_throttle)
    assert _digest(workspace_path) == before
    assert sorted(p.name for p in workspace_path.parent.iterdir()) == siblings


def test_repeated_failures_grow_the_delay(
    workspace: Workspace, workspace_path: Path, passphrase: str, tmp_path: Path
) -> None:
    workspace.close()
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    throttle = UnlockThrottle(tmp_path / "f.json", clock=lambda: now[0], sleep=sleep)
    for _ in range(6):
        with pytest.raises(WrongPassphrase):
            Workspace.unlock(workspace_path, "Wrong-Harbor 48 lanterns", throttle=throttle)
    assert slept == [1.0, 2.0, 4.0]
    assert throttle.failures(workspace_path) == 6
    # The count survives a restart (a new throttle on the same state file).
    restarted = UnlockThrottle(tmp_path / "f.json", clock=lambda: now[0], sleep=sleep)
    Workspace.unlock(workspace_path, passphrase, throttle=restarted).close()
    assert slept[-1] == 8.0
    assert restarted.failures(workspace_path) == 0
