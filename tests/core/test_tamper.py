# SPDX-License-Identifier: GPL-3.0-or-later
"""Tampering (SECURITY 4): one flipped byte anywhere is reported as damage, never shown."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.errors import WorkspaceDamaged
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.store.models import Sex
from coderdesk.core.store.registry import WorkspaceRegistry
from coderdesk.core.store.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.store.throttle import UnlockThrottle

FLIPS = 50


def _fill(workspace: Workspace) -> None:
    service = PatientService(workspace)
    for number in range(40):
        service.create(
            PatientInput(
                f"ACC{number:04d}", "Example", f"Person{number}", dt.date(1970, 1, 1), Sex.FEMALE
            )
        )


def _flip(source: Path, target: Path, offset: int) -> None:
    shutil.copyfile(source, target)
    with target.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)[0]
        handle.seek(offset)
        handle.write(bytes([byte ^ 0xFF]))


def test_fifty_flipped_bytes_are_fifty_clear_damage_reports(
    workspace: Workspace,
    workspace_path: Path,
    passphrase: str,
    no_wait_throttle: UnlockThrottle,
) -> None:
    _fill(workspace)
    workspace.close()
    size = workspace_path.stat().st_size
    offsets = random.Random(4).sample(range(size), FLIPS - 2) + [3, 12]  # two in the salt
    damaged_copy = workspace_path.with_name("damaged.cdws")
    reported = 0
    for offset in offsets:
        _flip(workspace_path, damaged_copy, offset)
        # The copy must be known to this machine for salt damage to be told from a typo.
        WorkspaceRegistry().remember(damaged_copy, workspace_path.read_bytes()[:16])
        with pytest.raises(WorkspaceDamaged) as caught:
            Workspace.unlock(damaged_copy, passphrase, throttle=no_wait_throttle)
        assert "restore" in caught.value.user_message.lower()
        reported += 1
    assert reported == FLIPS
    assert no_wait_throttle.failures(damaged_copy) == 0
