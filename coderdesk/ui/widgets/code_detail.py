# SPDX-License-Identifier: GPL-3.0-or-later
"""The tabular detail of one code, as rich text: path, notes by origin, children, 7th chars.

Links inside the text: `code:E11.4` opens another code's detail (a child, a note's
target, a step of the path); `add:S72.001A` puts a complete code on the code sheet (the
7th-character picker, placeholder X already filled in).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coderdesk.core.codes.catalog import CodeDetail, NoteView

NOTE_LABELS = {
    "inclusionTerm": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1 (never together)",
    "excludes2": "Excludes2 (not included here)",
    "codeFirst": "Code first",
    "useAdditionalCode": "Use additional code",
    "codeAlso": "Code also",
    "sevenChrNote": "7th character note",
    "notes": "Notes",
}


def _code_link(code: str, text: str | None = None) -> str:
    return f'<a href="code:{escape(code)}">{escape(text or code)}</a>'


def _note_html(note: NoteView, own_code: str) -> str:
    origin = "" if note.source == own_code else f" <i>(from {note.level} {note.source})</i>"
    targets = ", ".join(_code_link(ref.start) for ref in note.refs if not ref.end)
    linked = f" &mdash; {targets}" if targets else ""
    return f"<li>{escape(note.text)}{origin}{linked}</li>"


def detail_html(detail: CodeDetail) -> str:
    """The detail pane's text for one code."""
    parts = []
    if detail.path:
        steps = " &rsaquo; ".join(_code_link(step["code"], step["code"]) for step in detail.path)
        parts.append(f"<p>{steps}</p>")
    status = "billable" if detail.billable else "header: report a code below it"
    if detail.requires_seventh:
        status = "needs a 7th character"
    parts.append(
        f"<h3>{escape(detail.code)} {escape(detail.title)}</h3>"
        f"<p><i>{escape(status)}</i> &middot; {escape(detail.version)}</p>"
    )
    if detail.seventh_characters:
        picks = "".join(
            f'<li><a href="add:{escape(s.code)}">{escape(s.code)}</a> {escape(s.meaning)}</li>'
            for s in detail.seventh_characters
        )
        parts.append(f"<p><b>7th character</b> (click to add)</p><ul>{picks}</ul>")
    by_kind: dict[str, list[NoteView]] = {}
    for note in detail.notes:
        by_kind.setdefault(note.kind, []).append(note)
    for kind, label in NOTE_LABELS.items():
        if kind in by_kind and kind != "sevenChrDef":
            items = "".join(_note_html(n, detail.code) for n in by_kind[kind])
            parts.append(f"<p><b>{escape(label)}</b></p><ul>{items}</ul>")
    if detail.children and not detail.seventh_characters:
        rows = "".join(
            f"<li>{_code_link(c['code'])} {escape(c['title'])}"
            f"{'' if c['billable'] else ' <i>(header)</i>'}</li>"
            for c in detail.children
        )
        parts.append(f"<p><b>Codes below</b></p><ul>{rows}</ul>")
    return "".join(parts)
