# SPDX-License-Identifier: GPL-3.0-or-later
"""Process hardening done once at start-up: no core dumps (they would hold decrypted PHI)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import resource
import sys

_PR_SET_DUMPABLE = 4


def disable_core_dumps() -> None:
    """Set the core-file limit to zero and, on Linux, mark the process not dumpable."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def core_dumps_disabled() -> bool:
    """Whether the core-file limit is zero."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    return soft == 0 and hard == 0
