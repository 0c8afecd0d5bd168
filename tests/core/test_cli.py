# SPDX-License-Identifier: GPL-3.0-or-later
"""The `coderdesk` command line: exit codes, one-line errors, the workspace verbs, the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coderdesk.cli import build_parser

NEW = "Quiet-Meadow 91 kettles"


def _run(
    *args: str, passphrase: str | None = None, new: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if passphrase is not None:
        env["CODERDESK_PASSPHRASE"] = passphrase
    if new is not None:
        env["CODERDESK_NEW_PASSPHRASE"] = new
    return subprocess.run(
        [sys.executable, "-m", "coderdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def _subcommands() -> list[list[str]]:
    found: list[list[str]] = [[]]
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            found.append([name])
            for inner in sub._actions:
                if getattr(inner, "choices", None) and isinstance(inner.choices, dict):
                    found.extend([name, verb] for verb in inner.choices)
    return found


@pytest.mark.parametrize("words", _subcommands(), ids=lambda w: " ".join(w) or "coderdesk")
def test_every_command_has_help(words: list[str]) -> None:
    result = _run(*words, "--help")
    assert result.returncode == 0
    assert "usage: coderdesk" in result.stdout


def test_bad_usage_exits_2() -> None:
    assert _run("workspace", "explode").returncode == 2
    assert _run("workspace", "check").returncode == 2


def test_workspace_lifecycle_through_the_cli(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "ws" / "office.cdws"
    backup = tmp_path / "bk" / "office-backup.cdws"
    assert _run("workspace", "create", str(path), passphrase=passphrase).returncode == 0
    check = _run("workspace", "check", str(path), passphrase=passphrase)
    assert check.returncode == 0, check.stderr
    assert "ok" in check.stdout
    assert (
        _run("workspace", "backup", str(path), str(backup), passphrase=passphrase).returncode == 0
    )
    passwd = _run("workspace", "passwd", str(path), passphrase=passphrase, new=NEW)
    assert passwd.returncode == 0, passwd.stderr
    audit = _run("workspace", "verify-audit", str(path), passphrase=NEW)
    assert audit.returncode == 0
    assert "intact" in audit.stdout
    restore = _run("workspace", "restore", str(backup), str(path), passphrase=passphrase)
    assert restore.returncode == 0, restore.stderr
    assert _run("workspace", "check", str(path), passphrase=passphrase).returncode == 0


def test_user_errors_are_one_line_without_traceback(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "ws" / "office.cdws"
    _run("workspace", "create", str(path), passphrase=passphrase)
    for result in (
        _run("workspace", "check", str(path), passphrase="Wrong-Harbor 48 lanterns"),
        _run("workspace", "check", str(tmp_path / "missing.cdws"), passphrase=passphrase),
        _run("workspace", "create", str(tmp_path / "weak.cdws"), passphrase="short"),
        _run("workspace", "check", str(path)),  # no passphrase and no terminal
    ):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("coderdesk: ")


def test_demo_is_created_once_in_its_own_folder() -> None:
    first = _run("demo", "--no-gui")
    assert first.returncode == 0, first.stderr
    demo_path = Path(first.stdout.splitlines()[0].split(": ", 1)[1])
    assert demo_path.parent.name == "demo"
    assert demo_path.parent.parent == Path(os.environ["CODERDESK_DATA_DIR"])
    created = demo_path.stat().st_mtime_ns
    again = _run("demo", "--no-gui")
    assert again.returncode == 0
    assert demo_path.stat().st_mtime_ns == created
    passphrase = first.stdout.splitlines()[1].split(": ", 1)[1]
    assert _run("workspace", "check", str(demo_path), passphrase=passphrase).returncode == 0


def test_claim_import_then_export_through_the_cli(tmp_path: Path, passphrase: str) -> None:
    path = tmp_path / "ws" / "office.cdws"
    claim = tmp_path / "claim.json"
    claim.write_text(
        '{"date_of_service": "2026-03-14", "patient": {"name": "Cli, Pat", "dob": "1950-02-01",'
        ' "sex": "M", "account": "C-1"}, "diagnoses": ["I10"],'
        ' "lines": [{"code": "99213", "pointers": [1], "charge": 90, "pos": "11"}]}',
        encoding="utf-8",
    )
    assert _run("workspace", "create", str(path), passphrase=passphrase).returncode == 0
    imported = _run("claim", "import", str(path), str(claim), passphrase=passphrase)
    assert imported.returncode == 0, imported.stderr
    assert "encounter 1" in imported.stdout
    out = tmp_path / "out.json"
    exported = _run("claim", "export", str(path), "1", "-o", str(out), passphrase=passphrase)
    assert exported.returncode == 0, exported.stderr
    assert '"I10"' in out.read_text(encoding="utf-8")
    assert out.stat().st_mode & 0o077 == 0
    missing = _run("claim", "export", str(path), "7", passphrase=passphrase)
    assert missing.returncode == 1
    assert "Encounter 7 does not exist" in missing.stderr
