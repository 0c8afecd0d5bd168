# SPDX-License-Identifier: GPL-3.0-or-later
"""Core fixtures: a fresh workspace, and an unlock throttle that never sleeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from coderdesk.core.store.throttle import UnlockThrottle
from coderdesk.core.store.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def no_wait_throttle(tmp_path: Path) -> UnlockThrottle:
    """A throttle that records failures but whose waits are instant."""
    return UnlockThrottle(state_file=tmp_path / "failures.json", sleep=lambda _s: None)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """Where the test's workspace file goes (its folder does not exist yet)."""
    return tmp_path / "workspaces" / "practice.cdws"


@pytest.fixture
def workspace(workspace_path: Path, passphrase: str) -> Iterator[Workspace]:
    """A new, unlocked, empty workspace; closed at the end of the test."""
    opened = Workspace.create(workspace_path, passphrase, passphrase)
    yield opened
    opened.close()
