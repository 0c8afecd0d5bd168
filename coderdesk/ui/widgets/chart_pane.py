# SPDX-License-Identifier: GPL-3.0-or-later
"""The chart pane: an encounter's documents in tabs (PDF pages, or text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QFontDatabase
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from coderdesk.core.store.models import DocumentKind

if TYPE_CHECKING:
    from coderdesk.core.services.documents import DocumentContent


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

    def release(self) -> None:
        """Close the document now (its pages are PHI); it is deleted after the view."""
        self.pdf.close()
        self._buffer.close()


def _text_view(text: str, parent: QWidget | None) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    view.setPlainText(text)
    return view


class ChartPane(QWidget):
    """Shows the open encounter's chart documents, one tab each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.placeholder = QLabel("Open an encounter from the worklist to read its chart.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.tabs)
        self.clear()

    def show_documents(self, documents: list[DocumentContent]) -> None:
        """Replace the tabs with these documents."""
        self.clear()
        for document in documents:
            self.tabs.addTab(self._view_for(document), document.title)
        self.tabs.setVisible(bool(documents))
        self.placeholder.setVisible(not documents)
        if not documents:
            self.placeholder.setText("This encounter has no chart documents.")

    def _view_for(self, document: DocumentContent) -> QWidget:
        if document.kind is DocumentKind.PDF:
            return PdfDocumentView(document.content, self.tabs)
        return _text_view(document.text, self.tabs)

    def clear(self) -> None:
        """Close every document (on lock or when another encounter opens)."""
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if isinstance(widget, PdfDocumentView):
                widget.release()
            if widget is not None:
                widget.deleteLater()
        self.tabs.setVisible(False)
        self.placeholder.setVisible(True)
        self.placeholder.setText("Open an encounter from the worklist to read its chart.")

    def current_text(self) -> str:
        """The text of the visible text document ('' for PDFs or none)."""
        widget = self.tabs.currentWidget()
        return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else ""
