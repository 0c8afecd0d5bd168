# SPDX-License-Identifier: GPL-3.0-or-later
"""The coding summary PDF: an encounter's abstract for audits.

Diagnoses in order with their titles, the service lines, every finding of the rules
(with the reason of each override), and the evidence linked from the chart (quote,
document and page). Built with ReportLab's flowables so long quotes and many findings
flow over pages.
"""

from __future__ import annotations

import datetime as dt
import io
from html import escape
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reportlab.platypus import Flowable

    from coderdesk.core.rules.claim import Claim
    from coderdesk.core.rules.findings import Finding
    from coderdesk.core.services.evidence import EvidenceView

POINTERS = "ABCDEFGHIJKL"
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ]
)


def render_summary(
    claim: Claim,
    titles: dict[str, str],
    findings: list[Finding],
    evidence: list[EvidenceView] | None = None,
    produced: dt.date | None = None,
) -> bytes:
    """The summary as PDF bytes."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[Flowable] = [
        Paragraph("Coding summary", styles["Title"]),
        Paragraph(
            escape(
                f"Account {claim.patient.get('account', '')}; date of service "
                f"{claim.date_of_service:%m/%d/%Y}; payer {claim.payer.get('name', '')}; "
                f"produced {produced or dt.date.today():%m/%d/%Y}"
            ),
            styles["BodyText"],
        ),
        Spacer(1, 8),
        Paragraph("Diagnoses (in order)", styles["Heading2"]),
        _table(
            [["", "Code", "Title"]]
            + [
                [POINTERS[n], code, Paragraph(escape(titles.get(code, "")), small)]
                for n, code in enumerate(claim.diagnoses[:12])
            ],
            [0.3 * inch, 0.9 * inch, 5.8 * inch],
        ),
        Paragraph("Service lines", styles["Heading2"]),
        _table(
            [["#", "Code", "Modifiers", "Units", "Pointers", "Charge", "POS", "Dates"]]
            + [
                [
                    str(n),
                    line.code,
                    " ".join(line.modifiers),
                    f"{line.units:g}",
                    "".join(POINTERS[p - 1] for p in line.pointers if 0 < p <= 12),
                    f"{line.charge:,.2f}",
                    line.pos,
                    _dates(claim, n - 1),
                ]
                for n, line in enumerate(claim.lines, start=1)
            ],
            None,
        ),
        Paragraph("Findings and overrides", styles["Heading2"]),
    ]
    story.append(_findings_table(findings, small) if findings else Paragraph("None.", small))
    story.append(Paragraph("Evidence from the chart", styles["Heading2"]))
    if evidence:
        story.append(
            _table(
                [["Code", "Quote", "Document", "Page"]]
                + [
                    [
                        e.code,
                        Paragraph(escape(f"\u201c{e.quote}\u201d"), small),
                        Paragraph(escape(e.document_title), small),
                        str(e.page or ""),
                    ]
                    for e in evidence
                ],
                [0.8 * inch, 4.2 * inch, 1.5 * inch, 0.5 * inch],
            )
        )
    else:
        story.append(Paragraph("No evidence linked.", small))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title="Coding summary",
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
    )
    document.build(story)
    return buffer.getvalue()


def _dates(claim: Claim, index: int) -> str:
    line = claim.lines[index]
    start = line.date_from or claim.date_of_service
    end = line.date_to or start
    return f"{start:%m/%d/%Y}" + (f"-{end:%m/%d/%Y}" if end != start else "")


def _findings_table(findings: list[Finding], style: object) -> Table:
    rows: list[list[object]] = [["Severity", "Rule", "Finding, source and override"]]
    for finding in findings:
        text = f"{escape(finding.message)}<br/><i>Source:</i> {escape(finding.citation)}"
        if finding.overridden:
            text += f"<br/><b>Overridden:</b> {escape(finding.overridden)}"
        rows.append([str(finding.severity), finding.rule, Paragraph(text, style)])
    return _table(rows, [0.7 * inch, 1.6 * inch, 4.7 * inch])


def _table(rows: Sequence[Sequence[object]], widths: list[float] | None) -> Table:
    table = Table([list(row) for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(_GRID)
    return table
