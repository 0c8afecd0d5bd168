# SPDX-License-Identifier: GPL-3.0-or-later
"""The query composer: a compliant provider query, checked as it is written.

Start from a template or from scratch; add clinical indicators typed or taken from the
text selected in the chart (with its document and the date of service); every change
re-runs the compliance check, and Issue stays disabled while it finds an error. Issuing
saves the query, moves the encounter to "query pending" and prints the letter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.errors import CoderDeskError
from coderdesk.core.queries.lint import can_issue, lint_query
from coderdesk.core.queries.model import QueryFormat, Trigger, parse_query
from coderdesk.core.queries.templates import templates

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from coderdesk.core.queries.model import Query


class QueryComposer(QDialog):
    """Writes one query; `issue_requested(query)` when it is compliant and the coder issues."""

    issue_requested = Signal(object)

    def __init__(
        self,
        day_of_service: dt.date,
        documented: list[str],
        parent: QWidget | None = None,
        selection: Callable[[], tuple[str, str] | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.selection = selection
        self.setWindowTitle("New provider query")
        self.day = day_of_service
        self.documented = documented
        self.indicators: list[dict[str, str]] = []
        self.template = QComboBox(self)
        self.template.addItem("(from scratch)", "")
        for name, template in templates().items():
            self.template.addItem(template.title, name)
        self.condition = QLineEdit(self)
        self.condition.setPlaceholderText("condition, e.g. anemia")
        use = QPushButton("Use template", self)
        use.clicked.connect(self.apply_template)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template, 1)
        template_row.addWidget(self.condition, 1)
        template_row.addWidget(use)
        self.trigger = QComboBox(self)
        for trigger in Trigger:
            self.trigger.addItem(trigger.value.replace("_", " "), trigger.value)
        self.format = QComboBox(self)
        for query_format in QueryFormat:
            self.format.addItem(query_format.value.replace("_", " "), query_format.value)
        self.question = QPlainTextEdit(self)
        self.question.setPlaceholderText("The question, in neutral words")
        self.options = QPlainTextEdit(self)
        self.options.setPlaceholderText("One option per line (multiple choice)")
        self.indicator_list = QListWidget(self)
        self.indicator_text = QLineEdit(self)
        self.indicator_text.setPlaceholderText("A value or quote from the record")
        self.indicator_source = QLineEdit(self)
        self.indicator_source.setPlaceholderText("Where (document, section)")
        add = QPushButton("Add indicator", self)
        add.clicked.connect(self._add_typed_indicator)
        indicator_row = QHBoxLayout()
        indicator_row.addWidget(self.indicator_text, 2)
        indicator_row.addWidget(self.indicator_source, 1)
        indicator_row.addWidget(add)
        from_chart = QPushButton("Add the chart selection", self)
        from_chart.setToolTip("The text selected in the chart, with its document")
        from_chart.clicked.connect(self.add_chart_selection)
        indicator_row.addWidget(from_chart)
        form = QFormLayout()
        form.addRow("Template", template_row)
        form.addRow("Trigger", self.trigger)
        form.addRow("Format", self.format)
        form.addRow("Question", self.question)
        form.addRow("Options", self.options)
        form.addRow("Clinical indicators", self.indicator_list)
        form.addRow("", indicator_row)
        self.findings = QListWidget(self)
        self.verdict = QLabel(self)
        self.issue_button = QPushButton("&Issue and print", self)
        self.issue_button.clicked.connect(self._issue)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.verdict, 1)
        buttons.addWidget(self.issue_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Compliance check", self))
        layout.addWidget(self.findings)
        layout.addLayout(buttons)
        for widget in (self.question, self.options):
            widget.textChanged.connect(self.check)
        for combo in (self.trigger, self.format):
            combo.currentIndexChanged.connect(self.check)
        self.resize(720, 720)
        self.check()

    # -- building the query -------------------------------------------------------------

    def apply_template(self) -> None:
        """Fill the question and options from the chosen template."""
        name = str(self.template.currentData() or "")
        if not name:
            return
        condition = self.condition.text().strip() or "the condition"
        documented = self.documented[0] if self.documented else condition
        values = {
            "condition": condition,
            "documented": documented,
            "option1": "",
            "option2": "",
            "option3": "",
        }
        template = templates()[name]
        self.trigger.setCurrentIndex(self.trigger.findData(template.trigger))
        self.format.setCurrentIndex(self.format.findData(template.query_format))
        self.question.setPlainText(template.question.format(**values))
        options = [o.format(**values) for o in template.options]
        self.options.setPlainText("\n".join(o for o in options if o.strip()))

    def add_indicator(self, text: str, source: str, day: dt.date | None = None) -> None:
        """Add a clinical indicator (from the chart selection, or typed)."""
        text = " ".join(text.split())
        if not text:
            return
        when = (day or self.day).isoformat()
        self.indicators.append({"text": text, "source": source, "date": when})
        self.indicator_list.addItem(f"{text}  ({source or 'no source'}, {when})")
        self.check()

    def add_chart_selection(self) -> None:
        """The text selected in the chart becomes an indicator (document as the source)."""
        picked = self.selection() if self.selection is not None else None
        if picked is None:
            self.verdict.setText("Select text in the chart first.")
            return
        self.add_indicator(*picked)

    def _add_typed_indicator(self) -> None:
        self.add_indicator(self.indicator_text.text(), self.indicator_source.text().strip())
        self.indicator_text.clear()

    def query_data(self) -> dict[str, Any]:
        """The query as the interchange format has it."""
        options = [line.strip() for line in self.options.toPlainText().splitlines()]
        return {
            "trigger": self.trigger.currentData(),
            "format": self.format.currentData(),
            "question": self.question.toPlainText().strip(),
            "options": [o for o in options if o],
            "indicators": list(self.indicators),
            "documented": list(self.documented),
        }

    def check(self, *_changed: object) -> Query | None:
        """Re-run the compliance check; enable Issue only without errors."""
        self.findings.clear()
        try:
            query = parse_query(self.query_data())
        except CoderDeskError as exc:
            self.findings.addItem(exc.user_message)
            self.issue_button.setEnabled(False)
            return None
        found = lint_query(query)
        for finding in found:
            self.findings.addItem(f"{finding.severity.upper()} {finding.check}: {finding.message}")
            self.findings.item(self.findings.count() - 1).setToolTip(finding.reason)
        ok = can_issue(found)
        self.issue_button.setEnabled(ok)
        self.verdict.setText("Compliant: it can be issued." if ok else "Not yet compliant.")
        return query if ok else None

    def _issue(self) -> None:
        query = self.check()
        if query is not None:
            self.issue_requested.emit(query)
            self.accept()


def open_composer(
    parent: QWidget,
    day: dt.date,
    documented: list[str],
    selection: Callable[[], tuple[str, str] | None],
) -> QueryComposer:
    """A composer beside `parent` (not modal: the chart stays usable), deleted when closed."""
    composer = QueryComposer(day, documented, parent, selection)
    composer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    composer.setWindowModality(Qt.WindowModality.NonModal)
    composer.show()
    return composer
