# SPDX-License-Identifier: GPL-3.0-or-later
"""A growing delay after repeated wrong passphrases, remembered across restarts.

The counter lives in the state folder, keyed by a hash of the workspace path, so the
workspace file itself is never touched by a failed attempt.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coderdesk.core import paths
from coderdesk.core.files import write_private_json

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

FREE_ATTEMPTS = 2
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0


def delay_after(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` consecutive failures."""
    if failures <= FREE_ATTEMPTS:
        return 0.0
    delay: float = FIRST_DELAY_SECONDS * 2.0 ** (failures - FREE_ATTEMPTS - 1)
    return min(delay, MAX_DELAY_SECONDS)


def _key(workspace: Path) -> str:
    return hashlib.sha256(str(workspace.resolve()).encode()).hexdigest()[:32]


@dataclass
class UnlockThrottle:
    """Counts consecutive failures per workspace and makes the next attempt wait."""

    state_file: Path = field(default_factory=lambda: paths.state_dir() / "unlock-failures.json")
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def _load(self) -> dict[str, list[float]]:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, list[float]]) -> None:
        write_private_json(self.state_file, data)

    def failures(self, workspace: Path) -> int:
        """Consecutive failed attempts recorded for `workspace`."""
        return int(self._load().get(_key(workspace), [0, 0.0])[0])

    def wait_needed(self, workspace: Path) -> float:
        """Seconds the next attempt must still wait."""
        count, last = self._load().get(_key(workspace), [0, 0.0])
        return max(0.0, last + delay_after(int(count)) - self.clock())

    def wait_turn(self, workspace: Path) -> None:
        """Sleep until an attempt on `workspace` is allowed."""
        remaining = self.wait_needed(workspace)
        if remaining > 0:
            self.sleep(remaining)

    def record_failure(self, workspace: Path) -> None:
        """Count one more failed attempt."""
        data = self._load()
        count = int(data.get(_key(workspace), [0, 0.0])[0]) + 1
        data[_key(workspace)] = [count, self.clock()]
        self._save(data)

    def record_success(self, workspace: Path) -> None:
        """Forget the failures of `workspace`."""
        data = self._load()
        if data.pop(_key(workspace), None) is not None:
            self._save(data)
