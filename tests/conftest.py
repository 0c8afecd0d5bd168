# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures: isolated CoderDesk folders per test, and the ../shared data guard.

Tests that need the public release files in ../shared/data skip when it is absent; with
CODERDESK_REQUIRE_SHARED=1 (as in CI) such a skip becomes a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

SHARED_SKIP_REASON = "needs ../shared/data (public release files)"
STRONG_PASSPHRASE = "Tidy-Harbor 48 lanterns"


def shared_root() -> Path:
    """Where ../shared is: CODERDESK_SHARED_DIR, else beside the repository."""
    override = os.environ.get("CODERDESK_SHARED_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared"


def _shared_required() -> bool:
    return os.environ.get("CODERDESK_REQUIRE_SHARED") == "1"


def _shared_data() -> Path:
    data = shared_root() / "data"
    if not data.is_dir():
        pytest.skip(SHARED_SKIP_REASON)
    return data


@pytest.fixture
def shared_data() -> Path:
    """The ../shared/data folder, or a skip (a failure in CI) when it is missing."""
    return _shared_data()


@pytest.fixture(scope="session")
def shared_data_session() -> Path:
    """`shared_data` for session-scoped fixtures."""
    return _shared_data()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Turn a skip for missing ../shared into a failure when CI requires the data."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _shared_required() and SHARED_SKIP_REASON in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"{SHARED_SKIP_REASON}, and CODERDESK_REQUIRE_SHARED=1"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every CoderDesk location at a fresh folder so tests never touch real data."""
    root = tmp_path / "coderdesk-home"
    for name in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"CODERDESK_{name}_DIR", str(root / name.lower()))
    monkeypatch.delenv("CODERDESK_PASSPHRASE", raising=False)
    monkeypatch.delenv("CODERDESK_NEW_PASSPHRASE", raising=False)
    return root


@pytest.fixture
def passphrase() -> str:
    """A passphrase that passes the strength policy."""
    return STRONG_PASSPHRASE
