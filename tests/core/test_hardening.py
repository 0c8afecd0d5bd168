# SPDX-License-Identifier: GPL-3.0-or-later
"""Process and file hardening (SECURITY 18): no core dumps, private logs and state."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from typing import TYPE_CHECKING

from coderdesk.core.files import cloud_sync_folder, is_private_dir
from coderdesk.core.logs import configure_logging
from coderdesk.core.paths import config_dir, data_dir, log_dir

if TYPE_CHECKING:
    from pathlib import Path


def test_cli_start_up_turns_core_dumps_off() -> None:
    code = (
        "import resource; from coderdesk.core.hardening import disable_core_dumps, "
        "core_dumps_disabled;"
        "disable_core_dumps(); assert core_dumps_disabled();"
        "assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0); print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_log_file_and_folders_are_private() -> None:
    log_file = configure_logging(logging.INFO)
    logging.getLogger("coderdesk.test").info("hello")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    for folder in (log_dir(), data_dir(), config_dir()):
        assert is_private_dir(folder)


def test_cloud_sync_detection(tmp_path: Path) -> None:
    assert cloud_sync_folder(tmp_path / "Dropbox" / "w.cdws") == "Dropbox"
    assert cloud_sync_folder(tmp_path / "OneDrive - Clinic" / "w.cdws") == "OneDrive - Clinic"
    assert cloud_sync_folder(tmp_path / "clinic" / "w.cdws") is None
    assert cloud_sync_folder(tmp_path / "boxing-notes" / "w.cdws") is None
