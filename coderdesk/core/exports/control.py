# SPDX-License-Identifier: GPL-3.0-or-later
"""X12 control numbers that only ever increase, kept in a small private file.

A receiver rejects a repeated interchange number, so each number is written back
(atomically) before the file that uses it is produced.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from coderdesk.core import paths
from coderdesk.core.errors import StorageFailed
from coderdesk.core.files import write_private_json

if TYPE_CHECKING:
    from pathlib import Path

CONTROL_FILE = "x12-control-numbers.json"
MAX_INTERCHANGE = 999_999_999


def _path(folder: Path | None) -> Path:
    return (folder or paths.data_dir()) / CONTROL_FILE


def next_control_numbers(folder: Path | None = None, after: int = 0) -> tuple[int, int]:
    """(interchange, group) numbers for the next file; both stored before returning.

    `after` is the last number used elsewhere (a workspace keeps its own), so that files
    written from claim JSON and from workspaces on this machine never repeat a number.
    """
    path = _path(folder)
    try:
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        last = int(stored.get("interchange", 0))
    except (OSError, ValueError, AttributeError):
        raise StorageFailed(
            f"The X12 control number file {path.name} is unreadable; fix or remove it."
        ) from None
    last = max(last, after)
    number = last + 1 if last < MAX_INTERCHANGE else 1
    write_private_json(path, {"interchange": number, "group": number})
    return number, number
