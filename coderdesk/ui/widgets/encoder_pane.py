# SPDX-License-Identifier: GPL-3.0-or-later
"""The encoder pane's place in the window: the code-set search grows here."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget


class EncoderPane(QWidget):
    """Search box and results area; the search itself is wired in with the workstation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ICD-10-CM, CPT, HCPCS (Ctrl+K)")
        self.search.setEnabled(False)
        self.status = QLabel(
            "Code search runs from the command line for now (coderdesk search);"
            " it comes to this pane next.",
            self,
        )
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addStretch(1)
