# SPDX-License-Identifier: GPL-3.0-or-later
"""How long-running core functions report progress and learn they were cancelled."""

from __future__ import annotations

import threading
from typing import Protocol

from coderdesk.core.errors import Cancelled


class ProgressCallback(Protocol):
    """Receives `done` out of `total` steps (total 0 when unknown) and a short label."""

    def __call__(self, done: int, total: int, label: str) -> None: ...


def no_progress(done: int, total: int, label: str) -> None:
    """A progress callback that ignores everything."""


class CancelToken:
    """A flag the UI sets and the worker polls between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the worker to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancellation was asked for."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise `Cancelled` when cancellation was asked for."""
        if self._event.is_set():
            raise Cancelled
