# SPDX-License-Identifier: GPL-3.0-or-later
"""Typeset a plain-text clinical document as a PDF (letter size, wrapped, paginated)."""

from __future__ import annotations

import io
import textwrap

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"
_SIZE = 10
_LEADING = 13
_MARGIN = 54


def _wrap(text: str, width_points: float) -> list[str]:
    # Helvetica averages about half its size per character; measure to be exact.
    chars = max(int(width_points / (_SIZE * 0.5)), 20)
    lines: list[str] = []
    for paragraph in text.splitlines():
        wrapped = textwrap.wrap(paragraph, chars, break_long_words=True) or [""]
        for line in wrapped:
            while stringWidth(line, _FONT, _SIZE) > width_points and len(line) > 1:
                cut = line.rfind(" ", 0, len(line) - 1)
                cut = cut if cut > 0 else len(line) - 1
                lines.append(line[:cut])
                line = line[cut:].lstrip()
            lines.append(line)
    return lines


def _heading_length(line: str) -> int:
    """Characters of `line` that form an upper-case label ("PLAN:" or a title line)."""
    head, colon, _rest = line.partition(":")
    if not colon:
        head = line
    letters = [ch for ch in head if ch.isalpha()]
    if len(letters) < 4 or not head.isupper():
        return 0
    return len(head) + len(colon)


def _draw_line(canvas: Canvas, x: float, y: float, line: str) -> None:
    bold = _heading_length(line)
    canvas.setFont(_BOLD, _SIZE)
    canvas.drawString(x, y, line[:bold])
    canvas.setFont(_FONT, _SIZE)
    canvas.drawString(x + stringWidth(line[:bold], _BOLD, _SIZE), y, line[bold:])


def text_to_pdf(title: str, text: str) -> bytes:
    """A PDF of `text` with `title` in the footer of every page; returns the PDF bytes."""
    buffer = io.BytesIO()
    width, height = LETTER
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(title)
    lines = _wrap(text.replace("\t", "    "), width - 2 * _MARGIN)
    per_page = int((height - 2 * _MARGIN) // _LEADING)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    for number, page in enumerate(pages, start=1):
        y = height - _MARGIN
        for line in page:
            _draw_line(canvas, _MARGIN, y, line)
            y -= _LEADING
        canvas.setFont(_FONT, 8)
        canvas.drawRightString(
            width - _MARGIN, _MARGIN / 2, f"{title} - page {number} of {len(pages)}"
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
