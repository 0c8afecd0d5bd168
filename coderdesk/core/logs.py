# SPDX-License-Identifier: GPL-3.0-or-later
"""Logging that cannot leak PHI: files 0600, and exceptions logged without their messages.

An exception's message may quote data (a name, a note's text); its type and the code
location it came from never do. So tracebacks are logged as type plus frames only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from typing import TYPE_CHECKING

from coderdesk.core import paths

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

    _ExcInfo = (
        tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    )

LOG_FILE_NAME = "coderdesk.log"
_MAX_BYTES = 2 * 1024 * 1024


def safe_traceback(
    exc_type: type[BaseException] | None,
    tb: TracebackType | None,
) -> str:
    """A traceback with file, line and function of each frame, and no message or values."""
    frames = [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
        for frame in traceback.extract_tb(tb)
    ]
    name = exc_type.__qualname__ if exc_type else "Exception"
    return "Traceback (most recent call last):\n" + "\n".join(frames) + f"\n{name}"


class SafeFormatter(logging.Formatter):
    """Formats records normally but renders exceptions through `safe_traceback`."""

    def formatException(self, ei: _ExcInfo) -> str:  # noqa: N802 (logging's API name)
        return safe_traceback(ei[0], ei[2])


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def configure_logging(level: int = logging.INFO, directory: Path | None = None) -> Path:
    """Send CoderDesk's log records to a private rotating file; return its path."""
    folder = directory or paths.log_dir()
    log_file = folder / LOG_FILE_NAME
    handler = _PrivateRotatingHandler(log_file, maxBytes=_MAX_BYTES, backupCount=3)
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # SQLAlchemy's records carry statements only: every engine sets hide_parameters.
    for name in ("coderdesk", "sqlalchemy"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            if isinstance(old, _PrivateRotatingHandler):
                logger.removeHandler(old)
                old.close()
        logger.addHandler(handler)
    logging.getLogger("coderdesk").setLevel(level)
    return log_file
