# SPDX-License-Identifier: GPL-3.0-or-later
"""One way to show an error: a domain error's message, or a PHI-free 'unexpected error'."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from coderdesk.core.errors import Cancelled, CoderDeskError
from coderdesk.core.logs import safe_traceback

_log = logging.getLogger("coderdesk.ui")


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the user what went wrong; log unexpected errors without their messages."""
    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, CoderDeskError):
        QMessageBox.warning(parent, "CoderDesk", exc.user_message)
        return
    details = safe_traceback(type(exc), exc.__traceback__)
    _log.error("unexpected error\n%s", details)
    box = QMessageBox(
        QMessageBox.Icon.Critical, "CoderDesk", "An unexpected error occurred.", parent=parent
    )
    box.setInformativeText(
        "Your work up to the last change is saved. Details were written to the log."
    )
    box.setDetailedText(details)
    box.exec()
