# SPDX-License-Identifier: GPL-3.0-or-later
"""Unlock an existing workspace or create a new one; the key derivation runs off the UI thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.errors import CoderDeskError
from coderdesk.core.passphrase import strength_problems
from coderdesk.core.store.registry import WorkspaceRegistry
from coderdesk.core.store.workspace import WORKSPACE_SUFFIX, Workspace

if TYPE_CHECKING:
    from coderdesk.core.progress import CancelToken, ProgressCallback
    from coderdesk.ui.tasks import TaskRunner

_FILTER = f"CoderDesk workspaces (*{WORKSPACE_SUFFIX});;All files (*)"


class UnlockDialog(QDialog):
    """Asks for a workspace and its passphrase; `workspace` holds the result when accepted."""

    unlocked = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        path: Path | None = None,
        demo_passphrase: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("CoderDesk: unlock workspace")
        self.runner = runner
        self.workspace: Workspace | None = None
        self._busy = False
        self._build(demo_passphrase)
        self._fill_recent(path)
        self._on_mode_changed()

    def _build(self, demo_passphrase: str | None) -> None:
        self.open_mode = QRadioButton("Open a workspace", self)
        self.create_mode = QRadioButton("Create a new workspace", self)
        self.open_mode.setChecked(True)
        self.open_mode.toggled.connect(self._on_mode_changed)
        self.path_box = QComboBox(self)
        self.path_box.setEditable(True)
        self.path_box.setMinimumWidth(420)
        browse = QPushButton("Browse...", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_box, 1)
        path_row.addWidget(browse)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation = QLineEdit(self)
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.textChanged.connect(self._on_passphrase_changed)
        form = QFormLayout()
        form.addRow("Workspace", path_row)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Confirm", self.confirmation)
        self.confirm_label = form.labelForField(self.confirmation)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        if demo_passphrase:
            # The demo's passphrase is public: show it and fill it in, Enter opens the demo.
            self.hint.setText(f"Demo workspace (fictional patients). Passphrase: {demo_passphrase}")
            self.passphrase.setText(demo_passphrase)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(highlight);")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.open_mode)
        layout.addWidget(self.create_mode)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _fill_recent(self, path: Path | None) -> None:
        if path is not None:
            self.path_box.addItem(str(path))
        for entry in WorkspaceRegistry().recent():
            if path is None or entry.path != path.absolute():
                self.path_box.addItem(str(entry.path))

    def _browse(self) -> None:
        if self.create_mode.isChecked():
            chosen, _ = QFileDialog.getSaveFileName(self, "New workspace", "", _FILTER)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, "Open workspace", "", _FILTER)
        if chosen:
            self.path_box.setCurrentText(chosen)

    def _on_mode_changed(self) -> None:
        creating = self.create_mode.isChecked()
        self.confirmation.setVisible(creating)
        if self.confirm_label is not None:
            self.confirm_label.setVisible(creating)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Create" if creating else "Unlock"
        )
        self.message.clear()

    def _on_passphrase_changed(self, text: str) -> None:
        if self.create_mode.isChecked():
            problems = strength_problems(text)
            self.message.setText(
                "Too weak: " + "; ".join(problems) if problems else "Strong enough."
            )

    def selected_path(self) -> Path | None:
        """The workspace path typed or chosen, if any."""
        text = self.path_box.currentText().strip()
        return Path(text).expanduser() if text else None

    def submit(self) -> None:
        """Unlock or create in the background; accept the dialog when it worked."""
        path = self.selected_path()
        if path is None:
            self.message.setText("Choose a workspace file.")
            return
        passphrase, confirmation = self.passphrase.text(), self.confirmation.text()
        creating = self.create_mode.isChecked()

        def work(_progress: ProgressCallback, _cancel: CancelToken) -> Workspace:
            if creating:
                return Workspace.create(path, passphrase, confirmation)
            return Workspace.unlock(path, passphrase)

        self._set_busy(True)
        self.runner.start(work, self._on_unlocked, self._on_failed)

    def reject(self) -> None:
        """Cancel, except while a key derivation runs: its workspace must not be orphaned."""
        if not self._busy:
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.buttons.setEnabled(not busy)
        if busy:
            self.message.setText("Unlocking...")

    def _on_unlocked(self, workspace: Workspace) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.confirmation.clear()
        self.workspace = workspace
        self.unlocked.emit()
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.passphrase.selectAll()
        if isinstance(exc, CoderDeskError):
            self.message.setText(exc.user_message)
        else:
            self.message.setText(f"Could not open the workspace ({type(exc).__name__}).")
