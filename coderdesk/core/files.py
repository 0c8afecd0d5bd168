# SPDX-License-Identifier: GPL-3.0-or-later
"""File safety: private permissions, durable atomic replacement, unsafe-location checks."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from typing import TYPE_CHECKING

from coderdesk.core.errors import UnsafeLocation

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700

# Folder names used by sync clients; a workspace in one would be copied off the machine.
_CLOUD_SYNC_NAMES = (
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "my drive",
    "icloud drive",
    "icloud",
    "mobile documents",
    "box sync",
    "box",
    "pcloud drive",
    "nextcloud",
    "owncloud",
    "mega",
    "megasync",
    "seafile",
    "sync.com",
    "tresorit",
    "syncthing",
)


def cloud_sync_folder(path: Path) -> str | None:
    """The name of the sync-client folder `path` lies in, or None."""
    for part in path.expanduser().resolve().parts:
        lowered = part.lower()
        for name in _CLOUD_SYNC_NAMES:
            if lowered == name or lowered.startswith((name + " ", name + "-")):
                return part
    return None


def refuse_cloud_sync(path: Path) -> None:
    """Raise `UnsafeLocation` when `path` is inside a cloud-sync folder."""
    folder = cloud_sync_folder(path)
    if folder is not None:
        raise UnsafeLocation(
            f"The folder '{folder}' looks like a cloud-sync folder. Patient data must stay "
            "on this machine: choose a folder that is not synchronised."
        )


def prepare_private_parent(path: Path) -> None:
    """Create the folder that will hold `path` with mode 0700 if it does not exist."""
    path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 0600; raise FileExistsError if it exists."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))


def is_private_dir(path: Path) -> bool:
    """True when no one but the owner can read, write or enter `path`."""
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def make_private(path: Path) -> None:
    """Give `path` mode 0600."""
    os.chmod(path, PRIVATE_FILE_MODE)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries so a rename in it survives power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file's contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_replace(source: Path, target: Path) -> None:
    """Move `source` over `target` durably (fsync the file, rename, fsync the folder)."""
    fsync_file(source)
    os.replace(source, target)
    fsync_dir(target.parent)


def write_private_text(target: Path, text: str) -> None:
    """Write `text` to `target` (mode 0600) through a unique temp file and a rename."""
    write_private_bytes(target, text.encode("utf-8"))


def write_private_bytes(target: Path, content: bytes) -> None:
    """Write `content` to `target` (mode 0600) through a unique temp file and a rename."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temp_name, PRIVATE_FILE_MODE)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_private_json(target: Path, data: object) -> None:
    """Write `data` as JSON to `target` (mode 0600) through a unique temp file and a rename."""
    write_private_text(target, json.dumps(data, indent=1))


@contextlib.contextmanager
def temporary_sibling(target: Path, suffix: str) -> Iterator[Path]:
    """A not-yet-existing path beside `target`, removed on exit if still there."""
    temp = target.with_name(f".{target.name}.{os.getpid()}{suffix}")
    temp.unlink(missing_ok=True)
    try:
        yield temp
    finally:
        for leftover in (temp, temp.with_name(temp.name + "-journal")):
            leftover.unlink(missing_ok=True)
