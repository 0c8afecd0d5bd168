# SPDX-License-Identifier: GPL-3.0-or-later
"""The ../shared guard: a missing-data skip is a skip locally and a failure in CI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

pytest_plugins = ["pytester"]

NEEDS_DATA = """
def test_reads_release_files(shared_data):
    assert shared_data.is_dir()
"""


def _run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, required: bool
) -> pytest.RunResult:
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(NEEDS_DATA)
    monkeypatch.setenv("CODERDESK_SHARED_DIR", str(pytester.path / "no-shared-here"))
    if required:
        monkeypatch.setenv("CODERDESK_REQUIRE_SHARED", "1")
    else:
        monkeypatch.delenv("CODERDESK_REQUIRE_SHARED", raising=False)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider")


def test_missing_shared_data_skips_locally(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(pytester, monkeypatch, required=False).assert_outcomes(skipped=1)


def test_missing_shared_data_fails_when_required(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(pytester, monkeypatch, required=True)
    # The skip happens while the fixture is set up, so it turns into a setup error.
    result.assert_outcomes(errors=1)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*CODERDESK_REQUIRE_SHARED=1*"])
