# SPDX-License-Identifier: GPL-3.0-or-later
"""An encounter's provider queries: record the answer, close, withdraw, print again.

Answering records which option, the provider's own words, who answered and when; the
coder then updates the code sheet and closes the query, which puts the encounter back
in progress once no query is open. Every step goes through the query service (audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.errors import CoderDeskError
from coderdesk.core.queries.model import QueryFormat
from coderdesk.core.services.queries import QueryService

if TYPE_CHECKING:
    from collections.abc import Callable

    from coderdesk.core.services.queries import QueryRecord
    from coderdesk.core.store.workspace import Workspace

QUERY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
YES_NO = ("Yes", "No", "Other", "Clinically undetermined")


class QueriesDialog(QDialog):
    """Lists an encounter's queries and moves them along; `changed` after each step."""

    changed = Signal()
    reprint_requested = Signal(object)  # a QueryRecord

    def __init__(
        self, workspace: Workspace, encounter_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Provider queries of this encounter")
        self.service = QueryService(workspace)
        self.encounter_id = encounter_id
        self.listing = QListWidget(self)
        self.listing.currentItemChanged.connect(self._selected)
        self.option = QComboBox(self)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("The provider's answer in their words (for Other)")
        self.answered_by = QLineEdit(self)
        self.answered_by.setPlaceholderText("Who answered")
        form = QFormLayout()
        form.addRow("Answer", self.option)
        form.addRow("Words", self.text)
        form.addRow("Answered by", self.answered_by)
        self.answer_button = QPushButton("Record &answer", self)
        self.close_button = QPushButton("&Close query", self)
        self.withdraw_button = QPushButton("&Withdraw", self)
        self.reprint_button = QPushButton("&Print again", self)
        self.answer_button.clicked.connect(self.record_answer)
        self.close_button.clicked.connect(self.close_query)
        self.withdraw_button.clicked.connect(self.withdraw_query)
        self.reprint_button.clicked.connect(self._reprint)
        buttons = QHBoxLayout()
        for button in (
            self.answer_button,
            self.close_button,
            self.withdraw_button,
            self.reprint_button,
        ):
            buttons.addWidget(button)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self._records: dict[int, QueryRecord] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.listing)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.resize(640, 480)
        self.reload()

    def reload(self) -> None:
        """Read the encounter's queries again (once; selections use what was read)."""
        current = self.current()
        self.listing.clear()
        self._records = {r.id: r for r in self.service.for_encounter(self.encounter_id)}
        for record in self._records.values():
            due = f", due {record.due_date:%m/%d/%Y}" if record.due_date else ""
            item = QListWidgetItem(f"[{record.status}{due}] {record.query.question}")
            item.setData(QUERY_ID_ROLE, record.id)
            self.listing.addItem(item)
            if current is not None and record.id == current.id:
                self.listing.setCurrentItem(item)
        if self.listing.currentItem() is None and self.listing.count():
            self.listing.setCurrentRow(self.listing.count() - 1)
        self._selected()

    def current(self) -> QueryRecord | None:
        """The selected query."""
        # The stubs say an item always comes back; with an empty list it is None.
        item: QListWidgetItem | None = self.listing.currentItem()
        if item is None:
            return None
        return self._records.get(int(item.data(QUERY_ID_ROLE)))

    def _selected(self, *_items: object) -> None:
        record = self.current()
        status = record.status if record else ""
        self.option.clear()
        if record is not None:
            choices = (
                YES_NO if record.query.query_format is QueryFormat.YES_NO else record.query.options
            )
            self.option.addItems(list(choices) or ["(open answer)"])
        self.answer_button.setEnabled(status == "issued")
        self.close_button.setEnabled(status == "answered")
        self.withdraw_button.setEnabled(status in ("draft", "issued"))
        self.reprint_button.setEnabled(status == "issued")

    def record_answer(self) -> None:
        """Record the selected option and words for the selected query."""
        record = self.current()
        if record is None:
            return
        option = self.option.currentText()
        option = "" if option == "(open answer)" else option
        self._step(
            lambda: self.service.answer(
                record.id, option, self.text.text(), self.answered_by.text()
            )
        )

    def close_query(self) -> None:
        """Close the selected (answered) query."""
        record = self.current()
        if record is not None:
            self._step(lambda: self.service.close(record.id))

    def withdraw_query(self) -> None:
        """Withdraw the selected query."""
        record = self.current()
        if record is not None:
            self._step(lambda: self.service.withdraw(record.id))

    def _reprint(self) -> None:
        record = self.current()
        if record is not None:
            self.reprint_requested.emit(record)

    def _step(self, action: Callable[[], None]) -> None:
        self.message.clear()
        try:
            action()
        except CoderDeskError as exc:
            self.message.setText(exc.user_message)
            return
        self.reload()
        self.changed.emit()
