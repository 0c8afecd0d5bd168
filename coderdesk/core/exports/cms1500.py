# SPDX-License-Identifier: GPL-3.0-or-later
"""The CMS-1500 (02/12) claim form as a PDF, from the claim interchange format.

Two modes: `data` prints only the data, placed to land in the boxes of the red
pre-printed form (shifted by the printer offset, in inches); `form` also draws the
form's boxes, numbers, labels and the shaded supplemental rows, for records and payers
that take PDFs. Capitals, dates as MM DD YYYY where the box is wide and MM DD YY in box
24, diagnoses A-L without the dot and ICD indicator 0, pointers as letters, charges
right-aligned with the cents apart. Six service lines per page; further lines continue
on further pages and the total is printed on the last one. Every position comes from
`cms1500_layout`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from coderdesk.core.errors import UsageError
from coderdesk.core.exports.cms1500_layout import (
    BOX24_HEADINGS,
    BOX24_RULES,
    BOX24_SHADED_RULES,
    BOX24_SUBCOLUMNS,
    BOXES,
    CHOICES,
    COLUMN_WIDTH,
    DIAGNOSIS_FIELDS,
    FIELDS,
    LINE_HEIGHT,
    LINES_PER_PAGE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    POINTS_PER_INCH,
    RULES,
    SUBLABELS,
    Field,
    grid_to_points,
    service_line_field,
)
from coderdesk.core.rules.claim import address_parts

if TYPE_CHECKING:
    from coderdesk.core.rules.claim import Claim, ClaimLine

MODES = ("data", "form")
FORM_RED = Color(0.80, 0.15, 0.15)
SHADE = Color(0.98, 0.88, 0.88)
DATA_FONT, DATA_SIZE = "Courier", 10
LABEL_FONT, LABEL_SIZE = "Helvetica", 5.5
TICK_SIZE = 8.0  # points: the side of a tick box, around a Courier 10 capital
HEADING_SIZE = 4.6
POINTER_LETTERS = "ABCDEFGHIJKL"
SIGNATURE_ON_FILE = "SIGNATURE ON FILE"


def money(amount: float) -> str:
    """'150 00': dollars and cents apart, as the form's charge columns are split."""
    cents = round(amount * 100)
    return f"{cents // 100} {cents % 100:02d}"


def render_cms1500(
    claim: Claim,
    *,
    mode: str = "data",
    offset: tuple[float, float] = (0.0, 0.0),
    signed: dt.date | None = None,
) -> bytes:
    """The form as PDF bytes; `offset` (right, down) in inches moves every datum."""
    if mode not in MODES:
        raise UsageError(f"Mode '{mode}' is not one of {', '.join(MODES)}.")
    if not claim.lines:
        raise UsageError("A CMS-1500 needs at least one service line.")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    canvas.setTitle("CMS-1500 claim")
    pages = [
        claim.lines[i : i + LINES_PER_PAGE] for i in range(0, len(claim.lines), LINES_PER_PAGE)
    ]
    for number, lines in enumerate(pages, start=1):
        if mode == "form":
            _draw_form(canvas)
        writer = _Writer(canvas, offset)
        _header(writer, claim, signed or dt.date.today())
        _diagnoses(writer, claim)
        for index, line in enumerate(lines):
            _service_line(writer, claim, index, line)
        last = number == len(pages)
        total = sum(line.charge for line in claim.lines)
        writer.put(FIELDS["total_charge"], money(total) if last else "CONTINUED")
        canvas.setFont(LABEL_FONT, LABEL_SIZE)
        canvas.drawRightString(PAGE_WIDTH - 18, 12, f"Page {number} of {len(pages)}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _Writer:
    """Writes data at field positions, in capitals, cut to the field, offset applied."""

    def __init__(self, canvas: Canvas, offset: tuple[float, float]) -> None:
        self.canvas = canvas
        self.dx = offset[0] * POINTS_PER_INCH
        self.dy = -offset[1] * POINTS_PER_INCH

    def put(self, field: Field, value: str) -> None:
        text = " ".join(value.upper().split())[: field.width]
        if not text:
            return
        x, y = grid_to_points(field.column, field.line)
        self.canvas.setFillColor(black)
        self.canvas.setFont(DATA_FONT, DATA_SIZE)
        if field.align == "right":
            self.canvas.drawRightString(x + field.width * COLUMN_WIDTH + self.dx, y + self.dy, text)
        else:
            self.canvas.drawString(x + self.dx, y + self.dy, text)


def _date(day: dt.date | None, wide: bool) -> str:
    if day is None:
        return ""
    return f"{day:%m %d %Y}" if wide else f"{day:%m %d %y}"


def _header(writer: _Writer, claim: Claim, signed: dt.date) -> None:
    payer, patient, subscriber = claim.payer, claim.patient, claim.subscriber
    billing = claim.billing_provider
    put = writer.put
    put(FIELDS["payer_name"], str(payer.get("name", "")))
    street, city, state, postal = address_parts(payer.get("address", ""))
    put(FIELDS["payer_address"], street)
    put(FIELDS["payer_city"], " ".join(p for p in (city, state, postal) if p))
    put(FIELDS[f"plan_{claim.program}"], "X")
    put(FIELDS["insured_id"], str(subscriber.get("id", "")))
    put(FIELDS["patient_name"], str(patient.get("name", "")))
    put(FIELDS["patient_dob"], _date(claim.patient_dob, wide=True))
    if claim.patient_sex in ("M", "F"):
        put(FIELDS[f"patient_sex_{claim.patient_sex.lower()}"], "X")
    put(FIELDS["insured_name"], str(subscriber.get("name") or patient.get("name", "")))
    street, city, state, postal = address_parts(patient.get("address", {}))
    for prefix in ("patient", "insured"):
        put(FIELDS[f"{prefix}_street"], street)
        put(FIELDS[f"{prefix}_city"], city)
        put(FIELDS[f"{prefix}_state"], state)
        put(FIELDS[f"{prefix}_zip"], postal)
    put(FIELDS["relationship_self"], "X")  # the subscriber is the patient (837P SBR02 18)
    # Nothing in the claim relates the condition to work or an accident (no CLM11 either).
    for cause in ("employment", "auto_accident", "other_accident"):
        put(FIELDS[f"{cause}_no"], "X")
    put(FIELDS["insured_group"], str(subscriber.get("group", "") or "NONE"))
    put(FIELDS["insured_dob"], _date(claim.patient_dob, wide=True))
    if claim.patient_sex in ("M", "F"):
        put(FIELDS[f"insured_sex_{claim.patient_sex.lower()}"], "X")
    put(FIELDS["other_plan_no"], "X")  # one payer per claim: no secondary coverage sent
    put(FIELDS["patient_signature"], SIGNATURE_ON_FILE)
    put(FIELDS["patient_signature_date"], _date(signed, wide=False))
    put(FIELDS["insured_signature"], SIGNATURE_ON_FILE)
    put(FIELDS["tax_id"], "".join(ch for ch in str(billing.get("tax_id", "")) if ch.isdigit()))
    put(FIELDS["tax_id_ein"], "X")
    put(FIELDS["account"], str(patient.get("account", "")))
    put(FIELDS["accept_assignment"], "X")
    put(FIELDS["provider_signature"], SIGNATURE_ON_FILE)
    put(FIELDS["provider_signature_date"], _date(signed, wide=False))
    put(FIELDS["billing_name"], str(billing.get("name", "")))
    street, city, state, postal = address_parts(billing.get("address", ""))
    put(FIELDS["billing_street"], street)
    put(FIELDS["billing_city"], " ".join(p for p in (city, state, postal) if p))
    put(FIELDS["billing_npi"], str(billing.get("npi", "")))


def _diagnoses(writer: _Writer, claim: Claim) -> None:
    writer.put(FIELDS["icd_indicator"], "0")
    for letter, code in zip(POINTER_LETTERS, claim.diagnoses[:12], strict=False):
        writer.put(DIAGNOSIS_FIELDS[letter], code.replace(".", ""))


def _service_line(writer: _Writer, claim: Claim, index: int, line: ClaimLine) -> None:
    start = line.date_from or claim.date_of_service
    end = line.date_to or start
    rendering = claim.rendering_provider.get("npi") or claim.billing_provider.get("npi", "")
    values = {
        "from": _date(start, wide=False),
        "to": _date(end, wide=False),
        "pos": line.pos,
        "code": line.code,
        "pointer": "".join(POINTER_LETTERS[p - 1] for p in line.pointers[:4] if 0 < p <= 12),
        "charge": money(line.charge),
        "units": f"{line.units:g}",
        "npi": str(rendering),
    }
    for number, modifier in enumerate(line.modifiers[:4], start=1):
        values[f"modifier{number}"] = modifier
    for name, value in values.items():
        writer.put(service_line_field(name, index), value)


def _draw_form(canvas: Canvas) -> None:
    """The form: boxes with numbers and labels, tick boxes, inner lines, the service-line
    table with its headings, shaded supplemental rows and column dividers."""
    canvas.setStrokeColor(FORM_RED)
    canvas.setLineWidth(0.5)
    _draw_service_table(canvas)
    canvas.setFillColor(FORM_RED)
    for box in BOXES.values():
        left, top = grid_to_points(box.left, box.top)
        right, bottom = grid_to_points(box.right, box.bottom)
        canvas.rect(left, bottom, right - left, top - bottom, stroke=1, fill=0)
        number = "" if box.number == "carrier" else f"{box.number}. "
        _label(canvas, left + 2, top - LABEL_SIZE - 1, f"{number}{box.label}", right - left - 4)
    for column, line, text in SUBLABELS:
        x, y = grid_to_points(column, line)
        _label(canvas, x, y, text, PAGE_WIDTH)
    for left_column, top_line, right_column, bottom_line in RULES:
        canvas.line(
            *grid_to_points(left_column, top_line), *grid_to_points(right_column, bottom_line)
        )
    for choice in CHOICES.values():
        x, y = grid_to_points(choice.column, choice.line)
        canvas.rect(x - 1, y - 2, TICK_SIZE, TICK_SIZE + 0.5, stroke=1, fill=0)
        if choice.label_above:
            top = grid_to_points(choice.column, BOXES[choice.box].top)[1]
            _label(canvas, x - 0.5, top - LABEL_SIZE - 1, choice.label, PAGE_WIDTH)
        else:
            _label(canvas, x + TICK_SIZE + 1.5, y, choice.label, PAGE_WIDTH)
    for letter, field in DIAGNOSIS_FIELDS.items():
        x, y = grid_to_points(field.column - 1.6, field.line)
        _label(canvas, x, y, f"{letter}.", COLUMN_WIDTH * 2)
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(18, PAGE_HEIGHT - 14, "HEALTH INSURANCE CLAIM FORM")
    canvas.setFont(LABEL_FONT, 6)
    canvas.drawString(
        18, PAGE_HEIGHT - 22, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12"
    )


def _label(
    canvas: Canvas, x: float, y: float, text: str, width: float, size: float = LABEL_SIZE
) -> None:
    """Red small print, cut at a word so that it fits `width` points."""
    canvas.setFont(LABEL_FONT, size)
    while text and canvas.stringWidth(text, LABEL_FONT, size) > width:
        text = text.rsplit(" ", 1)[0] if " " in text else text[:-1]
    canvas.drawString(x, y, text)


def _draw_service_table(canvas: Canvas) -> None:
    """Box 24: headings, numbered lines with their shaded supplemental part, dividers."""
    right = grid_to_points(82, 0)[0]
    canvas.setFillColor(FORM_RED)
    for column, line, text in BOX24_HEADINGS:
        x, y = grid_to_points(column, line)
        # A heading stays within its column (the next divider to its right).
        end = min(c for c in (*BOX24_RULES, 82) if c > column + 0.5 and c not in BOX24_SUBCOLUMNS)
        _label(canvas, x, y, text, (end - column - 0.2) * COLUMN_WIDTH, HEADING_SIZE)
    header_bottom = service_line_field("from", 0).line - 1.7
    for column in BOX24_RULES:
        canvas.line(*grid_to_points(column, 41.2), *grid_to_points(column, header_bottom))
    for index in range(LINES_PER_PAGE):
        line = service_line_field("from", index).line
        shaded_top, unshaded_top, bottom = line - 1.7, line - 0.7, line + 0.3
        x, y = grid_to_points(1, shaded_top)
        canvas.setFillColor(SHADE)
        canvas.rect(x, y - LINE_HEIGHT, right - x, LINE_HEIGHT, stroke=0, fill=1)
        canvas.line(x, y, right, y)
        canvas.line(x, grid_to_points(1, bottom)[1], right, grid_to_points(1, bottom)[1])
        for column in BOX24_RULES:
            top = shaded_top if column in BOX24_SHADED_RULES else unshaded_top
            canvas.line(*grid_to_points(column, top), *grid_to_points(column, bottom))
        canvas.setFillColor(FORM_RED)
        canvas.setFont("Helvetica-Bold", 8)
        number_x, number_y = grid_to_points(1, line - 0.4)
        canvas.drawRightString(number_x - 3, number_y, str(index + 1))
