# SPDX-License-Identifier: GPL-3.0-or-later
"""The encoder pane: search as you type, results grouped by code system, keyboard-first.

Typing never waits: each keystroke restarts a short timer; when it fires, the query goes
to the code lane (one background thread). While a search runs, only the newest text is
kept and sent when it finishes, and a result is shown only if it answers the text now
in the box. Enter adds the selected code (or the first one) to the code sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QFont, QKeyEvent, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coderdesk.ui.widgets.code_detail import detail_html
from coderdesk.ui.widgets.index_browser import IndexBrowser

if TYPE_CHECKING:
    from coderdesk.core.codes.catalog import CodeDetail
    from coderdesk.core.search.engine import SearchResponse, SearchResult
    from coderdesk.ui.code_lane import CodeBackend, CodeLane

DEBOUNCE_MS = 15
RESULT_LIMIT = 30
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SYSTEM_ROLE = Qt.ItemDataRole.UserRole + 2
SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "hcpcs": "HCPCS Level II", "cpt": "CPT"}
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ResultsModel(QStandardItemModel):
    """Search results under one row per code system; codes carry their code and system."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Code", "Description"])

    def show(self, results: tuple[SearchResult, ...], muted: QBrush) -> None:
        """Replace the rows with `results`, grouped by system in the order they first come."""
        self.removeRows(0, self.rowCount())
        groups: dict[str, QStandardItem] = {}
        for result in results:
            group = groups.get(result.system)
            if group is None:
                group = QStandardItem(SYSTEM_LABELS.get(result.system, result.system))
                group.setSelectable(False)
                font = group.font()
                font.setBold(True)
                group.setFont(font)
                filler = QStandardItem("")
                filler.setSelectable(False)
                self.appendRow([group, filler])
                groups[result.system] = group
            group.appendRow(self._row(result, muted))

    @staticmethod
    def _row(result: SearchResult, muted: QBrush) -> list[QStandardItem]:
        code = QStandardItem(result.code)
        title = QStandardItem(result.title if result.billable else f"{result.title} (header)")
        for item in (code, title):
            item.setData(result.code, CODE_ROLE)
            item.setData(result.system, SYSTEM_ROLE)
            item.setEditable(False)
            if not result.billable:
                item.setForeground(muted)
        if result.billable:
            font = QFont(code.font())
            font.setBold(True)
            code.setFont(font)
        code.setToolTip("billable" if result.billable else "a header: choose a code below it")
        title.setToolTip(result.title)
        return [code, title]

    def first_code_index(self) -> QModelIndex:
        """The first code row (under the first group), or an invalid index."""
        group = self.index(0, 0)
        return self.index(0, 0, group) if group.isValid() else QModelIndex()


class EncoderPane(QWidget):
    """Search box and grouped results; emits `code_chosen(system, code)` on Enter."""

    code_chosen = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lane: CodeLane | None = None
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search ICD-10-CM, CPT, HCPCS (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.status = QLabel("Loading the code sets...", self)
        self.status.setWordWrap(True)
        self.model = ResultsModel(self)
        self.results = QTreeView(self)
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setUniformRowHeights(True)
        self.detail_view = QTextBrowser(self)
        self.detail_view.setOpenLinks(False)
        self.detail_view.anchorClicked.connect(self._link)
        self.day: str | None = None  # the open encounter's date of service
        self._detail_code = ""
        search_page = QWidget(self)
        search_layout = QVBoxLayout(search_page)
        search_layout.setContentsMargins(0, 0, 0, 0)
        search_layout.addWidget(self.search)
        search_layout.addWidget(self.status)
        search_layout.addWidget(self.results, 1)
        self.index = IndexBrowser(self)
        self.index.code_selected.connect(self.show_detail)
        self.index.code_chosen.connect(self._index_code_chosen)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(search_page, "&Search")
        self.tabs.addTab(self.index, "&Index and tables")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.tabs)
        split.addWidget(self.detail_view)
        split.setSizes([400, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._send)
        self._in_flight = False
        self._waiting: str | None = None
        self.shown_query = ""  # the text whose results are on screen
        self.search.textChanged.connect(self._typed)
        self.search.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.doubleClicked.connect(self._choose)
        self.results.selectionModel().currentChanged.connect(self._current_changed)

    def _typed(self, _text: str) -> None:
        self._timer.start()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_detail(current.data(CODE_ROLE))

    def _index_code_chosen(self, code: str) -> None:
        self.code_chosen.emit("icd10cm", code)

    def attach(self, lane: CodeLane) -> None:
        """Search through `lane` once its backend is ready."""
        self.lane = lane
        self.index.attach(lane)
        lane.ready.connect(self._lane_ready)
        lane.progressed.connect(self._lane_progress)
        if lane.is_ready:
            self._lane_ready()

    def _lane_ready(self) -> None:
        self.status.setText("Type a term, an abbreviation or a code.")
        if self.search.text().strip():
            self._timer.start()

    def _lane_progress(self, _done: int, _total: int, label: str) -> None:
        self.status.setText(label)

    def focus_search(self) -> None:
        """Ctrl+K: put the cursor in the search box, its text selected."""
        self.tabs.setCurrentIndex(0)
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear(self) -> None:
        """Forget the query and results (on lock)."""
        self.search.clear()
        self.model.removeRows(0, self.model.rowCount())
        self.detail_view.clear()
        self.index.clear()
        self.day = None

    # -- tabular detail --------------------------------------------------------------------

    def show_detail(self, code: object) -> None:
        """Fetch and show a code's tabular detail (the newest asked wins)."""
        if not isinstance(code, str) or self.lane is None or not self.lane.is_ready:
            return
        self._detail_code = code
        day = self.day
        self.lane.run(
            lambda backend: backend.detail(code, day),
            lambda detail: self._detail_received(code, detail),
            lambda exc: self.detail_view.setPlainText(f"No detail for {code} ({exc})."),
        )

    def _detail_received(self, code: str, detail: CodeDetail) -> None:
        if code == self._detail_code:
            self.detail_view.setHtml(detail_html(detail))

    def _link(self, url: QUrl) -> None:
        scheme, _, code = url.toString().partition(":")
        if scheme == "code":
            self.show_detail(code)
        elif scheme == "add":  # only ICD-10-CM details offer 7th characters to add
            self.code_chosen.emit("icd10cm", code)

    # -- searching ----------------------------------------------------------------------

    def _send(self) -> None:
        text = self.search.text().strip()
        if self.lane is None or not self.lane.is_ready:
            return
        if not text:
            self.model.removeRows(0, self.model.rowCount())
            self.shown_query = ""
            return
        if self._in_flight:
            self._waiting = text  # only the newest text matters
            return
        self._in_flight = True
        self.lane.run(
            lambda backend: _search(backend, text),
            self._received,
            self._search_failed,
        )

    def _received(self, response: SearchResponse) -> None:
        self._in_flight = False
        if response.query.strip() == self.search.text().strip():
            self._show(response)
        self._send_waiting()

    def _search_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self.status.setText(f"Search failed ({type(exc).__name__}).")
        self._send_waiting()

    def _send_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting = None
            self._send()

    def _show(self, response: SearchResponse) -> None:
        muted = self.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        self.model.show(response.results, muted)
        self.shown_query = response.query
        self.results.expandAll()
        self.results.resizeColumnToContents(0)
        count = len(response.results)
        corrected = (
            f" (searched for \u201c{response.corrected}\u201d)" if response.corrected else ""
        )
        self.status.setText(f"{count} result{'s' if count != 1 else ''}{corrected}")
        first = self.model.first_code_index()
        if first.isValid():
            self.results.setCurrentIndex(first)

    # -- keyboard ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Down from the box into the results; Enter chooses; Escape back to the box."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search:
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.results.setFocus()
                if not self.results.currentIndex().isValid():
                    self.results.setCurrentIndex(self.model.first_code_index())
                return True
            if key in _ENTER_KEYS:
                self._enter(event)
                return True
        elif watched is self.results:
            if key in _ENTER_KEYS:
                self._enter(event)
                return True
            if key == Qt.Key.Key_Escape:
                self.focus_search()
                return True
        return super().eventFilter(watched, event)

    def _enter(self, event: QKeyEvent) -> None:
        """Enter adds the selected code; Ctrl+Enter shows its detail and moves there."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.show_detail(self.results.currentIndex().data(CODE_ROLE))
            self.detail_view.setFocus()
        else:
            self._choose(self.results.currentIndex())

    def _choose(self, index: QModelIndex) -> None:
        code, system = index.data(CODE_ROLE), index.data(SYSTEM_ROLE)
        if isinstance(code, str) and isinstance(system, str):
            self.code_chosen.emit(system, code)


def _search(backend: CodeBackend, text: str) -> Any:
    return backend.search(text, RESULT_LIMIT)
