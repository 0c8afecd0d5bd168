# SPDX-License-Identifier: GPL-3.0-or-later
"""Run core work off the UI thread, with progress, cancel and results back on the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from coderdesk.core.progress import CancelToken, ProgressCallback

Work = Callable[[ProgressCallback, CancelToken], Any]


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Work, signals: _Signals, token: CancelToken) -> None:
        super().__init__()
        self._work, self._signals, self._token = work, signals, token

    def _report_progress(self, done: int, total: int, label: str) -> None:
        self._signals.progressed.emit(done, total, label)

    def run(self) -> None:
        try:
            result = self._work(self._report_progress, self._token)
        except BaseException as exc:  # every failure must reach the UI thread
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)


class Task(QObject):
    """A handle on running work: connect to its signals, or cancel it."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.token = CancelToken()
        self._signals = _Signals()
        self._signals.progressed.connect(self.progressed)
        self._signals.succeeded.connect(self.succeeded)
        self._signals.failed.connect(self.failed)

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self.token.cancel()


class TaskRunner(QObject):
    """Starts work on a thread pool; the only way the UI runs anything slow."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()

    def start(
        self,
        work: Work,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Task:
        """Run `work(progress, cancel)` in the pool; call back on the UI thread."""
        task = Task(self)
        task.succeeded.connect(on_success)
        task.failed.connect(on_failure)
        if on_progress is not None:
            task.progressed.connect(on_progress)
        task.succeeded.connect(lambda _result: self._finish(task))
        task.failed.connect(lambda _exc: self._finish(task))
        self._running.add(task)
        self._pool.start(_Runnable(work, task._signals, task.token))
        return task

    def _finish(self, task: Task) -> None:
        self._running.discard(task)
        task.deleteLater()

    def wait_all(self, msecs: int = 30_000) -> bool:
        """Wait for the pool to finish (used at quit and in tests)."""
        return bool(self._pool.waitForDone(msecs))
