# SPDX-License-Identifier: GPL-3.0-or-later
"""Backups, restores and passphrase changes keep every record and lose nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.errors import WrongPassphrase
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.store.models import Sex
from coderdesk.core.store.workspace import Workspace, restore_backup

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.store.throttle import UnlockThrottle


def _add_patient(workspace: Workspace, account: str) -> int:
    return PatientService(workspace).create(
        PatientInput(account, "Example", "Person", dt.date(1990, 1, 1), Sex.MALE)
    )


def test_backup_holds_the_data_and_restore_brings_it_back(
    workspace: Workspace, workspace_path: Path, passphrase: str, tmp_path: Path
) -> None:
    first = _add_patient(workspace, "ONE")
    backup = workspace.backup(tmp_path / "backup.cdws")
    _add_patient(workspace, "TWO")
    workspace.close()
    kept = restore_backup(backup, workspace_path, passphrase)
    assert kept is not None
    assert kept.exists()
    restored = Workspace.unlock(workspace_path, passphrase)
    try:
        assert PatientService(restored).get(first).account_number == "ONE"
        assert EncounterService(restored).worklist() == []
        with pytest.raises(Exception, match="does not exist"):
            PatientService(restored).get(first + 1)
    finally:
        restored.close()
    replaced = Workspace.unlock(kept, passphrase)
    try:
        assert PatientService(replaced).get(first + 1).account_number == "TWO"
    finally:
        replaced.close()


def test_restore_with_wrong_passphrase_touches_nothing(
    workspace: Workspace,
    workspace_path: Path,
    tmp_path: Path,
) -> None:
    backup = workspace.backup(tmp_path / "backup.cdws")
    workspace.close()
    before = hashlib.sha256(workspace_path.read_bytes()).hexdigest()
    with pytest.raises(WrongPassphrase):
        restore_backup(backup, workspace_path, "Wrong-Harbor 48 lanterns")
    assert hashlib.sha256(workspace_path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in workspace_path.parent.iterdir()) == [workspace_path.name]


def test_changed_passphrase_opens_and_old_one_does_not(
    workspace: Workspace,
    workspace_path: Path,
    passphrase: str,
    no_wait_throttle: UnlockThrottle,
) -> None:
    patient = _add_patient(workspace, "KEEP")
    new = "Quiet-Meadow 91 kettles"
    workspace.change_passphrase(passphrase, new, new)
    assert PatientService(workspace).get(patient).account_number == "KEEP"
    workspace.close()
    with pytest.raises(WrongPassphrase):
        Workspace.unlock(workspace_path, passphrase, throttle=no_wait_throttle)
    reopened = Workspace.unlock(workspace_path, new, throttle=no_wait_throttle)
    reopened.close()


def test_change_passphrase_checks_the_current_one(workspace: Workspace, passphrase: str) -> None:
    with pytest.raises(WrongPassphrase):
        workspace.change_passphrase(
            "Not-The-Current 77 owls", "Quiet-Meadow 91 kettles", "Quiet-Meadow 91 kettles"
        )
