# SPDX-License-Identifier: GPL-3.0-or-later
"""The main window over the demo workspace: worklist, chart, code sheet, lock and unlock."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QDialogButtonBox
from ui_helpers import ACCOUNT_COLUMN, row_of_account  # the tests' folder is on the path

from coderdesk.core.demo import DEMO_CHARTS, DEMO_PASSPHRASE, DemoChart
from coderdesk.core.errors import WorkspaceLocked
from coderdesk.core.paths import config_dir
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.store.models import EncounterStatus
from coderdesk.ui.main_window import MainWindow
from coderdesk.ui.models.worklist_model import DUE_COLUMN, ENCOUNTER_ID_ROLE, SORT_ROLE
from coderdesk.ui.widgets.chart_pane import PdfDocumentView

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget
    from pytestqt.qtbot import QtBot

    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.tasks import TaskRunner


def _chart(predicate: str) -> DemoChart:
    """The demo chart whose documents match: 'pdf' (rendered as PDF) or 'ccda' (.xml)."""
    for chart in DEMO_CHARTS:
        for file_name, _title, as_pdf in chart.documents:
            if (predicate == "pdf" and as_pdf) or (
                predicate == "ccda" and file_name.endswith(".xml")
            ):
                return chart
    raise LookupError(predicate)


def _select_account(window: MainWindow, account: str) -> int:
    """Select the worklist row of `account`; return its encounter id."""
    row = row_of_account(window, account)
    window.worklist.table.selectRow(row)
    return int(window.worklist.proxy.index(row, 0).data(ENCOUNTER_ID_ROLE))


def _expected_counts() -> str:
    counts = Counter(chart.status for chart in DEMO_CHARTS)
    labels = {EncounterStatus.NEW: "New", EncounterStatus.IN_PROGRESS: "In progress"}
    return "  ".join(f"{labels[s]}: {counts[s]}" for s in EncounterStatus if counts[s])


def _diagnosis_codes(window: MainWindow) -> list[str]:
    tree = window.code_sheet.diagnoses
    return [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]


def _assert_no_phi(
    window: MainWindow, workspace: Workspace, chart_views: list[QWidget] | None = None
) -> None:
    # Run the pending deleteLater() calls: the chart's document views must really be gone.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for view in chart_views or []:
        assert not shiboken6.isValid(view)
    assert window.worklist.model.rowCount() == 0
    assert window.worklist.proxy.rowCount() == 0
    assert window.worklist.filter.text() == ""
    assert window.chart.tabs.count() == 0
    assert window.chart.current_text() == ""
    assert window.code_sheet.diagnoses.topLevelItemCount() == 0
    assert window.code_sheet.lines.topLevelItemCount() == 0
    assert window.code_sheet.heading.text() == "Code sheet"
    assert window.status_counts.text() == ""
    assert window.windowTitle() == "CoderDesk (locked)"
    assert window.workspace is None
    assert workspace.engine is None
    assert not workspace.is_unlocked
    with pytest.raises(WorkspaceLocked):
        EncounterService(workspace).worklist()


def _open_everything(window: MainWindow) -> list[QWidget]:
    """Put PHI in every view (a filter, a chart with a PDF, a code sheet); return the chart."""
    _select_account(window, _chart("pdf").patient.account_number)
    window.worklist.filter.setText("Testperson")
    assert window.chart.tabs.count() >= 1
    assert window.code_sheet.diagnoses.topLevelItemCount() >= 1
    return [window.chart.tabs.widget(i) for i in range(window.chart.tabs.count())]


def test_attach_shows_the_worklist_and_counts(
    window: MainWindow, demo_workspace: Workspace
) -> None:
    window.attach(demo_workspace)
    assert window.workspace is demo_workspace
    assert window.worklist.model.rowCount() == len(DEMO_CHARTS)
    assert window.worklist.proxy.rowCount() == len(DEMO_CHARTS)
    accounts = {
        window.worklist.proxy.index(r, ACCOUNT_COLUMN).data()
        for r in range(window.worklist.proxy.rowCount())
    }
    assert accounts == {chart.patient.account_number for chart in DEMO_CHARTS}
    assert window.status_counts.text() == _expected_counts()
    assert demo_workspace.path.name in window.windowTitle()
    # Sorted by due date, most urgent first, as the table opens.
    dues = [
        window.worklist.proxy.index(r, DUE_COLUMN).data(SORT_ROLE)
        for r in range(window.worklist.proxy.rowCount())
    ]
    assert dues == sorted(dues)


def test_filter_narrows_the_worklist(window: MainWindow, demo_workspace: Workspace) -> None:
    window.attach(demo_workspace)
    window.worklist.filter.setText("testPERSON")
    expected = sum(chart.patient.last_name == "Testperson" for chart in DEMO_CHARTS)
    assert window.worklist.proxy.rowCount() == expected
    window.worklist.filter.clear()
    assert window.worklist.proxy.rowCount() == len(DEMO_CHARTS)


def test_selecting_a_pdf_encounter_renders_the_pdf(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    window.attach(demo_workspace)
    chart = _chart("pdf")
    encounter_id = _select_account(window, chart.patient.account_number)
    assert window.worklist.selected_encounter_id() == encounter_id
    # Each PDF has its page view and, beside it, a tab with its text (for find and evidence).
    assert window.chart.tabs.count() == 2 * len(chart.documents)
    assert window.chart.tabs.tabText(1).endswith("(PDF text)")
    view = window.chart.tabs.widget(0)
    assert isinstance(view, PdfDocumentView)
    qtbot.waitUntil(lambda: view.pdf.status() == QPdfDocument.Status.Ready, timeout=5000)
    assert view.pdf.pageCount() >= 1
    assert window.chart.current_text() == ""
    # Moving on to another encounter disposes of the PDF view.
    _select_account(window, _chart("ccda").patient.account_number)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(view)
    assert "ASSESSMENT" in window.chart.current_text()


def test_selecting_the_ccda_encounter_shows_its_text(
    window: MainWindow, demo_workspace: Workspace
) -> None:
    window.attach(demo_workspace)
    _select_account(window, _chart("ccda").patient.account_number)
    assert window.chart.tabs.count() == 1
    assert "ASSESSMENT" in window.chart.current_text()


def test_code_sheet_lists_the_diagnoses(window: MainWindow, demo_workspace: Workspace) -> None:
    window.attach(demo_workspace)
    rowan = next(
        c
        for c in DEMO_CHARTS
        if (c.patient.last_name, c.patient.first_name) == ("Testperson", "Rowan")
    )
    _select_account(window, rowan.patient.account_number)
    codes = _diagnosis_codes(window)
    assert "E11.42" in codes
    assert codes == list(rowan.diagnoses)
    first = window.code_sheet.diagnoses.topLevelItem(0)
    assert (first.text(0), first.text(1)) == ("A", "E11.42")
    assert rowan.date_of_service.strftime("%m/%d/%Y") in window.code_sheet.heading.text()


def test_lock_leaves_no_phi(qtbot: QtBot, window: MainWindow, demo_workspace: Workspace) -> None:
    window.attach(demo_workspace)
    views = _open_everything(window)
    with qtbot.waitSignal(window.locked, timeout=1000):
        window.lock()
    _assert_no_phi(window, demo_workspace, views)
    assert not window.idle.timer.isActive()
    # The window is hidden, so no unlock dialog is asked for; locking again is harmless.
    assert window.unlock_dialog is None
    with qtbot.assertNotEmitted(window.locked):
        window.lock()


def test_idle_timeout_locks(qtbot: QtBot, window: MainWindow, demo_workspace: Workspace) -> None:
    window.attach(demo_workspace)
    assert window.idle.timer.isActive()
    views = _open_everything(window)
    with qtbot.waitSignal(window.locked, timeout=3000):
        window.idle.set_minutes(0.002)  # about 0.12 s
    _assert_no_phi(window, demo_workspace, views)
    assert not window.idle.timer.isActive()


def test_unlock_after_lock_brings_the_worklist_back(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.attach(demo_workspace)
    views = _open_everything(window)
    window.lock()
    _assert_no_phi(window, demo_workspace, views)

    dialog = window.unlock_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.selected_path() == demo_workspace.path
    qtbot.keyClicks(dialog.passphrase, DEMO_PASSPHRASE)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == len(DEMO_CHARTS), timeout=5000)

    assert window.unlock_dialog is None
    assert window.workspace is not None
    assert window.workspace is not demo_workspace
    assert window.workspace.is_unlocked
    assert not demo_workspace.is_unlocked
    assert window.status_counts.text() == _expected_counts()
    assert window.idle.timer.isActive()


def test_window_geometry_is_kept_in_the_config_folder(window: MainWindow) -> None:
    window.close()
    assert (config_dir() / "window.ini").is_file()


def test_splitter_sizes_are_remembered(qtbot: QtBot, runner: TaskRunner, backend: Any) -> None:
    first = MainWindow(runner, backend=backend)
    qtbot.addWidget(first)
    first.resize(1400, 900)
    first.show()
    outer = first.splitters[0]
    outer.setSizes([100, 700])
    remembered = outer.sizes()
    first.close()
    second = MainWindow(runner, backend=backend)
    qtbot.addWidget(second)
    second.resize(1400, 900)
    second.show()
    assert second.splitters[0].sizes() == remembered
    second.close()
