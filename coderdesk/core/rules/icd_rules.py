# SPDX-License-Identifier: GPL-3.0-or-later
"""ICD-10-CM rules: valid, billable, complete codes; Excludes notes; external causes first.

Citations paraphrase the Official Guidelines for Coding and Reporting (section I) in our
own words and name the tabular note a finding stands on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.codes.icd10cm import format_code, with_seventh
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    from collections.abc import Iterator

    from coderdesk.core.codes.icd10cm import Note
    from coderdesk.core.rules.engine import RuleContext
    from coderdesk.core.rules.icd_table import IcdNode, IcdTable, InheritedNote


def _seventh_problem(code: str, icd: IcdTable) -> Finding | None:
    """A 7th-character or placeholder problem with `code`, or None."""
    node = icd.get(code)
    if node is not None:
        if not icd.needs_seventh(node.code):
            return None
        chars = "".join(k[-1] for k in icd.children[node.code])
        return Finding(
            "ICD10CM.SEVENTH_CHAR",
            Severity.ERROR,
            f"{node.code} needs a 7th character ({', '.join(chars)}).",
            guideline("seventh_character"),
            (node.code,),
            fix=f"Use {with_seventh(node.code, chars[0])} or another 7th character.",
        )
    plain = code.replace(".", "").upper()
    if len(plain) < 5:
        return None
    base, char = format_code(plain[:-1].rstrip("X")), plain[-1]
    base_node = icd.get(base)
    if base_node is None or not icd.needs_seventh(base_node.code):
        return None
    complete = with_seventh(base_node.code, char)
    if complete in icd.nodes:
        return Finding(
            "ICD10CM.SEVENTH_CHAR",
            Severity.ERROR,
            f"{code} lacks its placeholder X: the code is {complete}.",
            guideline("seventh_character"),
            (code,),
            fix=f"Use {complete}.",
        )
    allowed = ", ".join(k[-1] for k in icd.children[base_node.code])
    return Finding(
        "ICD10CM.SEVENTH_CHAR",
        Severity.ERROR,
        f"7th character {char} is not defined for {base_node.code} (allowed: {allowed}).",
        guideline("seventh_character"),
        (code,),
        fix=f"Choose one of {allowed}.",
    )


class ValidCodeRule:
    """ICD10CM.INVALID_CODE, ICD10CM.HEADER_CODE and ICD10CM.SEVENTH_CHAR in one pass."""

    rule_id = "ICD10CM.INVALID_CODE"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per diagnosis that cannot be reported as written."""
        icd = context.icd
        for code in context.claim.diagnoses:
            seventh = _seventh_problem(code, icd)
            if seventh is not None:
                yield seventh
                continue
            node = icd.get(code)
            if node is None or node.kind == "chapter":
                yield Finding(
                    "ICD10CM.INVALID_CODE",
                    Severity.ERROR,
                    f"{code} is not an ICD-10-CM code in {icd.label}.",
                    f"Code set in force on {context.claim.date_of_service}: {icd.label}",
                    (code,),
                    fix="Search the encoder for the right code.",
                )
            elif not node.billable:
                children = icd.children.get(node.code, [])
                shown = ", ".join(children[:6]) + (" ..." if len(children) > 6 else "")
                yield Finding(
                    "ICD10CM.HEADER_CODE",
                    Severity.ERROR,
                    f"{node.code} is a header with subdivisions; it cannot be reported.",
                    guideline("level"),
                    (node.code,),
                    fix=f"Choose one of: {shown}.",
                )


def _excluded_pairs(context: RuleContext, kind: str) -> Iterator[tuple[str, str, str, str]]:
    """(code, other, note owner, note text) for every Excludes note of `kind` that binds.

    The note that counts for a pair is the one nearest to `code` in its lineage.
    Chapter-level Excludes2 notes only list whole other chapters ("both may be reported"):
    they tell a coder nothing about a particular pair, so they are left out.
    """
    icd = context.icd
    nodes = [n for n in (icd.get(c) for c in context.claim.diagnoses) if n is not None]
    index = icd.targets(kind, chapter_notes=kind != "excludes2")
    named = [(other, notes) for other in nodes if (notes := index.naming(other.code))]
    if not named:
        return
    # Which claim codes stand under each note's owner, and how far up the owner is.
    owners = {note.owner for _, notes in named for note in notes}
    below: dict[str, list[tuple[IcdNode, int]]] = {}
    for node in nodes:
        for level, ancestor in enumerate(icd.lineage(node.code)):
            if ancestor.code in owners:
                below.setdefault(ancestor.code, []).append((node, level))
    nearest: dict[tuple[str, str], tuple[int, InheritedNote]] = {}
    for other, notes in named:
        for note in notes:
            for code, level in below.get(note.owner, ()):
                if code is other:
                    continue
                best = nearest.get((code.code, other.code))
                if best is None or level < best[0]:
                    nearest[(code.code, other.code)] = (level, note)
    order = {n.code: i for i, n in enumerate(nodes)}
    for (first, second), (_, note) in sorted(
        nearest.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])
    ):
        yield first, second, note.owner, note.note.text


class ExcludesRule:
    """ICD10CM.EXCLUDES1 (error, overridable) and ICD10CM.EXCLUDES2 (information)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.rule_id = "ICD10CM.EXCLUDES1" if kind == "excludes1" else "ICD10CM.EXCLUDES2"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One finding per pair of codes, citing the note that relates them."""
        seen: set[frozenset[str]] = set()
        for code, other, owner, text in _excluded_pairs(context, self.kind):
            pair = frozenset((code, other))
            if pair in seen:
                continue
            seen.add(pair)
            yield self._finding(code, other, owner, text)

    def _finding(self, code: str, other: str, owner: str, text: str) -> Finding:
        if self.kind == "excludes1":
            return Finding(
                self.rule_id,
                Severity.ERROR,
                f"{code} and {other} should not be reported together (Excludes1).",
                f'{guideline("excludes")}; Excludes1 note at {owner}: "{text}"',
                (code, other),
                fix="Keep the code the documentation supports; override with a reason "
                "only when the two conditions are unrelated.",
            )
        return Finding(
            self.rule_id,
            Severity.INFO,
            f"{other} is not included in {code} (Excludes2): both may be reported.",
            f'{guideline("excludes")}; Excludes2 note at {owner}: "{text}"',
            (code, other),
        )


class ExternalCauseFirstRule:
    """ICD10CM.EXTERNAL_CAUSE_FIRST: V00-Y99 may not be the first-listed diagnosis."""

    rule_id = "ICD10CM.EXTERNAL_CAUSE_FIRST"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """A finding when the first diagnosis is an external cause code."""
        diagnoses = context.claim.diagnoses
        if diagnoses and diagnoses[0][:1] in ("V", "W", "X", "Y"):
            yield Finding(
                self.rule_id,
                Severity.ERROR,
                f"{diagnoses[0]} is an external cause code and cannot be listed first.",
                guideline("external_cause"),
                (diagnoses[0],),
                fix="List the injury or condition first; move the external cause after it.",
            )


MANIFESTATION_TITLE = "in diseases classified elsewhere"
# A note with these words asks for the other code only when it applies: not checked.
CONDITIONAL_WORDS = ("if applicable", "if known", "if present", "if any", "if desired")


@functools.cache
def _is_conditional(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in CONDITIONAL_WORDS)


def _known_codes(context: RuleContext) -> list[str]:
    """The claim's diagnoses that exist in the tabular, written with their dot."""
    nodes = (context.icd.get(code) for code in context.claim.diagnoses)
    return [node.code for node in nodes if node is not None]


def _is_manifestation(code: str, icd: IcdTable) -> bool:
    return any(MANIFESTATION_TITLE in node.title.lower() for node in icd.lineage(code))


def _notes_of(code: str, icd: IcdTable, kinds: tuple[str, ...]) -> Iterator[InheritedNote]:
    for kind in kinds:
        yield from icd.inherited_notes(code, kind)


def _satisfied(note: InheritedNote, codes: list[str], itself: str) -> bool:
    own = itself.replace(".", "")
    return any(note.covers(other) for other in codes if other != own)


def _refs_text(note: Note) -> str:
    return ", ".join(
        f"{r.start}-{r.end}" if r.end else f"{r.start}{'.-' * r.children}" for r in note.refs
    )


class ManifestationRule:
    """ICD10CM.MANIFESTATION_FIRST: a manifestation code first, or without its etiology."""

    rule_id = "ICD10CM.MANIFESTATION_FIRST"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Findings for manifestation codes sequenced first or missing their etiology."""
        icd = context.icd
        codes = _known_codes(context)
        plains = [code.replace(".", "") for code in codes]
        for position, code in enumerate(codes):
            if not _is_manifestation(code, icd):
                continue
            if position == 0:
                yield Finding(
                    self.rule_id,
                    Severity.ERROR,
                    f"{code} is a manifestation code and cannot be listed first.",
                    guideline("etiology"),
                    (code,),
                    fix="List the underlying condition first, then this code.",
                )
            yield from self._etiology(code, plains, icd)

    def _etiology(self, code: str, plains: list[str], icd: IcdTable) -> Iterator[Finding]:
        # Each Code first note names one possible etiology: any one of them will do.
        notes = list(_notes_of(code, icd, ("codeFirst",)))
        if not notes or any(_satisfied(note, plains, code) for note in notes):
            return
        options = "; ".join(_refs_text(note.note) for note in notes)
        yield Finding(
            self.rule_id,
            Severity.ERROR,
            f"{code} needs its underlying condition coded first ({options}).",
            f"{guideline('etiology')}; Code first note(s) at {notes[0].owner}",
            (code,),
            fix=f"Add the etiology code from: {options}.",
        )


@dataclass(frozen=True)
class _NoteGroup:
    """The unconditional notes of one kind at one place: alternatives, one answer will do."""

    owner: str
    kind: str
    notes: tuple[InheritedNote, ...]
    informational: bool


class UseAdditionalRule:
    """ICD10CM.USE_ADDITIONAL: a Use additional code / Code also note left unanswered."""

    rule_id = "ICD10CM.USE_ADDITIONAL"

    KINDS = ("useAdditionalCode", "codeAlso")

    def __init__(self) -> None:
        # Per tabular and code: the note groups to answer, and the notes the code answers.
        self._groups: dict[tuple[IcdTable, str], list[_NoteGroup]] = {}
        self._answers: dict[tuple[IcdTable, str], frozenset[int]] = {}

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """One warning per place whose unconditional notes are all unanswered."""
        codes = _known_codes(context)
        answers = [self._answers_of(context.icd, code) for code in codes]
        for code in codes:
            answered: set[int] = set()
            for other, names in zip(codes, answers, strict=True):
                if other != code:
                    answered |= names
            for group in self._groups_of(context, code):
                # The notes of one place are alternatives ("insulin", "oral hypoglycemic"...).
                if not any(id(note) in answered for note in group.notes):
                    yield self._finding(
                        code,
                        group.owner,
                        group.kind,
                        [n.note for n in group.notes],
                        group.informational,
                    )

    def _answers_of(self, icd: IcdTable, code: str) -> frozenset[int]:
        """The notes (by identity) that name `code`: those it answers when on the claim."""
        key = (icd, code)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = frozenset(
                id(n) for kind in self.KINDS for n in icd.targets(kind).naming(code)
            )
        return found

    def _groups_of(self, context: RuleContext, code: str) -> list[_NoteGroup]:
        key = (context.icd, code)
        found = self._groups.get(key)
        if found is None:
            by_place: dict[tuple[str, str], list[InheritedNote]] = {}
            for inherited in _notes_of(code, context.icd, self.KINDS):
                if not _is_conditional(inherited.note.text):
                    place = (inherited.owner, inherited.note.kind)
                    by_place.setdefault(place, []).append(inherited)
            targets = context.tables.informational_targets
            found = self._groups[key] = [
                _NoteGroup(
                    owner,
                    kind,
                    tuple(notes),
                    all(
                        ref.start in targets and (ref.end is None or ref.end in targets)
                        for note in notes
                        for ref in note.note.refs
                    ),
                )
                for (owner, kind), notes in by_place.items()
            ]
        return found

    def _finding(
        self, code: str, owner: str, kind: str, notes: list[Note], informational: bool
    ) -> Finding:
        label = "Use additional code" if kind == "useAdditionalCode" else "Code also"
        options = ", ".join(_refs_text(note) for note in notes)
        return Finding(
            self.rule_id,
            Severity.INFO if informational else Severity.WARNING,
            f"{code}: '{label}' note not answered; look in {options}.",
            f"{guideline('use_additional')}; {label} note(s) at {owner}: "
            + "; ".join(f'"{n.text}"' for n in notes),
            (code,),
            fix=f"Add a code from {options} if the record documents it.",
        )
