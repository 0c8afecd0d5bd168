# SPDX-License-Identifier: GPL-3.0-or-later
"""Work around PySide6 6.12.0 releasing a reference to None on every void call (Python 3.11).

The 6.12.0 wheels were built for the immortal None of Python 3.12 (PEP 683): on 3.11,
each call of a C++ method returning void (`update()`, `processEvents()`, `setText()`...)
drops None's reference count by one, and the interpreter aborts with "none_dealloc"
once it reaches zero, typically within seconds of use. Measured here: -200 after 200
`QLabel.setText` calls. `pyside6-pdf` exists only for 6.12.0, so CoderDesk cannot move
to another release; instead, on Python < 3.12, None's count is raised so far that it
cannot reach zero in any session. Python 3.12 and later need nothing.
"""

from __future__ import annotations

import ctypes
import sys

GUARD_REFERENCES = 1 << 40


def guard_none_refcount() -> bool:
    """Raise None's reference count on Python < 3.12; return whether it was needed."""
    if sys.version_info >= (3, 12):
        return False
    counter = ctypes.c_ssize_t.from_address(id(None))
    if counter.value < GUARD_REFERENCES // 2:
        counter.value += GUARD_REFERENCES
    return True
