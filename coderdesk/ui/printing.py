# SPDX-License-Identifier: GPL-3.0-or-later
"""Printing the PDFs CoderDesk makes (CMS-1500, coding summary, query letters).

The PDF's pages are rendered to the printer's resolution and painted page by page, so
what prints is exactly what the export writes. A print preview comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def paint_pdf(printer: QPrinter, pdf: bytes) -> int:
    """Paint every page of `pdf` on `printer`; return the number of pages."""
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    painter = QPainter()
    if not painter.begin(printer):
        document.close()
        return 0
    try:
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        size = QSize(target.width(), target.height())
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            image = document.render(page, size)
            painter.drawImage(target.topLeft(), image)
    finally:
        painter.end()
        pages = document.pageCount()
        document.close()
        buffer.close()
    return pages


def preview_and_print(parent: QWidget, pdf: bytes, title: str) -> bool:
    """Show the print preview; return whether the user printed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print: {title}")
    dialog.paintRequested.connect(lambda target: paint_pdf(target, pdf))
    return dialog.exec() == QPrintPreviewDialog.DialogCode.Accepted
