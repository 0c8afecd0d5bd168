# SPDX-License-Identifier: GPL-3.0-or-later
"""The composition root: QApplication, exception hook, main window, first unlock."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from coderdesk import __version__
from coderdesk.core.demo import DEMO_PASSPHRASE
from coderdesk.ui.errors import show_error
from coderdesk.ui.main_window import MainWindow
from coderdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    # An exception escaping a slot must not kill the app nor print PHI to a terminal.
    show_error(QApplication.activeWindow(), exc)


def create_application() -> QApplication:
    """The QApplication, created once."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("CoderDesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("CoderDesk")
    return app


def run_gui(path: Path | None, *, demo: bool = False) -> int:
    """Open the main window, ask for the passphrase, run until quit."""
    app = create_application()
    sys.excepthook = _excepthook
    runner = TaskRunner()
    window = MainWindow(runner, path, DEMO_PASSPHRASE if demo else None)
    window.show()
    first_dialog = window.request_unlock()
    # Cancelling the very first unlock ends the program; later cancels leave it locked.
    first_dialog.rejected.connect(lambda: None if window.workspace else app.quit())
    code = app.exec()
    runner.wait_all()
    return int(code)


def run() -> None:
    """Entry point of the `coderdesk-gui` launcher."""
    raise SystemExit(run_gui(None))
