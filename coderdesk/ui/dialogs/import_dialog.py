# SPDX-License-Identifier: GPL-3.0-or-later
"""Import a code-set release (CDC ICD-10-CM files, CMS HCPCS, the licensed CPT file, NCCI,
MUE) with progress and Cancel, then say what changed and which versions are in force.

The import runs on the task runner's pool with its own library connection (SQLite in WAL
mode lets the code lane keep reading meanwhile); a failed or cancelled import leaves the
previous version in force, as the core guarantees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.codes.importers import KINDS, import_release
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.errors import Cancelled, CoderDeskError

if TYPE_CHECKING:
    from coderdesk.core.codes.importers import ImportSummary
    from coderdesk.core.progress import CancelToken, ProgressCallback
    from coderdesk.ui.tasks import Task, TaskRunner

KIND_LABELS = {
    "icd10cm-tabular": "ICD-10-CM tabular (CDC XML)",
    "icd10cm-index": "ICD-10-CM Alphabetic Index (CDC XML)",
    "icd10cm-eindex": "ICD-10-CM External Cause Index (CDC XML)",
    "icd10cm-neoplasm": "ICD-10-CM Table of Neoplasms (CDC XML)",
    "icd10cm-drug": "ICD-10-CM Table of Drugs and Chemicals (CDC XML)",
    "hcpcs": "HCPCS Level II (CMS ANWEB text or CSV)",
    "cpt": "CPT (your licensed AMA data file)",
    "ncci-ptp": "NCCI PTP practitioner edits (CMS text, CSV or zip)",
    "mue": "MUE practitioner values (CMS CSV, text or zip)",
}


class ImportDialog(QDialog):
    """Chooses a release file and its kind; imports it in the background."""

    imported = Signal(object)  # the ImportSummary, when something new is in force

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a code-set release")
        self.runner = runner
        self.task: Task | None = None
        self.summary: ImportSummary | None = None
        self.kind = QComboBox(self)
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("The release file you downloaded")
        browse = QPushButton("Browse...", self)
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.set_effective = QCheckBox("In force from", self)
        self.effective = QDateEdit(QDate.currentDate(), self)
        self.effective.setCalendarPopup(True)
        self.effective.setEnabled(False)
        self.set_effective.toggled.connect(self.effective.setEnabled)
        effective_row = QHBoxLayout()
        effective_row.addWidget(self.set_effective)
        effective_row.addWidget(self.effective)
        effective_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("File", file_row)
        form.addRow("", effective_row)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.message = QLabel("The date is read off the file's name unless you set it.", self)
        self.message.setWordWrap(True)
        self.import_button = QPushButton("&Import", self)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Close", self)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(620, 260)

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, "Release file")
        if chosen:
            self.path.setText(chosen)

    def start(self) -> None:
        """Import the chosen file in the background."""
        text = self.path.text().strip()
        if not text:
            self.message.setText("Choose the release file first.")
            return
        kind = str(self.kind.currentData())
        path = Path(text).expanduser()
        chosen = self.effective.date()
        effective = (
            dt.date(chosen.year(), chosen.month(), chosen.day())
            if self.set_effective.isChecked()
            else None
        )
        self._busy(True)
        self.message.setText(f"Importing {path.name}...")
        self.task = self.runner.start(
            lambda progress, cancel: _import(kind, path, effective, progress, cancel),
            self._done,
            self._failed,
            self._progressed,
        )

    def _progressed(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total if total > 0 else 0)
        if total > 0:
            self.progress.setValue(min(done, total))
        if label:
            self.message.setText(label)

    def _done(self, result: tuple[ImportSummary, list[str]]) -> None:
        summary, versions = result
        self._busy(False)
        self.summary = summary
        self.message.setText(
            summary.describe() + "\n\nIn force today: " + "; ".join(versions) + "."
        )
        if not summary.unchanged:
            self.imported.emit(summary)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, Cancelled):
            self.message.setText("Cancelled: nothing changed; the previous version stays.")
        elif isinstance(exc, CoderDeskError):
            self.message.setText(f"Not imported: {exc.user_message}")
        else:
            self.message.setText(
                f"Not imported ({type(exc).__name__}); the previous version stays in force."
            )

    def _busy(self, busy: bool) -> None:
        self.task = self.task if busy else None
        self.progress.setVisible(busy)
        self.import_button.setEnabled(not busy)
        self.kind.setEnabled(not busy)
        self.path.setEnabled(not busy)
        self.cancel_button.setText("&Cancel" if busy else "&Close")

    def _cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.message.setText("Cancelling...")
        else:
            self.accept()


def _import(
    kind: str,
    path: Path,
    effective: dt.date | None,
    progress: ProgressCallback,
    cancel: CancelToken,
) -> tuple[ImportSummary, list[str]]:
    library = CodeSetLibrary()
    try:
        summary = import_release(
            library, kind, path, effective=effective, progress=progress, cancel=cancel
        )
        return summary, library.labels_in_force()
    finally:
        library.close()
