# SPDX-License-Identifier: GPL-3.0-or-later
"""The known-workspaces list: recent paths, and each file's salt to tell damage from a typo.

SQLCipher keeps a random salt in a file's first 16 bytes. A wrong passphrase and a
damaged salt look the same to SQLCipher; remembering the salt (public, not a secret)
lets CoderDesk say "damaged" instead of "wrong passphrase" when the header was hit.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from coderdesk.core import paths
from coderdesk.core.files import write_private_json

MAX_RECENT = 10


@dataclass(frozen=True)
class KnownWorkspace:
    """One entry of the list: where it is, its salt, when it was last opened."""

    path: Path
    salt_hex: str
    last_opened: str


class WorkspaceRegistry:
    """Reads and writes `workspaces.json` in the config folder."""

    def __init__(self, file: Path | None = None) -> None:
        self.file = file or paths.config_dir() / "workspaces.json"

    def _load(self) -> list[KnownWorkspace]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            return [
                KnownWorkspace(Path(item["path"]), item["salt"], item["last_opened"])
                for item in raw
            ]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def _save(self, entries: list[KnownWorkspace]) -> None:
        raw = [
            {"path": str(e.path), "salt": e.salt_hex, "last_opened": e.last_opened} for e in entries
        ]
        write_private_json(self.file, raw)

    def recent(self) -> list[KnownWorkspace]:
        """Known workspaces, most recently opened first."""
        return sorted(self._load(), key=lambda e: e.last_opened, reverse=True)

    def remember(self, path: Path, salt: bytes) -> None:
        """Record that `path` (with this salt) was just opened or created."""
        resolved = path.resolve()
        now = dt.datetime.now(dt.UTC).isoformat()
        others = [e for e in self._load() if e.path != resolved]
        entries = [KnownWorkspace(resolved, salt.hex(), now), *others]
        self._save(sorted(entries, key=lambda e: e.last_opened, reverse=True)[:MAX_RECENT])

    def known_salt(self, path: Path) -> bytes | None:
        """The salt recorded for `path`, if it was opened here before."""
        resolved = path.resolve()
        for entry in self._load():
            if entry.path == resolved:
                return bytes.fromhex(entry.salt_hex)
        return None

    def forget(self, path: Path) -> None:
        """Drop `path` from the list."""
        resolved = path.resolve()
        self._save([e for e in self._load() if e.path != resolved])
