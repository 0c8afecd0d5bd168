# SPDX-License-Identifier: GPL-3.0-or-later
"""The Alphabetic Index walk: main term -> subterms -> code, see / see also followed.

The same browser shows the External Cause Index, and the Neoplasm and Drug tables with
one column per table column. Subterms are read when a term is opened (through the code
lane, off the UI thread); a code's detail shows on selection, Enter adds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.codes.catalog import TABLE_COLUMNS

if TYPE_CHECKING:
    from coderdesk.core.codes.catalog import IndexEntry
    from coderdesk.ui.code_lane import CodeLane

INDEXES = {
    "icd10cm-index": "Alphabetic Index",
    "icd10cm-eindex": "External Cause Index",
    "icd10cm-neoplasm": "Table of Neoplasms",
    "icd10cm-drug": "Table of Drugs and Chemicals",
}
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
LOADED_ROLE = Qt.ItemDataRole.UserRole + 2
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def complete_code(code: str | None) -> str:
    """An index code without its trailing '-' (the tabular completes it): S72.0- -> S72.0."""
    return (code or "").rstrip("-").rstrip(".")


class IndexBrowser(QWidget):
    """Main terms by prefix, opened level by level; emits codes to show or to add."""

    code_selected = Signal(str)
    code_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lane: CodeLane | None = None
        self.which = QComboBox(self)
        for system, label in INDEXES.items():
            self.which.addItem(label, system)
        self.term = QLineEdit(self)
        self.term.setPlaceholderText("Main term (Fracture, Diabetes, Aspirin...)")
        self.term.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.itemExpanded.connect(self._expanded)
        self.tree.currentItemChanged.connect(self._current)
        self.tree.itemActivated.connect(self._activated)
        self.tree.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.load_main_terms)
        self.term.textChanged.connect(self._typed)
        self.which.currentIndexChanged.connect(self._typed)
        row = QHBoxLayout()
        row.addWidget(self.which)
        row.addWidget(self.term, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        self._columns()

    @property
    def system(self) -> str:
        """The index or table being walked."""
        return str(self.which.currentData())

    def attach(self, lane: CodeLane) -> None:
        """Read the index through `lane`."""
        self.lane = lane

    def _columns(self) -> None:
        table = TABLE_COLUMNS.get(self.system)
        if table:
            self.tree.setHeaderLabels(["Term", *table.values()])
        else:
            self.tree.setHeaderLabels(["Term", "Code", "See"])
        # The term gets the room; codes and references take what they need.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.tree.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def _typed(self, *_changed: object) -> None:
        self._timer.start()

    # -- reading ------------------------------------------------------------------------

    def load_main_terms(self) -> None:
        """Main terms starting with the typed text."""
        self._columns()
        self.tree.clear()
        prefix, system = self.term.text().strip(), self.system
        if self.lane is None or not self.lane.is_ready or not prefix:
            return
        self.lane.run(
            lambda backend: backend.index_terms(prefix, system),
            lambda entries: self._show_main_terms(prefix, system, entries),
            self._failed,
        )

    def _show_main_terms(self, prefix: str, system: str, entries: list[IndexEntry]) -> None:
        if prefix != self.term.text().strip() or system != self.system:
            return  # an older request
        self.tree.clear()
        for entry in entries:
            self.tree.addTopLevelItem(self._item(entry))
        count = len(entries)
        self.status.setText(f"{count} main term{'s' if count != 1 else ''}")

    def _failed(self, exc: BaseException) -> None:
        message = getattr(exc, "user_message", type(exc).__name__)
        self.status.setText(f"{message} (File > Import code-set release.)")

    def _item(self, entry: IndexEntry) -> QTreeWidgetItem:
        title = f"{entry.title} {entry.nemod}".strip()
        table = TABLE_COLUMNS.get(self.system)
        if table:
            values = [title, *(entry.cells.get(str(col), "") for col in table)]
        else:
            see = f"see {entry.see}" if entry.see else ""
            if entry.see_also:
                see = f"{see}; see also {entry.see_also}".lstrip("; ")
            code = entry.code or ""
            if entry.manif:
                code = f"{code} [{entry.manif}]"
            values = [title, code, see]
        item = QTreeWidgetItem(values)
        item.setData(0, ENTRY_ROLE, entry)
        if entry.has_children:
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _expanded(self, item: QTreeWidgetItem) -> None:
        entry = item.data(0, ENTRY_ROLE)
        if entry is None or item.data(0, LOADED_ROLE) or self.lane is None:
            return
        item.setData(0, LOADED_ROLE, True)
        system = self.system
        self.lane.run(
            lambda backend: backend.index_children(entry.id, system),
            lambda entries: self._show_children(item, entries),
            self._failed,
        )

    def _show_children(self, item: QTreeWidgetItem, entries: list[IndexEntry]) -> None:
        for entry in entries:
            item.addChild(self._item(entry))

    # -- choosing -------------------------------------------------------------------------

    def _current(self, item: QTreeWidgetItem | None, *_previous: object) -> None:
        entry = item.data(0, ENTRY_ROLE) if item is not None else None
        code = complete_code(getattr(entry, "code", None))
        if code:
            self.code_selected.emit(code)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        entry: Any = item.data(0, ENTRY_ROLE)
        if entry is None:
            return
        if entry.code:
            self.code_chosen.emit(complete_code(entry.code))
        elif entry.see or entry.see_also:
            self.follow(entry.see or entry.see_also)
        else:
            item.setExpanded(not item.isExpanded())

    def follow(self, reference: str) -> None:
        """Go to the term a see / see also names ("Pain, abdominal")."""
        main = reference.split(",")[0].strip()
        self.term.setText(main)
        self.status.setText(f"Following: see {reference}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter on a term: add its code, or follow its see reference."""
        if (
            watched is self.tree
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
        ):
            item = self.tree.currentItem()
            if item is not None:
                self._activated(item, 0)
            return True
        return super().eventFilter(watched, event)

    def clear(self) -> None:
        """Forget the walk (on lock)."""
        self.term.clear()
        self.tree.clear()
        self.status.clear()
