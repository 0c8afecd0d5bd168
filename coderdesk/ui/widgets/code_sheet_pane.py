# SPDX-License-Identifier: GPL-3.0-or-later
"""The code sheet pane: the open encounter's diagnoses in sequence and its service lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from coderdesk.core.services.encounters import EncounterDetail

_POINTER_LETTERS = "ABCDEFGHIJKL"


def pointer_letters(pointers: tuple[int, ...]) -> str:
    """Diagnosis pointers as the claim prints them (1 -> A)."""
    return "".join(_POINTER_LETTERS[p - 1] for p in pointers if 1 <= p <= len(_POINTER_LETTERS))


class CodeSheetPane(QWidget):
    """Lists the code sheet of the open encounter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.diagnoses = QTreeWidget(self)
        self.diagnoses.setHeaderLabels(["", "Diagnosis", "Description"])
        self.diagnoses.setRootIsDecorated(False)
        self.diagnoses.setColumnWidth(0, 28)
        self.lines = QTreeWidget(self)
        self.lines.setHeaderLabels(["#", "Code", "Modifiers", "Units", "Pointers", "Charge", "POS"])
        self.lines.setRootIsDecorated(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Diagnoses (first-listed first)", self))
        layout.addWidget(self.diagnoses)
        layout.addWidget(QLabel("Service lines", self))
        layout.addWidget(self.lines)
        self.clear()

    def show_encounter(self, detail: EncounterDetail) -> None:
        """Show `detail`'s code sheet."""
        self.clear()
        self.heading.setText(f"Code sheet: encounter of {detail.date_of_service:%m/%d/%Y}")
        for row in detail.diagnoses:
            letter = _POINTER_LETTERS[row.position - 1]
            self.diagnoses.addTopLevelItem(QTreeWidgetItem([letter, row.code, row.description]))
        for line in detail.service_lines:
            charge = f"{line.charge_cents / 100:,.2f}"
            values = [
                str(line.position),
                line.code,
                " ".join(line.modifiers),
                str(line.units),
                pointer_letters(line.pointers),
                charge,
                line.place_of_service,
            ]
            self.lines.addTopLevelItem(QTreeWidgetItem(values))

    def clear(self) -> None:
        """Empty the sheet (on lock or before another encounter)."""
        self.heading.setText("Code sheet")
        self.diagnoses.clear()
        self.lines.clear()
