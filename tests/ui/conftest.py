# SPDX-License-Identifier: GPL-3.0-or-later
"""UI fixtures: the None guard first, then an unlocked demo workspace and a main window.

`coderdesk.ui` is imported before anything else touches Qt: PySide6 6.12.0 on Python
3.11 drops a reference to None on every void C++ call, and the package installs the
guard against it on import. pytest-qt creates the QApplication later, at the first
test that asks for `qtbot`, so the guard is already in place by then.
"""

from __future__ import annotations

import os

# A machine with no display (a server, CI, a fresh container) runs the window offscreen;
# without this Qt aborts the whole run when the first test opens a window.
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# isort: split

import coderdesk.ui  # noqa: F401  (applies the None guard before anything touches Qt)

# isort: split

import shutil
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

import coderdesk.ui.main_window as main_window_module
from coderdesk.core.codes.catalog import CodeDetail, IndexEntry, NoteView, Seventh
from coderdesk.core.demo import DEMO_PASSPHRASE, demo_workspace_path, ensure_demo_workspace
from coderdesk.core.errors import NotFound
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.search.engine import SearchResponse, SearchResult
from coderdesk.core.store.workspace import Workspace
from coderdesk.ui.main_window import MainWindow
from coderdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.core.progress import CancelToken, ProgressCallback

FAKE_CODES = (
    SearchResult("E11", "Type 2 diabetes mellitus", "icd10cm", False, 9.0),
    SearchResult("E11.9", "Type 2 diabetes mellitus without complications", "icd10cm", True, 8.0),
    SearchResult("E11.40", "Type 2 diabetes mellitus with diabetic neuropathy", "icd10cm", True, 7),
    SearchResult("I10", "Essential (primary) hypertension", "icd10cm", True, 6.0),
    SearchResult("G0438", "Annual wellness visit, first", "hcpcs", True, 5.0),
)

FAKE_INDEX = (
    IndexEntry(1, "Diabetes", "(mellitus)", 0, "E11.9", None, None, None, True),
    IndexEntry(2, "type 2", "", 1, "E11.9", None, None, None, False),
    IndexEntry(3, "with neuropathy", "", 1, "E11.40", None, None, None, False),
    IndexEntry(4, "Sugar diabetes", "", 0, None, None, "Diabetes", None, False),
)


class FakeBackend:
    """Code sets for UI tests: a handful of codes, an optional slow search, one rule."""

    def __init__(self, search_seconds: float = 0.0) -> None:
        self.search_seconds = search_seconds
        self.queries: list[str] = []
        self.threads: set[int] = set()
        self.opened = 0

    def open(self, progress: ProgressCallback, cancel: CancelToken) -> None:
        self.opened += 1
        progress(0, 0, "Opening the fake code sets")

    def search(self, text: str, limit: int) -> SearchResponse:
        self.threads.add(threading.get_ident())
        self.queries.append(text)
        time.sleep(self.search_seconds)
        words = text.lower().split()
        found = tuple(
            r for r in FAKE_CODES if all(w in f"{r.code} {r.title}".lower() for w in words)
        )
        return SearchResponse(text, found[:limit])

    def validate(self, claim: dict[str, Any]) -> list[Finding]:
        self.threads.add(threading.get_ident())
        found = [
            Finding("ICD10CM.HEADER_CODE", Severity.ERROR, f"{code} is a header.", "fake", (code,))
            for code in claim["diagnoses"]
            if code == "E11"
        ]
        found += [
            Finding("MOD.25", Severity.ERROR, "No 25.", "fake", (line["code"],), (number,))
            for number, line in enumerate(claim["lines"], start=1)
            if line["code"] == "99213" and "25" not in line["modifiers"] and len(claim["lines"]) > 1
        ]
        overridden = {o["rule"]: o["reason"] for o in claim.get("overrides", [])}
        return [
            replace(f, overridden=overridden[f.rule]) if f.rule in overridden else f for f in found
        ]

    def children(self, code: str, day: str) -> list[tuple[str, str]]:
        return [(r.code, r.title) for r in FAKE_CODES if r.code.startswith(f"{code}.")]

    def versions(self) -> list[str]:
        return ["Fake ICD-10-CM FY2026", "Fake HCPCS 2026"]

    def index_terms(self, prefix: str, system: str) -> list[IndexEntry]:
        if system == "icd10cm-neoplasm":
            cells = {"2": "C34.90", "3": "C78.00", "4": "D02.20", "5": "D14.30"}
            entries = [IndexEntry(5, "Lung", "", 0, None, None, None, None, False, cells)]
        else:
            entries = [e for e in FAKE_INDEX if e.level == 0]
        return [e for e in entries if e.title.lower().startswith(prefix.lower())]

    def index_children(self, term_id: int, system: str) -> list[IndexEntry]:
        return [e for e in FAKE_INDEX if e.level == 1 and term_id == 1]

    def detail(self, code: str, day: str | None) -> CodeDetail:
        found = next((r for r in FAKE_CODES if r.code == code), None)
        if found is None:
            raise NotFound(f"{code} is not a code.")
        fracture = code == "E11.9"  # stands in for a code that takes a 7th character
        return CodeDetail(
            code=code,
            system=found.system,
            title=found.title,
            billable=found.billable,
            kind="code",
            version="Fake FY2026",
            path=({"code": "E08-E13", "title": "Diabetes mellitus", "kind": "block"},),
            notes=(NoteView("excludes1", "type 1 diabetes (E10.-)", "E11", "category", ()),),
            children=tuple(
                {"code": c, "title": t, "billable": True} for c, t in self.children(code, "")
            ),
            seventh_characters=(Seventh("A", "E11.9XXA", "initial encounter"),) if fracture else (),
        )


@pytest.fixture
def backend() -> FakeBackend:
    """The fake code sets the window searches and validates with."""
    return FakeBackend()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace built once per session (building one takes about two seconds)."""
    root = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("DATA", "CONFIG", "CACHE"):
            patch.setenv(f"CODERDESK_{name}_DIR", str(root / name.lower()))
        return ensure_demo_workspace()


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException]]:
    """Record errors the main window would show in a modal box; fail the test if any."""
    errors: list[BaseException] = []
    monkeypatch.setattr(main_window_module, "show_error", lambda _parent, exc: errors.append(exc))
    yield errors
    assert not errors, f"the window reported errors: {errors!r}"


@pytest.fixture
def demo_path(demo_template: Path) -> Path:
    """The demo workspace file in this test's isolated folders (locked)."""
    shutil.copy2(demo_template, demo_workspace_path())
    return ensure_demo_workspace()


@pytest.fixture
def demo_workspace(demo_path: Path) -> Iterator[Workspace]:
    """The demo workspace, unlocked; closed at teardown."""
    workspace = Workspace.unlock(demo_path, DEMO_PASSPHRASE)
    yield workspace
    workspace.close()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    """The task runner; waits for its background work at teardown."""
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.wait_all(10_000), "background work still running after 10 s"


@pytest.fixture
def window(qtbot: QtBot, runner: TaskRunner, backend: FakeBackend) -> Iterator[MainWindow]:
    """A main window (not shown, no workspace attached, fake code sets); closed at teardown."""
    main = MainWindow(runner, backend=backend)
    qtbot.addWidget(main)
    yield main
    main.close()
    assert main.workspace is None
