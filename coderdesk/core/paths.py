# SPDX-License-Identifier: GPL-3.0-or-later
"""Where CoderDesk keeps things: platformdirs locations, each movable by an environment variable.

`CODERDESK_DATA_DIR` moves workspaces, the code-set library and the demo;
`CODERDESK_CONFIG_DIR` moves settings; `CODERDESK_CACHE_DIR` moves the search index and logs.
Every folder is created 0700 on first use: some of them hold PHI.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "CoderDesk"
_PRIVATE_DIR_MODE = 0o700


def _base(env_var: str, default: str) -> Path:
    override = os.environ.get(env_var)
    return Path(override).expanduser() if override else Path(default)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700 if missing; return it."""
    path.mkdir(mode=_PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Root of per-user data: workspaces, code-set library, demo."""
    return ensure_private_dir(
        _base("CODERDESK_DATA_DIR", platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )


def config_dir() -> Path:
    """Root of settings: the list of known workspaces, preferences."""
    return ensure_private_dir(
        _base("CODERDESK_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )


def cache_dir() -> Path:
    """Root of rebuildable data: the search index, logs."""
    return ensure_private_dir(
        _base("CODERDESK_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    )


def workspaces_dir() -> Path:
    """Default folder for new workspaces."""
    return ensure_private_dir(data_dir() / "workspaces")


def demo_dir() -> Path:
    """The demo workspace's own folder, never mixed with real workspaces."""
    return ensure_private_dir(data_dir() / "demo")


def codeset_library_path() -> Path:
    """The code-set library (public reference data, not encrypted)."""
    return data_dir() / "codesets.sqlite"


def search_index_dir() -> Path:
    """The Whoosh index over the code-set library (public data only)."""
    return ensure_private_dir(cache_dir() / "search-index")


def log_dir() -> Path:
    """Log files (never hold PHI)."""
    return ensure_private_dir(cache_dir() / "logs")


def state_dir() -> Path:
    """Small state files: unlock-failure counters, the known-workspaces registry."""
    return ensure_private_dir(data_dir() / "state")


def package_root() -> Path:
    """The installed `coderdesk` package folder."""
    return Path(__file__).resolve().parent.parent


def _bundled(installed_name: str, checkout_name: str) -> Path:
    # A wheel carries the folder inside the package; a source checkout has it at the top.
    installed = package_root() / installed_name
    return installed if installed.is_dir() else package_root().parent / checkout_name


def resources_dir() -> Path:
    """The project's `resources/` folder (demo charts, templates, icons)."""
    return _bundled("_resources", "resources")


def codesets_dir() -> Path:
    """The project's `codesets/` folder (rule tables, abbreviations, catalogues)."""
    return _bundled("_codesets", "codesets")
