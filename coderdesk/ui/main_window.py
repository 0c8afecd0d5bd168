# SPDX-License-Identifier: GPL-3.0-or-later
"""The main window: the worklist above, chart, encoder and code sheet side by side below."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QSettings, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coderdesk import __version__
from coderdesk.core.paths import config_dir
from coderdesk.core.services.claims import ClaimService
from coderdesk.core.services.codesheet import CodeSheetService, LineInput
from coderdesk.core.services.documents import DocumentService
from coderdesk.core.services.encounters import (
    EncounterDetail,
    EncounterService,
    WorklistRow,
    allowed_moves,
)
from coderdesk.core.services.evidence import EvidenceService
from coderdesk.core.services.settings import SettingsService
from coderdesk.core.store.models import EncounterStatus
from coderdesk.core.store.registry import WorkspaceRegistry
from coderdesk.ui.code_lane import CodeBackend, CodeLane, LibraryBackend
from coderdesk.ui.dialogs.unlock_dialog import UnlockDialog
from coderdesk.ui.errors import show_error
from coderdesk.ui.idle import IdleWatcher
from coderdesk.ui.models.worklist_model import (
    DUE_COLUMN,
    ENCOUNTER_ID_ROLE,
    SORT_ROLE,
    STATUS_LABELS,
    WorklistModel,
)
from coderdesk.ui.widgets.chart_pane import ChartPane
from coderdesk.ui.widgets.code_sheet_pane import CodeSheetPane, Sheet
from coderdesk.ui.widgets.encoder_pane import EncoderPane
from coderdesk.ui.widgets.findings_pane import FindingsPane
from coderdesk.ui.workspace_actions import WorkspaceActions

if TYPE_CHECKING:
    from coderdesk.core.rules.findings import Finding
    from coderdesk.core.store.workspace import Workspace
    from coderdesk.ui.tasks import TaskRunner

DEFAULT_IDLE_MINUTES = 5.0
MAX_POINTERS = 4


def window_settings() -> QSettings:
    """Window geometry and state, kept in the config folder (moved by CODERDESK_CONFIG_DIR)."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    heading = QLabel(f"<b>{title}</b>", box)
    layout.addWidget(heading)
    layout.addWidget(widget, 1)
    return box


class WorklistPane(QWidget):
    """The worklist table with a filter box; sorting by any column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = WorklistModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortRole(SORT_ROLE)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter the worklist (patient, payer, status...)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def select(self, encounter_id: int) -> None:
        """Select the row of an encounter, if it is listed."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ENCOUNTER_ID_ROLE) == encounter_id:
                self.table.selectRow(row)
                return

    def selected_encounter_id(self) -> int | None:
        """The encounter of the selected row, if any."""
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ENCOUNTER_ID_ROLE)) if rows else None


class MainWindow(QMainWindow):
    """The application shell; holds the unlocked workspace and locks it on idle."""

    locked = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        path: Path | None = None,
        demo_passphrase: str | None = None,
        backend: CodeBackend | None = None,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.workspace: Workspace | None = None
        self.detail: EncounterDetail | None = None
        self._validation = 0
        self.unlock_dialog: UnlockDialog | None = None
        self._path = path
        self._demo_passphrase = demo_passphrase
        self.setWindowTitle("CoderDesk")
        self.worklist = WorklistPane(self)
        self.chart = ChartPane(self)
        self.encoder = EncoderPane(self)
        self.code_sheet = CodeSheetPane(self)
        self.findings = FindingsPane(self)
        self.status_counts = QLabel(self)
        self.file_actions = WorkspaceActions(self)
        self.codes = CodeLane(backend or LibraryBackend(), self)
        self.codes.ready.connect(self.revalidate)
        self.codes.ready.connect(self._load_versions)
        self.code_versions: list[str] = []
        self.versions_label = QLabel("Code sets: loading...", self)
        self.productivity_label = QLabel(self)
        self.codes.failed.connect(self.show_failure)
        self.encoder.attach(self.codes)
        self.encoder.code_chosen.connect(self.add_code)
        self.undo_stack = QUndoStack(self)
        self.code_sheet.sheet_edited.connect(self.edit_sheet)
        self.code_sheet.problem.connect(self._show_problem)
        self.findings.fixable = _fixable
        self.findings.finding_selected.connect(self._finding_selected)
        self.chart.search_requested.connect(self._search_from_chart)
        self.chart.evidence_requested.connect(self.link_evidence)
        self.chart.files_dropped.connect(self.file_actions.add_documents)
        self.code_sheet.diagnoses.currentItemChanged.connect(self._diagnosis_selected)
        self.findings.fix_requested.connect(self.fix_finding)
        self.findings.override_requested.connect(self.override_finding)
        self._layout_panes()
        self._build_menus()
        self.statusBar().addPermanentWidget(self.status_counts)
        self.statusBar().addPermanentWidget(self.productivity_label)
        self.statusBar().addPermanentWidget(self.versions_label)
        self.idle = IdleWatcher(DEFAULT_IDLE_MINUTES, self)
        self.idle.idle_timed_out.connect(self.lock)
        self.idle.pause()
        QApplication.instance().installEventFilter(self.idle)  # type: ignore[union-attr]
        self.worklist.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._restore_geometry()
        self.codes.start()

    # -- layout ---------------------------------------------------------------------------

    def _layout_panes(self) -> None:
        panes = QSplitter(Qt.Orientation.Horizontal, self)
        panes.addWidget(_titled("Chart", self.chart))
        panes.addWidget(_titled("Encoder", self.encoder))
        sheet = QSplitter(Qt.Orientation.Vertical, self)
        sheet.addWidget(_titled("Code sheet", self.code_sheet))
        sheet.addWidget(_titled("Findings", self.findings))
        sheet.setSizes([450, 350])
        panes.addWidget(sheet)
        panes.setStretchFactor(0, 5)
        panes.setStretchFactor(1, 3)
        panes.setStretchFactor(2, 3)
        outer = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(_titled("Worklist", self.worklist))
        outer.addWidget(panes)
        outer.setStretchFactor(0, 1)
        outer.setStretchFactor(1, 3)
        outer.setSizes([260, 640])
        self.splitters = (outer, panes, sheet)
        self.setCentralWidget(outer)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(
            "&Open workspace...", QKeySequence.StandardKey.Open, self._open_other
        )
        self.add_document_action = self._action(
            "&Add chart document...", QKeySequence("Ctrl+D"), self.file_actions._choose_documents
        )
        self.import_action = self._action(
            "&Import code-set release...", QKeySequence(), self.file_actions.import_release
        )
        self.settings_action = self._action(
            "Practice &settings...", QKeySequence(), self.file_actions.edit_settings
        )
        self.backup_action = self._action(
            "&Back up workspace...", QKeySequence(), self.file_actions.backup
        )
        self.restore_action = self._action(
            "&Restore from a backup...", QKeySequence(), self.file_actions._choose_backup
        )
        self.passwd_action = self._action(
            "Change &passphrase...", QKeySequence(), self.file_actions.change_passphrase
        )
        self.lock_action = self._action("&Lock", QKeySequence("Ctrl+L"), self.lock)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for action in (
            self.open_action,
            self.add_document_action,
            self.import_action,
            self.settings_action,
            self.backup_action,
            self.restore_action,
            self.passwd_action,
            self.lock_action,
            self.quit_action,
        ):
            file_menu.addAction(action)
        file_menu.insertMenu(self.add_document_action, self.recent_menu)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.find_action = self._action(
            "&Find in document", QKeySequence.StandardKey.Find, self.chart.focus_find
        )
        edit_menu.addAction(self.find_action)
        encounter_menu = self.menuBar().addMenu("E&ncounter")
        self.status_actions: dict[EncounterStatus, QAction] = {}
        for status, label in STATUS_MOVES.items():
            action = QAction(label, self)
            action.setData(status.value)
            action.triggered.connect(self._status_action)
            action.setEnabled(False)
            encounter_menu.addAction(action)
            self.status_actions[status] = action
        encounter_menu.addSeparator()
        self.export_claim_action = self._action(
            "E&xport claim (JSON)...", QKeySequence(), self.file_actions.export_claim
        )
        self.export_837p_action = self._action(
            "Export &837P (X12)...", QKeySequence(), self.file_actions.export_837p
        )
        self.export_cms1500_action = self._action(
            "Export CMS-1500 P&DF (form)...", QKeySequence(), self.file_actions.export_cms1500
        )
        # Nothing leaves while an error stands without an override.
        self.claim_out_actions = (
            self.export_claim_action,
            self.export_837p_action,
            self.export_cms1500_action,
        )
        for action in self.claim_out_actions:
            action.setEnabled(False)
            encounter_menu.addAction(action)
        self.print_claim_action = self._action(
            "&Print CMS-1500 (red form)...",
            QKeySequence.StandardKey.Print,
            self.file_actions.print_claim,
        )
        self.print_summary_action = self._action(
            "Print coding &summary...", QKeySequence(), self.file_actions.print_summary
        )
        self.new_query_action = self._action(
            "New provider &query...", QKeySequence("Ctrl+Shift+Q"), self.file_actions.new_query
        )
        encounter_menu.addAction(self.new_query_action)
        self.queries_action = self._action(
            "Q&ueries (answer, close)...", QKeySequence(), self.file_actions.show_queries
        )
        encounter_menu.addAction(self.queries_action)
        self.open_queries_action = self._action(
            "Open queries, &all encounters (remind, escalate)...",
            QKeySequence(),
            self.file_actions.show_open_queries,
        )
        encounter_menu.addAction(self.open_queries_action)
        encounter_menu.addAction(self.print_claim_action)
        encounter_menu.addAction(self.print_summary_action)
        code_menu = self.menuBar().addMenu("&Code")
        self.search_action = self._action(
            "&Search the encoder", QKeySequence("Ctrl+K"), self.encoder.focus_search
        )
        code_menu.addAction(self.search_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", QKeySequence(Qt.Key.Key_F1), self.show_shortcuts
        )
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self._action("&About CoderDesk", QKeySequence(), self._about))

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey, slot: object
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _restore_geometry(self) -> None:
        settings = window_settings()
        for number, splitter in enumerate(self.splitters):
            state = settings.value(f"main/splitter{number}")
            if state is not None:
                splitter.restoreState(state)
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)

    # -- workspace ------------------------------------------------------------------------

    def request_unlock(self) -> UnlockDialog:
        """Show the unlock dialog (window-modal, not blocking); attach what it opens."""
        dialog = UnlockDialog(self.runner, self._path, self._demo_passphrase, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self._after_unlock_dialog(dialog))
        self.unlock_dialog = dialog
        dialog.open()
        return dialog

    def _after_unlock_dialog(self, dialog: UnlockDialog) -> None:
        self.unlock_dialog = None
        if dialog.workspace is not None:
            self.attach(dialog.workspace)
        elif self.workspace is None:
            self.statusBar().showMessage("No workspace open: File > Open workspace.")

    def attach(self, workspace: Workspace) -> None:
        """Start working on an unlocked workspace."""
        self.workspace = workspace
        self._path = workspace.path
        self.setWindowTitle(f"CoderDesk - {workspace.path.name}")
        minutes = SettingsService(workspace).get().auto_lock_minutes
        self.idle.set_minutes(minutes)
        self.refresh_worklist()
        self.statusBar().showMessage("Workspace unlocked.", 3000)

    def refresh_worklist(self, keep: int | None = None) -> None:
        """Reload the worklist from the workspace (keeping encounter `keep` selected)."""
        if self.workspace is None:
            return
        try:
            service = EncounterService(self.workspace)
            rows = service.worklist()
            today = service.productivity(dt.datetime.now(dt.UTC).date())
        except Exception as exc:
            show_error(self, exc)
            return
        self.worklist.table.selectionModel().blockSignals(True)
        try:
            self.worklist.model.set_rows(rows)
            if keep is not None:
                self.worklist.select(keep)
        finally:
            self.worklist.table.selectionModel().blockSignals(False)
        self.worklist.table.resizeColumnsToContents()
        self._show_counts(rows)
        average = (
            f", {today.average_minutes:.0f} min each" if today.average_minutes is not None else ""
        )
        self.productivity_label.setText(f"Today: {today.coded} coded{average}")

    def _show_counts(self, rows: list[WorklistRow]) -> None:
        counts = EncounterService.status_counts(rows)
        shown = [f"{STATUS_LABELS[s]}: {n}" for s, n in counts.items() if n]
        overdue = sum(row.overdue_queries for row in rows)
        if overdue:
            shown.append(f"Queries overdue: {overdue} (Encounter > Open queries)")
        self.status_counts.setText("  ".join(shown))

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        encounter_id = self.worklist.selected_encounter_id()
        if encounter_id is not None:
            self.open_encounter(encounter_id)

    def open_encounter(self, encounter_id: int) -> None:
        """Load an encounter's chart and code sheet into the panes."""
        if self.workspace is None:
            return
        try:
            detail = EncounterService(self.workspace).open(encounter_id)
            documents = DocumentService(self.workspace)
            contents = [documents.load(d.id) for d in detail.documents]
        except Exception as exc:
            show_error(self, exc)
            return
        self.chart.show_documents(contents)
        if self.detail is None or self.detail.id != detail.id:
            self.undo_stack.clear()  # undo stays within one encounter
        self._show_sheet(detail)
        self._show_evidence()

    # Slots are methods, not lambdas: Qt disconnects a method when its object goes, a
    # lambda would still be called while the window is being destroyed.

    def show_failure(self, exc: BaseException) -> None:
        """Tell the user about a failure (a message box without PHI)."""
        show_error(self, exc)

    def _show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _finding_selected(self, finding: Finding) -> None:
        self.code_sheet.select(finding.codes, finding.lines)

    def _diagnosis_selected(self, *_items: object) -> None:
        self.chart.show_evidence(self.chart.evidence, self.code_sheet.current_diagnosis())

    def _show_evidence(self) -> None:
        if self.workspace is None or self.detail is None:
            return
        try:
            links = EvidenceService(self.workspace).links(self.detail.id)
        except Exception as exc:
            show_error(self, exc)
            return
        self.chart.show_evidence(links, self.code_sheet.current_diagnosis())

    def _search_from_chart(self, text: str) -> None:
        self.encoder.search.setText(text)
        self.encoder.focus_search()

    def link_evidence(self, document_id: int, start: int, end: int) -> None:
        """Link a chart selection to the selected diagnosis (else the first-listed one)."""
        if self.workspace is None or self.detail is None:
            return
        code = self.code_sheet.current_diagnosis() or next(
            (d.code for d in self.detail.diagnoses), ""
        )
        if not code:
            self.statusBar().showMessage("Add a diagnosis first, then link evidence to it.", 5000)
            return
        try:
            EvidenceService(self.workspace).link(self.detail.id, document_id, code, (start, end))
        except Exception as exc:
            show_error(self, exc)
            return
        self.statusBar().showMessage(f"Linked the selection as evidence for {code}.", 4000)
        self._show_evidence()

    def _status_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.move_encounter(EncounterStatus(action.data()))

    def move_encounter(self, status: EncounterStatus) -> None:
        """Move the open encounter along the workflow (audited); Ready needs no open errors."""
        if self.workspace is None or self.detail is None:
            return
        if status is EncounterStatus.READY and self.findings.blocking_count():
            self.statusBar().showMessage(
                "Resolve or override the errors in Findings before marking it ready.", 6000
            )
            return
        try:
            EncounterService(self.workspace).set_status(self.detail.id, status)
            detail = EncounterService(self.workspace).open(self.detail.id)
        except Exception as exc:
            show_error(self, exc)
            return
        self.detail = detail
        self._enable_moves()
        self.refresh_worklist(keep=detail.id)
        self.statusBar().showMessage(f"Encounter now {STATUS_LABELS[status].lower()}.", 4000)

    def _enable_moves(self) -> None:
        allowed = allowed_moves(self.detail.status) if self.detail is not None else frozenset()
        for status, action in self.status_actions.items():
            action.setEnabled(status in allowed)

    def _show_sheet(self, detail: EncounterDetail) -> None:
        self._enable_claim_out(False)  # until the new sheet is validated
        self.detail = detail
        self._enable_moves()
        self.encoder.day = detail.date_of_service.isoformat()
        self.code_sheet.show_encounter(detail)
        self.revalidate()

    # -- code sheet and findings ----------------------------------------------------------

    def add_code(self, system: str, code: str) -> None:
        """Add a chosen code: a diagnosis at the end, or a service line on the visit's date."""
        if self.workspace is None or self.detail is None or self.code_sheet.sheet is None:
            self.statusBar().showMessage("Open an encounter first, then add codes.", 4000)
            return
        sheet = self.code_sheet.sheet
        if system == "icd10cm":
            if code in sheet.diagnoses:
                self.statusBar().showMessage(f"{code} is already on the sheet.", 4000)
                return
            changed = Sheet((*sheet.diagnoses, code), sheet.lines)
        else:
            changed = Sheet(sheet.diagnoses, (*sheet.lines, _new_line(self.detail, code)))
        self.edit_sheet(changed, f"add {code}")

    def edit_sheet(self, sheet: Sheet, what: str) -> None:
        """Save a changed code sheet at once, as one step that Edit > Undo takes back."""
        if self.detail is None or self.code_sheet.sheet is None:
            return
        self.undo_stack.push(SheetChange(self, self.detail.id, self.code_sheet.sheet, sheet, what))

    def save_sheet(self, encounter_id: int, sheet: Sheet) -> bool:
        """Write `sheet` to the workspace, show it and re-validate; False if it failed."""
        if self.workspace is None:
            return False
        service = CodeSheetService(self.workspace)
        try:
            service.replace_sheet(encounter_id, list(sheet.diagnoses), list(sheet.lines))
            detail = EncounterService(self.workspace).open(encounter_id)
        except Exception as exc:
            show_error(self, exc)
            return False
        if self.detail is not None and self.detail.id == encounter_id:
            self._show_sheet(detail)
        return True

    def fix_finding(self, finding: Finding) -> None:
        """Apply a finding's mechanical fix, or take the coder to where the fix is chosen."""
        sheet, detail = self.code_sheet.sheet, self.detail
        if sheet is None or detail is None:
            return
        if finding.rule == "MOD.25" and finding.lines:
            self.edit_sheet(_toggle_25(sheet, finding.lines[0] - 1), "fix modifier 25")
        elif finding.rule == "ICD10CM.HEADER_CODE" and finding.codes:
            header, day = finding.codes[0], detail.date_of_service.isoformat()
            self.codes.run(
                lambda backend: backend.children(header, day),
                lambda children: self._replace_header(header, children),
                lambda exc: show_error(self, exc),
            )
        else:
            target = _first_code(finding.fix)
            if target:
                self.encoder.search.setText(target)
                self.encoder.focus_search()

    def _replace_header(self, header: str, children: list[tuple[str, str]]) -> None:
        sheet = self.code_sheet.sheet
        if sheet is None or header not in sheet.diagnoses or not children:
            return
        labels = [f"{code}  {title}" for code, title in children]
        choice, ok = QInputDialog.getItem(
            self,
            "Replace a header code",
            f"{header} has subdivisions; report one of:",
            labels,
            0,
            False,
        )
        if not ok:
            return
        code = children[labels.index(choice)][0]
        position = sheet.diagnoses.index(header)
        diagnoses = (*sheet.diagnoses[:position], code, *sheet.diagnoses[position + 1 :])
        self.edit_sheet(Sheet(diagnoses, sheet.lines), f"replace {header} by {code}")

    def override_finding(self, finding: Finding) -> None:
        """Let an error stand with a reason: recorded in the workspace and the audit trail."""
        if self.workspace is None or self.detail is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Override a finding",
            f"{finding.rule}: {finding.message}\n\nWhy may this stand? The reason is kept "
            "with the claim and in the audit trail.",
        )
        if not ok or not reason.strip():
            return
        try:
            ClaimService(self.workspace).add_override(
                self.detail.id, finding.rule, list(finding.codes), list(finding.lines), reason
            )
        except Exception as exc:
            show_error(self, exc)
            return
        self.revalidate()

    def revalidate(self) -> None:
        """Run the rules on the open encounter in the code lane; the newest run wins."""
        if self.workspace is None or self.detail is None or not self.codes.is_ready:
            return
        try:
            claim = ClaimService(self.workspace).to_claim(self.detail.id, audited=False)
        except Exception as exc:
            show_error(self, exc)
            return
        self._validation += 1
        ticket = self._validation
        self.codes.run(
            lambda backend: backend.validate(claim),
            lambda found: self._validated(ticket, found),
            lambda exc: show_error(self, exc),
        )

    def _validated(self, ticket: int, findings: list[Finding]) -> None:
        if ticket == self._validation and self.detail is not None:
            self.findings.show_findings(findings)
            # Nothing leaves while an error stands without an override.
            blocked = self.findings.blocking_count()
            self._enable_claim_out(
                not blocked, f"{blocked} error(s) to resolve first" if blocked else ""
            )

    def _enable_claim_out(self, enabled: bool, why: str = "") -> None:
        for action in self.claim_out_actions:
            action.setEnabled(enabled)
            action.setToolTip(why or action.text().replace("&", "").rstrip("."))

    def clear_views(self) -> None:
        """Remove every piece of PHI from the window's models and widgets."""
        self.detail = None
        self._enable_claim_out(False)
        self.undo_stack.clear()
        self._validation += 1  # results of runs still in flight are dropped
        self.chart.clear()
        self.code_sheet.clear()
        self.findings.clear()
        self.encoder.clear()
        self.worklist.model.clear()
        self.worklist.filter.clear()
        self.status_counts.clear()
        self.productivity_label.clear()
        self._enable_moves()
        self.setWindowTitle("CoderDesk (locked)")

    def lock(self) -> None:
        """Lock now: close the workspace, clear the views, ask for the passphrase again."""
        if self.workspace is None:
            return
        self.idle.pause()
        self.workspace.lock()
        self.workspace = None
        self.clear_views()
        clipboard = QApplication.clipboard()
        if clipboard.ownsClipboard():  # only what CoderDesk put there, never the user's own
            clipboard.clear()
        self.locked.emit()
        if self.isVisible():
            self.request_unlock()

    def _open_other(self) -> None:
        self.switch_workspace()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for entry in WorkspaceRegistry().recent():
            action = self.recent_menu.addAction(str(entry.path))
            action.setData(str(entry.path))
            action.triggered.connect(self._open_recent)
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.switch_workspace(Path(str(action.data())))

    def switch_workspace(self, path: Path | None = None) -> None:
        """Close the current workspace and open (the one at `path`) or create another."""
        if path is not None:
            self._path = path
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
            self.clear_views()
        self._demo_passphrase = None
        self.request_unlock()

    def _load_versions(self) -> None:
        self.codes.run(
            lambda backend: backend.versions(),
            self._show_versions,
            lambda exc: show_error(self, exc),
        )

    def _show_versions(self, labels: list[str]) -> None:
        self.code_versions = labels
        self.versions_label.setText("Code sets: " + "; ".join(labels))

    def show_shortcuts(self) -> None:
        """F1: the keyboard shortcut sheet."""
        rows = "".join(
            f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in SHORTCUTS
        )
        QMessageBox.information(
            self, "Keyboard shortcuts", f"<table cellspacing='6'>{rows}</table>"
        )

    def _about(self) -> None:
        versions = (
            "".join(f"<li>{label}</li>" for label in self.code_versions) or "<li>loading</li>"
        )
        QMessageBox.about(
            self,
            "About CoderDesk",
            f"<b>CoderDesk {__version__}</b><br>An offline workstation for medical coders.<br>"
            "All patient data stays in one encrypted workspace on this machine."
            f"<p>Code sets in force today:</p><ul>{versions}</ul>"
            "<p>ICD-10-CM (CDC/NCHS) and HCPCS Level II (CMS) are US government works in the "
            "public domain. CPT is copyright the American Medical Association; CoderDesk ships "
            "no CPT descriptors: you import your own licensed file. NCCI and MUE files are "
            "published by CMS and carry CPT content under the AMA licence.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        settings = window_settings()
        settings.setValue("main/geometry", self.saveGeometry())
        for number, splitter in enumerate(self.splitters):
            settings.setValue(f"main/splitter{number}", splitter.saveState())
        self.codes.stop()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
        self.clear_views()
        QApplication.instance().removeEventFilter(self.idle)  # type: ignore[union-attr]
        super().closeEvent(event)


def _new_line(detail: EncounterDetail, code: str) -> LineInput:
    """A line on the visit's date pointing to the first diagnoses (up to four)."""
    pointers = tuple(range(1, min(MAX_POINTERS, len(detail.diagnoses)) + 1)) or (1,)
    return LineInput(
        code=code,
        date_from=detail.date_of_service,
        pointers=pointers,
        place_of_service=detail.place_of_service,
    )


class SheetChange(QUndoCommand):
    """One edit of the code sheet: redo writes the new sheet, undo the one before."""

    def __init__(
        self, window: MainWindow, encounter_id: int, before: Sheet, after: Sheet, what: str
    ) -> None:
        super().__init__(what)
        self.window, self.encounter_id = window, encounter_id
        self.before, self.after = before, after

    def redo(self) -> None:
        """Apply (also on the first push)."""
        if not self.window.save_sheet(self.encounter_id, self.after):
            self.setObsolete(True)

    def undo(self) -> None:
        """Take back."""
        self.window.save_sheet(self.encounter_id, self.before)


FIXABLE_RULES = ("MOD.25", "ICD10CM.HEADER_CODE")
STATUS_MOVES = {
    EncounterStatus.IN_PROGRESS: "Start or resume &coding",
    EncounterStatus.QUERY_PENDING: "&Query pending (waiting for the provider)",
    EncounterStatus.READY: "Mark &ready (coding done)",
    EncounterStatus.EXPORTED: "Mark &exported",
    EncounterStatus.REWORK: "Send back for re&work",
    EncounterStatus.NEW: "Back to &new",
}
SHORTCUTS = (
    ("Ctrl+K", "search the encoder"),
    ("Down / Escape", "from the search box into the results / back"),
    ("Enter", "add the selected code to the code sheet"),
    ("Ctrl+Enter", "show the selected code's tabular detail"),
    ("Alt+Up / Alt+Down", "move the selected diagnosis or service line"),
    ("Delete", "remove the selected diagnosis or service line"),
    ("F2", "edit the selected service line's cell"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo a code sheet change"),
    ("Alt+F / Alt+O", "fix / override the selected finding"),
    ("Ctrl+F", "find in the chart document (Enter: next hit)"),
    ("Ctrl+E", "search the encoder for the text selected in the chart"),
    ("Ctrl+Shift+E", "link the selected chart text as evidence for the selected diagnosis"),
    ("Ctrl+L", "lock the workspace now"),
    ("Ctrl+O", "open another workspace"),
    ("F1", "this sheet"),
)
_CODE_IN_TEXT = re.compile(r"\b[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?")


def _first_code(text: str) -> str:
    """The first ICD-10-CM code named in a fix text ('Add the etiology code from: E75.-')."""
    match = _CODE_IN_TEXT.search(text)
    return match.group(0) if match else ""


def _fixable(finding: Finding) -> bool:
    return finding.rule in FIXABLE_RULES or bool(
        finding.rule in ("ICD10CM.MANIFESTATION_FIRST", "ICD10CM.USE_ADDITIONAL")
        and _first_code(finding.fix)
    )


def _toggle_25(sheet: Sheet, index: int) -> Sheet:
    """Add 25 to a line without it (the E/M), or take it off a line that has it."""
    line = sheet.lines[index]
    modifiers = (
        tuple(m for m in line.modifiers if m != "25")
        if "25" in line.modifiers
        else ("25", *line.modifiers)
    )
    lines = list(sheet.lines)
    lines[index] = replace(line, modifiers=modifiers)
    return Sheet(sheet.diagnoses, tuple(lines))
