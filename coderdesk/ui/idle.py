# SPDX-License-Identifier: GPL-3.0-or-later
"""Idle auto-lock: any keyboard or mouse input restarts the countdown."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits `idle_timed_out` after `minutes` without user input (install on the app)."""

    idle_timed_out = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle_timed_out)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        """Change the timeout and restart the countdown."""
        self.timer.setInterval(max(int(minutes * 60_000), 1))
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def pause(self) -> None:
        """Stop counting (while locked)."""
        self.timer.stop()

    def resume(self) -> None:
        """Start counting again (after unlock)."""
        self.timer.start()
