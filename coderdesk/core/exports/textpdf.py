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


def _is_heading(line: str) -> bool:
    head = line.split(":", 1)[0].strip()
    return bool(head) and head.isupper() and len(head) > 3


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
            canvas.setFont(_BOLD if _is_heading(line) else _FONT, _SIZE)
            canvas.drawString(_MARGIN, y, line)
            y -= _LEADING
        canvas.setFont(_FONT, 8)
        canvas.drawRightString(width - _MARGIN, _MARGIN / 2, f"{title} - page {number} of {len(pages)}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
