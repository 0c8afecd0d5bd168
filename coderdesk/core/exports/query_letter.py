# SPDX-License-Identifier: GPL-3.0-or-later
"""A provider query printed as a one-page letter, to hand to the provider.

Letterhead from the practice, the date, the provider, the minimum necessary patient and
encounter identifiers (account number and date of service: no name, no birth date), the
clinical indicators with their sources and dates, the question, tick boxes for the
options (or lines for an open answer), the statement that the query presumes no answer,
signature and date lines, and how to return it.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from reportlab.lib.colors import black, grey
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from coderdesk.core.queries.model import QueryFormat

if TYPE_CHECKING:
    from coderdesk.core.queries.model import Query

MARGIN = 54
WIDTH, HEIGHT = letter
BODY_FONT, BODY_SIZE, LEADING = "Helvetica", 10, 13
NO_PRESUMPTION = (
    "This query asks for your independent clinical judgment. It does not presume or suggest "
    "any particular answer, and any answer, including that the question cannot be "
    "clinically determined, is acceptable. Please answer based on the medical record."
)
YES_NO_OPTIONS = ("Yes", "No", "Other (please specify)", "Clinically undetermined")
OPEN_ANSWER_LINES = 5


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


class _Page:
    """Writes top to bottom; `y` is the next baseline."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = HEIGHT - MARGIN

    def text(
        self, text: str, font: str = BODY_FONT, size: float = BODY_SIZE, indent: float = 0
    ) -> None:
        self.canvas.setFont(font, size)
        for line in _wrap(text, font, size, WIDTH - 2 * MARGIN - indent):
            self.canvas.drawString(MARGIN + indent, self.y, line)
            self.y -= size + 3

    def gap(self, points: float = 6) -> None:
        self.y -= points

    def rule(self, indent: float = 0) -> None:
        self.canvas.setStrokeColor(grey)
        self.canvas.line(MARGIN + indent, self.y, WIDTH - MARGIN, self.y)
        self.canvas.setStrokeColor(black)
        self.y -= LEADING + 4

    def tick_box(self, label: str) -> None:
        self.canvas.rect(MARGIN + 12, self.y - 1, 9, 9)
        self.text(label, indent=28)
        self.gap(3)


def render_query_letter(
    query: Query, practice: dict[str, Any], issued: dt.date | None = None
) -> bytes:
    """The letter as PDF bytes (one page for an ordinary query)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setTitle("Provider query")
    page = _Page(canvas)
    _letterhead(page, practice, issued or dt.date.today())
    _reminder(page, query)
    _addressee(page, query)
    page.text("Clinical indicators", "Helvetica-Bold", 11)
    for indicator in query.indicators:
        when = indicator.date.strftime("%m/%d/%Y") if indicator.date else "date not given"
        page.text(
            f"\u2022 {indicator.text} ({indicator.source or 'source not given'}, {when})", indent=10
        )
    page.gap()
    page.text("Question", "Helvetica-Bold", 11)
    page.text(query.question)
    page.gap()
    _answers(page, query)
    page.gap()
    page.text(NO_PRESUMPTION, "Helvetica-Oblique", 9)
    page.gap(10)
    page.text("Provider signature: ____________________________    Date: ____________")
    page.gap(4)
    page.text("Printed name and credentials: ____________________________")
    page.gap(8)
    return_to = str(practice.get("return_to") or "the coding office")
    due = query.extra.get("due_date")
    when = f"by {due}" if due else "within the time your practice's policy sets"
    page.text(
        f"Please return this query to {return_to}, or answer it in the record with an "
        f"addendum, {when}.",
        size=9,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _letterhead(page: _Page, practice: dict[str, Any], issued: dt.date) -> None:
    page.text(str(practice.get("name") or "Practice"), "Helvetica-Bold", 14)
    address = ", ".join(
        str(practice.get(k)) for k in ("address", "city", "state", "postal_code") if practice.get(k)
    )
    if address:
        page.text(address, size=9)
    if practice.get("phone"):
        page.text(f"Tel {practice['phone']}", size=9)
    page.gap(4)
    page.rule()
    page.text(f"Documentation query, {issued:%m/%d/%Y}", "Helvetica-Bold", 12)
    page.gap(2)


def _reminder(page: _Page, query: Query) -> None:
    """A reminder names itself, so the provider knows the first letter is still open."""
    reminder = query.extra.get("reminder") or {}
    level = int(reminder.get("level") or 0)
    if not level:
        return
    title = {1: "Second request", 2: "Third request"}.get(level, f"Request no. {level + 1}")
    first = f", first sent {reminder['first_sent']}" if reminder.get("first_sent") else ""
    page.text(f"{title}{first}", "Helvetica-Bold", 10)
    if reminder.get("to"):
        page.text(f"Escalated under the practice's query policy to: {reminder['to']}.", size=9)
    page.gap(2)


def _addressee(page: _Page, query: Query) -> None:
    provider = query.extra.get("provider") or {}
    encounter = query.extra.get("encounter") or {}
    patient = query.extra.get("patient") or {}
    page.text(f"To: {provider.get('name', '(provider)')}")
    # The minimum necessary: the account and the date of service identify the encounter.
    page.text(
        f"Patient account: {patient.get('account', '(account)')}; "
        f"date of service: {encounter.get('date_of_service', '(date)')}"
    )
    page.gap()


def _answers(page: _Page, query: Query) -> None:
    if query.query_format is QueryFormat.OPEN_ENDED:
        page.text("Your answer", "Helvetica-Bold", 11)
        for _ in range(OPEN_ANSWER_LINES):
            page.gap(6)
            page.rule()
        return
    page.text("Please tick one", "Helvetica-Bold", 11)
    options = query.options if query.query_format is QueryFormat.MULTIPLE_CHOICE else YES_NO_OPTIONS
    for option in options:
        page.tick_box(option)
        if option.lower().startswith("other"):
            page.rule(indent=28)
