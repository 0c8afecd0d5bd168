# SPDX-License-Identifier: GPL-3.0-or-later
"""The core works with PySide6 absent: every core module imports and the demo builds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                raise ImportError("Qt is not installed here")
            return None

    sys.meta_path.insert(0, BlockQt())
    import coderdesk.core
    for module in pkgutil.walk_packages(coderdesk.core.__path__, "coderdesk.core."):
        if ".migrations." not in module.name:  # Alembic scripts run only under Alembic
            importlib.import_module(module.name)
    from coderdesk.cli import main
    assert main(["demo", "--no-gui"]) == 0
    assert not any(m.startswith(("PySide6", "shiboken6")) for m in sys.modules)
    print("core ok without Qt")
    """
)


def test_core_and_cli_run_with_qt_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "core ok without Qt" in result.stdout
