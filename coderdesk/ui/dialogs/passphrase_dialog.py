# SPDX-License-Identifier: GPL-3.0-or-later
"""Ask for the current and a new passphrase (File > Change passphrase)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.passphrase import strength_problems


def _secret(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class PassphraseDialog(QDialog):
    """Current, new and confirmed passphrase; the new one is checked as it is typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the workspace passphrase")
        self.current, self.new, self.confirmation = _secret(self), _secret(self), _secret(self)
        form = QFormLayout()
        form.addRow("Current passphrase", self.current)
        form.addRow("New passphrase", self.new)
        form.addRow("New passphrase again", self.confirmation)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for field in (self.current, self.new, self.confirmation):
            field.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The whole file is re-encrypted; it takes a few seconds.", self))
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self, *_text: object) -> None:
        new = self.new.text()
        problems = strength_problems(new) if new else ["Type a new passphrase."]
        if new and self.confirmation.text() != new:
            problems = [*problems, "The two new passphrases differ."]
        self.problems.setText(" ".join(problems))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.current.text()) and not problems)

    def values(self) -> tuple[str, str, str]:
        """(current, new, confirmation)."""
        return self.current.text(), self.new.text(), self.confirmation.text()
