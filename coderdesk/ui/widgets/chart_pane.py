# SPDX-License-Identifier: GPL-3.0-or-later
"""The chart pane: an encounter's documents in tabs (PDF pages, or text).

Text tabs (and the text of each PDF) support find with every hit highlighted, sending
the selection to the encoder (Ctrl+E) and linking it as evidence for the selected code
(Ctrl+Shift+E); linked evidence stays highlighted and comes into view with its code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFontDatabase,
    QKeySequence,
    QTextCursor,
)
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.store.models import DocumentKind

if TYPE_CHECKING:
    from coderdesk.core.services.documents import DocumentContent
    from coderdesk.core.services.evidence import EvidenceView


MIN_ZOOM, MAX_ZOOM = 0.25, 5.0


class PdfDocumentView(QPdfView):
    """A PDF shown page after page, fitted to the pane's width; owns its bytes."""

    def __init__(self, content: bytes, parent: QWidget) -> None:
        super().__init__(parent)
        # Not a child of the view: QtPdf 6.12 segfaults when a view destroys its own
        # document (the closing document signals the half-destroyed view).
        self.pdf = QPdfDocument()
        self.destroyed.connect(self.pdf.deleteLater)
        self._buffer = QBuffer(self.pdf)
        self._buffer.setData(QByteArray(content))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf.load(self._buffer)
        self.setDocument(self.pdf)
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._search: QPdfSearchModel | None = None

    def zoom(self, factor: float | None) -> None:
        """Zoom by `factor` (1.25 in, 0.8 out), or fit the width again when None."""
        if factor is None:
            self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            return
        current = self.zoomFactor()
        self.setZoomMode(QPdfView.ZoomMode.Custom)
        self.setZoomFactor(min(MAX_ZOOM, max(MIN_ZOOM, current * factor)))

    def page_label(self) -> str:
        """'Page 3 of 20'."""
        page = self.pageNavigator().currentPage() + 1
        return f"Page {page} of {self.pdf.pageCount()}"

    def search(self, needle: str) -> None:
        """Highlight `needle` in the pages."""
        if self._search is None:
            # A child of the document, so it lives exactly as long as what it searches.
            self._search = QPdfSearchModel(self.pdf)
            self._search.setDocument(self.pdf)
            self.setSearchModel(self._search)
        self._search.setSearchString(needle)

    def release(self) -> None:
        """Close the document now (its pages are PHI); it is deleted after the view."""
        self.pdf.close()
        self._buffer.close()


class TextDocumentView(QPlainTextEdit):
    """A document's text, read-only: find hits and linked evidence are highlighted."""

    def __init__(self, document_id: int, text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.document_id = document_id
        self.setReadOnly(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlainText(text)
        self.find_hits: list[tuple[int, int]] = []
        self.evidence: list[tuple[int, int, bool]] = []  # start, end, of the selected code

    def highlight(self) -> None:
        """Paint the evidence spans (the selected code's stronger) and the find hits."""
        selections = []
        for start, end, chosen in self.evidence:
            selections.append(self._span(start, end, EVIDENCE_CHOSEN if chosen else EVIDENCE))
        selections += [self._span(start, end, FIND_HIT) for start, end in self.find_hits]
        self.setExtraSelections(selections)

    def _span(self, start: int, end: int, colour: QColor) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format.setBackground(colour)
        selection.format.setForeground(QColor("black"))
        return selection

    def find_all(self, needle: str) -> int:
        """Highlight every occurrence of `needle` (any case); move to the first; count them."""
        self.find_hits = []
        if needle:
            haystack, wanted = self.toPlainText().lower(), needle.lower()
            at = haystack.find(wanted)
            while at >= 0:
                self.find_hits.append((at, at + len(wanted)))
                at = haystack.find(wanted, at + len(wanted))
        self.highlight()
        if self.find_hits:
            self.go_to(self.find_hits[0][0])
        return len(self.find_hits)

    def next_hit(self) -> None:
        """Move to the next find hit after the cursor (wrapping)."""
        if not self.find_hits:
            return
        here = self.textCursor().position()
        later = [start for start, _ in self.find_hits if start > here]
        self.go_to(later[0] if later else self.find_hits[0][0])

    def go_to(self, position: int) -> None:
        """Put the cursor at `position` and scroll it into view."""
        cursor = self.textCursor()
        cursor.setPosition(position)
        self.setTextCursor(cursor)
        self.centerCursor()

    def selected_span(self) -> tuple[int, int, str] | None:
        """The selection as (start, end, text), or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        return start, end, self.toPlainText()[start:end]


def _local_files(mime: QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


EVIDENCE = QColor("#fff3b0")
EVIDENCE_CHOSEN = QColor("#ffb74d")
FIND_HIT = QColor("#9fd3ff")


class ChartPane(QWidget):
    """Shows the open encounter's chart documents, one tab each, with find and evidence."""

    search_requested = Signal(str)
    evidence_requested = Signal(int, int, int)  # document id, start, end
    files_dropped = Signal(list)  # local file paths dropped on the pane

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._refind)
        self.placeholder = QLabel("Open an encounter from the worklist to read its chart.", self)
        self.find_box = QLineEdit(self)
        self.find_box.setPlaceholderText("Find in document (Ctrl+F; Enter for the next)")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.textChanged.connect(self._refind)
        self.find_box.returnPressed.connect(self._next_hit)
        self.find_count = QLabel(self)
        self.search_action = QAction("Search the encoder for the selection", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+E"))
        self.search_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.search_action.triggered.connect(self._search_selection)
        self.link_action = QAction("Link the selection as evidence", self)
        self.link_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.link_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.link_action.triggered.connect(self._link_selection)
        self.zoom_in = self._zoom_action("Zoom in", "Ctrl++", 1.25)
        self.zoom_out = self._zoom_action("Zoom out", "Ctrl+-", 0.8)
        self.zoom_fit = self._zoom_action("Fit width", "Ctrl+0", None)
        self.page = QLabel(self)
        self.addActions([self.search_action, self.link_action])
        self.evidence: list[EvidenceView] = []
        self.chosen_code = ""
        self.setAcceptDrops(True)
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_box, 1)
        find_row.addWidget(self.find_count)
        for action in (self.zoom_out, self.zoom_in, self.zoom_fit):
            button = QToolButton(self)
            button.setDefaultAction(action)
            find_row.addWidget(button)
        find_row.addWidget(self.page)
        self.tabs.currentChanged.connect(self._show_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(find_row)
        self.clear()

    def _zoom_action(self, text: str, keys: str, factor: float | None) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({keys})")
        action.triggered.connect(lambda: self._zoom(factor))
        self.addAction(action)
        return action

    def _zoom(self, factor: float | None) -> None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, PdfDocumentView):
            widget.zoom(factor)

    def _show_page(self, *_changed: object) -> None:
        widget = self.tabs.currentWidget()
        self.page.setText(widget.page_label() if isinstance(widget, PdfDocumentView) else "")

    def show_documents(self, documents: list[DocumentContent]) -> None:
        """Replace the tabs with these documents (a PDF also gets a tab with its text)."""
        self.clear()
        for document in documents:
            if document.kind is DocumentKind.PDF:
                pdf = PdfDocumentView(document.content, self.tabs)
                pdf.pageNavigator().currentPageChanged.connect(self._show_page)
                self.tabs.addTab(pdf, document.title)
                if document.text.strip():
                    view = self._text_tab(document.id, document.text)
                    self.tabs.addTab(view, f"{document.title} (PDF text)")
            else:
                self.tabs.addTab(self._text_tab(document.id, document.text), document.title)
        self.tabs.setVisible(bool(documents))
        self.placeholder.setVisible(not documents)
        if not documents:
            self.placeholder.setText("This encounter has no chart documents.")

    def _text_tab(self, document_id: int, text: str) -> TextDocumentView:
        view = TextDocumentView(document_id, text, self.tabs)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda point: self._context_menu(view, point))
        return view

    def _context_menu(self, view: TextDocumentView, point: QPoint) -> None:
        menu = view.createStandardContextMenu()
        menu.addSeparator()
        has_selection = view.textCursor().hasSelection()
        for action in (self.search_action, self.link_action):
            action.setEnabled(has_selection)
            menu.addAction(action)
        menu.exec(view.mapToGlobal(point))
        for action in (self.search_action, self.link_action):
            action.setEnabled(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept local files (PDF, text, C-CDA...) dragged onto the chart."""
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Hand the dropped files to the window, which adds them to the encounter."""
        files = _local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(files)

    def text_views(self) -> list[TextDocumentView]:
        """Every text tab."""
        views = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [v for v in views if isinstance(v, TextDocumentView)]

    # -- find ------------------------------------------------------------------------------

    def focus_find(self) -> None:
        """Ctrl+F: into the find box."""
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    def _refind(self, *_changed: object) -> None:
        needle = self.find_box.text().strip()
        widget = self.tabs.currentWidget()
        for view in self.text_views():
            if view is not widget and view.find_hits:
                view.find_all("")
        if isinstance(widget, TextDocumentView):
            count = widget.find_all(needle)
            self.find_count.setText(f"{count} found" if needle else "")
        elif isinstance(widget, PdfDocumentView) and needle:
            self._find_in_pdf(widget, needle)
        else:
            self.find_count.clear()

    def _find_in_pdf(self, view: PdfDocumentView, needle: str) -> None:
        view.search(needle)
        self.find_count.setText("highlighted in the pages")

    def _next_hit(self) -> None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, TextDocumentView):
            widget.next_hit()

    # -- selection to the encoder, and evidence --------------------------------------------

    def _current_selection(self) -> tuple[TextDocumentView, tuple[int, int, str]] | None:
        widget = self.tabs.currentWidget()
        if isinstance(widget, TextDocumentView):
            span = widget.selected_span()
            if span is not None:
                return widget, span
        return None

    def selection_with_source(self) -> tuple[str, str] | None:
        """The selected text and the title of its document, if text is selected."""
        found = self._current_selection()
        if found is None:
            return None
        view, (_start, _end, text) = found
        return text, self.tabs.tabText(self.tabs.indexOf(view))

    def _search_selection(self) -> None:
        found = self._current_selection()
        if found is not None:
            self.search_requested.emit(" ".join(found[1][2].split())[:200])

    def _link_selection(self) -> None:
        found = self._current_selection()
        if found is not None:
            view, (start, end, _text) = found
            self.evidence_requested.emit(view.document_id, start, end)

    def show_evidence(self, links: list[EvidenceView], chosen_code: str = "") -> None:
        """Highlight linked evidence; the chosen code's spans stronger, the first in view."""
        self.evidence, self.chosen_code = links, chosen_code
        first: tuple[TextDocumentView, int] | None = None
        for view in self.text_views():
            mine = [link for link in links if link.document_id == view.document_id]
            view.evidence = [(e.start, e.end, e.code == chosen_code) for e in mine]
            view.highlight()
            chosen = [e.start for e in mine if e.code == chosen_code]
            if chosen and first is None:
                first = (view, chosen[0])
        if first is not None:
            view, position = first
            self.tabs.setCurrentWidget(view)
            view.go_to(position)

    def clear(self) -> None:
        """Close every document (on lock or when another encounter opens)."""
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if isinstance(widget, PdfDocumentView):
                widget.release()
            if widget is not None:
                widget.deleteLater()
        self.evidence, self.chosen_code = [], ""
        self.find_box.clear()
        self.find_count.clear()
        self.tabs.setVisible(False)
        self.placeholder.setVisible(True)
        self.placeholder.setText("Open an encounter from the worklist to read its chart.")

    def current_text(self) -> str:
        """The text of the visible text document ('' for PDFs or none)."""
        widget = self.tabs.currentWidget()
        return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else ""
