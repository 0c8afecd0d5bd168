# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries: record the answer, close, withdraw, remind or escalate, print again.

Opened on one encounter, it lists that encounter's queries; opened on the workspace, it
lists every open query, the most overdue first, with the practice's turnaround. Answering
records which option, the provider's own words, who answered and when; the coder then
updates the code sheet and closes the query, which puts the encounter back in progress
once no query is open. An overdue query is reminded (to the same provider) or escalated
(to whom the practice's policy names) with a new due date, and its letter printed again
as a second or third request. Every step goes through the query service (audited).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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
REMINDER_DAYS = 7  # a reminder or escalation gives the provider another week by default


def describe(record: QueryRecord, today: dt.date, *, with_encounter: bool = False) -> str:
    """One line of the list: status, due date, lateness, reminders, then the question."""
    parts = [record.status]
    if record.due_date is not None:
        parts.append(f"due {record.due_date:%m/%d/%Y}")
    late = record.days_overdue(today)
    if late:
        parts.append(f"{late} day{'s' if late != 1 else ''} overdue")
    if record.escalation_level:
        to = f" to {record.escalated_to}" if record.escalated_to else ""
        parts.append(f"reminded {record.escalation_level}x{to}")
    where = f"encounter {record.encounter_id}: " if with_encounter else ""
    return f"[{', '.join(parts)}] {where}{record.query.question}"


def turnaround_text(service: QueryService, today: dt.date) -> str:
    """The practice's figures over the last 90 days, in one line."""
    figures = service.turnaround(since=today - dt.timedelta(days=90), today=today)
    median = f"{figures.median_days:.1f} days" if figures.median_days is not None else "n/a"
    rate = f"{figures.on_time_rate:.0%}" if figures.on_time_rate is not None else "n/a"
    return (
        f"Last 90 days: {figures.issued} issued, {figures.answered} answered "
        f"(median {median}, {rate} by the first due date); {figures.open_now} waiting, "
        f"{figures.overdue_now} overdue, {figures.escalated} reminded or escalated."
    )


class QueriesDialog(QDialog):
    """Lists queries (one encounter's, or all open ones when `encounter_id` is None) and
    moves them along; `changed` after each step."""

    changed = Signal()
    reprint_requested = Signal(object)  # a QueryRecord

    def __init__(
        self, workspace: Workspace, encounter_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            "Provider queries of this encounter"
            if encounter_id is not None
            else "Open provider queries (all encounters)"
        )
        self.service = QueryService(workspace)
        self.encounter_id = encounter_id
        self.today = dt.date.today()
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
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
        self.escalate_to = QLineEdit(self)
        self.escalate_to.setPlaceholderText(
            "Empty: a reminder to the same provider; or whom the policy escalates to"
        )
        self.new_due = QDateEdit(self)
        self.new_due.setCalendarPopup(True)
        self.new_due.setDisplayFormat("MM/dd/yyyy")
        self.new_due.setMinimumDate(_qdate(self.today + dt.timedelta(days=1)))
        self.new_due.setDate(_qdate(self.today + dt.timedelta(days=REMINDER_DAYS)))
        form.addRow("Remind / escalate to", self.escalate_to)
        form.addRow("New due date", self.new_due)
        self.answer_button = QPushButton("Record &answer", self)
        self.close_button = QPushButton("&Close query", self)
        self.withdraw_button = QPushButton("&Withdraw", self)
        self.reprint_button = QPushButton("&Print again", self)
        self.escalate_button = QPushButton("&Remind / escalate", self)
        self.escalate_button.clicked.connect(self.escalate_query)
        self.answer_button.clicked.connect(self.record_answer)
        self.close_button.clicked.connect(self.close_query)
        self.withdraw_button.clicked.connect(self.withdraw_query)
        self.reprint_button.clicked.connect(self._reprint)
        buttons = QHBoxLayout()
        for button in (
            self.answer_button,
            self.close_button,
            self.withdraw_button,
            self.escalate_button,
            self.reprint_button,
        ):
            buttons.addWidget(button)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self._records: dict[int, QueryRecord] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures)
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
        if self.encounter_id is None:
            records = self.service.open_queries()
            self.figures.setText(turnaround_text(self.service, self.today))
        else:
            records = self.service.for_encounter(self.encounter_id)
        self.figures.setVisible(self.encounter_id is None)
        self._records = {r.id: r for r in records}
        for record in self._records.values():
            item = QListWidgetItem(
                describe(record, self.today, with_encounter=self.encounter_id is None)
            )
            item.setData(QUERY_ID_ROLE, record.id)
            if record.days_overdue(self.today):
                item.setForeground(Qt.GlobalColor.darkRed)
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
        self.escalate_button.setEnabled(status == "issued")

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

    def escalate_query(self) -> None:
        """Remind or escalate the selected issued query, then offer its letter again."""
        record = self.current()
        if record is None:
            return
        chosen = self.new_due.date()
        new_due = dt.date(chosen.year(), chosen.month(), chosen.day())
        self._step(
            lambda: self._escalated(
                self.service.escalate(record.id, new_due, self.escalate_to.text(), self.today)
            )
        )
        updated = self._records.get(record.id)
        if updated is not None and updated.escalation_level > record.escalation_level:
            self.reprint_requested.emit(updated)

    def _escalated(self, level: int) -> None:
        self.message.setText(f"Request no. {level + 1} recorded; print the letter to send it.")

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


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
