# SPDX-License-Identifier: GPL-3.0-or-later
"""The CLI contract on a fresh install: search (single and batch), code, codesets, import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coderdesk", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
        check=False,
    )


def test_fresh_install_search_code_and_codesets(tmp_path: Path) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("E114\nfracture femur neck\npnuemonia\n", encoding="utf-8")
    result = _run("search", "--batch", str(batch), "--limit", "3", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["E114", "fracture femur neck", "pnuemonia"]
    first = lines[0]["results"][0]
    assert set(first) == {"code", "title", "system", "billable", "score"}
    assert first["code"] == "E11.4"
    assert first["billable"] is False
    assert all(len(line["results"]) <= 3 for line in lines)

    single = _run("search", "S72.001", "--system", "icd10cm", "--json")
    codes = [r["code"] for r in json.loads(single.stdout)["results"]]
    assert codes[:2] == ["S72.001", "S72.001A"]

    code = _run("code", "S72.001A", "--date", "2026-03-14", "--json")
    detail = json.loads(code.stdout)
    assert detail["billable"]
    assert detail["path"][-1]["code"] == "S72.001"
    assert any(n["kind"] == "sevenChrNote" for n in detail["notes"])

    listing = json.loads(_run("codesets", "list", "--json").stdout)
    assert [v["system"] for v in listing] == ["icd10cm"]


def test_import_kinds_and_errors(tmp_path: Path, shared_data: Path) -> None:
    hcpcs = shared_data / "hcpcs" / "2020-anweb" / "HCPC2020_ANWEB_w_disclaimer.txt"
    result = _run("import", "hcpcs", str(hcpcs))
    assert result.returncode == 0, result.stderr
    assert "7,079 records" in result.stdout
    again = _run("import", "hcpcs", str(hcpcs))
    assert "already imported" in again.stdout
    wrong = _run("import", "icd10cm-drug", str(hcpcs))
    assert wrong.returncode == 1
    assert "Traceback" not in wrong.stderr
    assert _run("import", "nonsense", str(hcpcs)).returncode == 2
    assert _run("code", "ZZZ.9").returncode == 1
