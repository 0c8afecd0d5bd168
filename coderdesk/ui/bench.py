# SPDX-License-Identifier: GPL-3.0-or-later
"""`coderdesk bench ui`: launch-to-worklist time, keystroke-to-results latency, 20-page PDF.

Runs the real window offscreen over a copy of the demo workspace in a temporary folder
(its own code-set library and search index, built first and timed apart, so that the
launch is measured with a warm index). Figures, not tests.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

TARGET_LAUNCH_S = 2.0
TARGET_KEYSTROKE_P95_MS = 50.0
TARGET_PDF_OPEN_MS = 300.0
PDF_PAGES = 20
QUERIES = (
    "type 2 diabetes with neuropathy",
    "essential hypertension",
    "chf exacerbation",
    "closed fracture of right femur",
    "copd with acute exacerbation",
    "urinary tract infection",
    "major depressive disorder recurrent moderate",
    "low back pain",
    "atrial fibrillation",
    "annual wellness visit",
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from coderdesk.ui.main_window import MainWindow


@dataclass(frozen=True)
class UiReport:
    """The figures of one `bench ui` run."""

    index_build_s: float
    launch_s: float
    lane_ready_s: float
    keystrokes: int
    keystroke_p50_ms: float
    keystroke_p95_ms: float
    pdf_pages: int
    pdf_open_ms: float

    def as_json(self) -> dict[str, Any]:
        """The `--json` form, with the targets."""
        data = asdict(self)
        data["targets"] = {
            "launch_s": TARGET_LAUNCH_S,
            "keystroke_p95_ms": TARGET_KEYSTROKE_P95_MS,
            "pdf_open_ms": TARGET_PDF_OPEN_MS,
        }
        return data

    def as_text(self) -> str:
        """The human-readable report."""

        def verdict(ok: bool) -> str:
            return "pass" if ok else "FAIL"

        return "\n".join(
            [
                "== bench ui (offscreen, demo workspace)",
                f"search index build (cold, before the launch): {self.index_build_s:.1f} s",
                f"launch to unlocked, populated main window: {self.launch_s:.2f} s "
                f"(target {TARGET_LAUNCH_S:g} s: {verdict(self.launch_s <= TARGET_LAUNCH_S)})",
                f"  code sets ready for search (warm index): {self.lane_ready_s:.2f} s",
                f"keystroke to results, {self.keystrokes} keystrokes: p50 "
                f"{self.keystroke_p50_ms:.1f} ms, p95 {self.keystroke_p95_ms:.1f} ms (target "
                f"{TARGET_KEYSTROKE_P95_MS:g} ms: "
                f"{verdict(self.keystroke_p95_ms <= TARGET_KEYSTROKE_P95_MS)})",
                f"open an encounter with a {self.pdf_pages}-page PDF: {self.pdf_open_ms:.0f} ms "
                f"(target {TARGET_PDF_OPEN_MS:g} ms: "
                f"{verdict(self.pdf_open_ms <= TARGET_PDF_OPEN_MS)})",
            ]
        )


def _wait(app: QApplication, done: Any, seconds: float) -> float:
    """Process events until `done()`; return the seconds it took (raise on time-out)."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > seconds:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.0005)
    return time.perf_counter() - started


def run_ui_benchmark() -> UiReport:
    """Run the three measurements in a temporary CoderDesk folder."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="coderdesk-bench-ui-") as folder:
        for name in ("DATA", "CONFIG", "CACHE"):
            os.environ[f"CODERDESK_{name}_DIR"] = str(Path(folder) / name.lower())
        return _measure()


def _measure() -> UiReport:
    import coderdesk.ui  # noqa: F401  (the None guard, before Qt is touched)
    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.demo import DEMO_PASSPHRASE, ensure_demo_workspace
    from coderdesk.core.search.engine import SearchEngine
    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.app import create_application
    from coderdesk.ui.main_window import MainWindow
    from coderdesk.ui.tasks import TaskRunner

    started = time.perf_counter()
    library = CodeSetLibrary()
    SearchEngine.open(library).close()
    library.close()
    index_build_s = time.perf_counter() - started
    path = ensure_demo_workspace()
    pdf_encounter = _add_pdf_encounter(path, DEMO_PASSPHRASE)

    app = create_application()
    started = time.perf_counter()
    runner = TaskRunner()
    window = MainWindow(runner)
    window.show()
    window.attach(Workspace.unlock(path, DEMO_PASSPHRASE))
    _wait(app, lambda: window.worklist.model.rowCount() > 0, 30)
    launch_s = time.perf_counter() - started
    _wait(app, lambda: window.codes.is_ready, 120)
    lane_ready_s = time.perf_counter() - started
    try:
        latencies = _keystrokes(app, window)
        pdf_open_ms = _open_pdf(app, window, pdf_encounter)
    finally:
        window.close()
        window.codes.wait()
        runner.wait_all()
    return UiReport(
        index_build_s=round(index_build_s, 1),
        launch_s=round(launch_s, 3),
        lane_ready_s=round(lane_ready_s, 3),
        keystrokes=len(latencies),
        keystroke_p50_ms=round(statistics.median(latencies), 1),
        keystroke_p95_ms=round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 1),
        pdf_pages=PDF_PAGES,
        pdf_open_ms=round(pdf_open_ms, 1),
    )


def _keystrokes(app: QApplication, window: MainWindow) -> list[float]:
    """Type each query a character at a time; time each keystroke until its results show."""
    from PySide6.QtTest import QTest

    box = window.encoder.search
    latencies = []
    for query in QUERIES:
        box.clear()
        _wait(app, lambda: window.encoder.model.rowCount() == 0, 5)
        for character in query:
            typed = box.text() + character
            started = time.perf_counter()
            QTest.keyClicks(box, character)
            _wait(app, lambda typed=typed: window.encoder.shown_query == typed.strip(), 10)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)  # a fast typist: some 12 characters a second with the above
    return latencies


def _add_pdf_encounter(path: Path, passphrase: str) -> int:
    """A new encounter on the demo's first patient with a generated 20-page PDF."""
    from coderdesk.core.services.documents import DocumentService
    from coderdesk.core.services.encounters import EncounterInput, EncounterService
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(path, passphrase)
    try:
        first = EncounterService(workspace).worklist()[0]
        encounter = EncounterService(workspace).create(
            EncounterInput(
                patient_id=_patient_of(workspace, first.encounter_id),
                date_of_service=dt.date(2026, 3, 1),
                encounter_type="Benchmark: long record",
            )
        )
        DocumentService(workspace).add(encounter, "long-record.pdf", _long_pdf(), "Long record")
    finally:
        workspace.close()
    return encounter


def _long_pdf() -> bytes:
    """A fictional record of exactly PDF_PAGES full pages of text."""
    import io

    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    line = "Fictional benchmark text: stable symptoms, examination and plan unchanged."
    for page in range(1, PDF_PAGES + 1):
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(72, 740, f"LONG RECORD, PAGE {page} OF {PDF_PAGES}")
        canvas.setFont("Helvetica", 10)
        for row in range(50):
            canvas.drawString(72, 715 - row * 13, f"{row + 1:02d}. {line}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _patient_of(workspace: Any, encounter_id: int) -> int:
    from coderdesk.core.services.encounters import EncounterService

    return EncounterService(workspace).open(encounter_id).patient.id


def _open_pdf(app: QApplication, window: MainWindow, encounter_id: int) -> float:
    """Select the PDF encounter; time until its pages are loaded in the chart."""
    from PySide6.QtPdf import QPdfDocument

    from coderdesk.ui.widgets.chart_pane import PdfDocumentView

    def loaded() -> bool:
        widget = window.chart.tabs.widget(0)
        return (
            isinstance(widget, PdfDocumentView)
            and widget.pdf.status() == QPdfDocument.Status.Ready
            and window.detail is not None
            and window.detail.id == encounter_id
        )

    started = time.perf_counter()
    window.worklist.select(encounter_id)
    _wait(app, loaded, 30)
    return (time.perf_counter() - started) * 1000
