# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance check of a provider query: every finding with its reason and its rule.

The checks follow the industry guidance on compliant query practice (the AHIMA/ACDIS
"Guidelines for Achieving a Compliant Query Practice", in our own words, see
docs/queries.md): a query asks for clinical clarification, presents the clinical
indicators it stands on, does not lead, does not mention money or metrics, and offers
every reasonable answer. A query with an error may not be issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.queries.model import QueryFormat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from coderdesk.core.queries.model import Query

GUIDANCE = "Compliant query practice (AHIMA/ACDIS)"
# Words about payment, grouping, risk, metrics or audits: a query is about the patient.
IMPACT_TERMS = {
    "payment": r"pay(?:ment|s|ing)?|reimburs\w*|revenue|dollars?|\$\s?\d|money|financial",
    # Acronyms match in capitals only: "500 cc" of fluid or "psi" are clinical.
    "grouping": r"\bM?S?-?DRGs?\b|(?-i:\bM?CCs?\b)|complications? or comorbidit\w*",
    "risk adjustment": r"(?-i:\bHCCs?\b|\bRAF\b)|risk (?:score|adjust\w*)",
    "severity metrics": r"severity|(?-i:\bSOI\b)|risk of mortality|case mix",
    "quality measures": r"quality (?:measure|metric|score|rating)s?|(?-i:\bPSIs?\b|\bHACs?\b)"
    r"|core measure",
    "audits and denials": r"audit\w*|denial\w*|\bdeny\b|denied|\bRAC\b|\bOIG\b|compliance risk",
}
LEADING_PHRASES = (
    r"please document",
    r"please add",
    r"please (?:confirm|indicate) that",
    r"consider (?:adding|documenting|including|coding)",
    r"(?:you )?(?:may|might) want to (?:document|add|consider)",
    r"would you (?:agree|consider)",
    r"(?:can|could) you (?:add|document|include)",
    r"should be (?:documented|added|coded)",
    r"(?:it )?appears (?:that )?the patient has",
    r"the patient (?:clearly|obviously) has",
    r"(?:is|isn't|wasn't|was) (?:it|this) not",
    r"don't you (?:agree|think)",
    r"supports? (?:a|the) diagnosis of",
    r"in order to (?:code|bill|capture)",
    r"(?:to )?(?:capture|maximi[sz]e) (?:the )?(?:diagnos\w*|severity|acuity|code)",
)
OTHER_OPTION = re.compile(r"\bother\b", re.IGNORECASE)
UNDETERMINED_OPTION = re.compile(
    r"clinically undetermined|unable to determine|cannot be determined|undetermined",
    re.IGNORECASE,
)
NOT_APPLICABLE = re.compile(r"\bnot (?:clinically )?applicable\b|\bnone of\b", re.IGNORECASE)
# Words that make a diagnosis weigh more; options made only of them only escalate.
ESCALATION = re.compile(
    r"\b(?:severe|acute|acute on chronic|decompensated|uncontrolled|with complications?|"
    r"shock|end[- ]stage|stage (?:3|4|iii|iv))\b",
    re.IGNORECASE,
)
MIN_CLINICAL_OPTIONS = 2


@dataclass(frozen=True)
class LintFinding:
    """One compliance problem: its check, severity, what is wrong and why it matters."""

    check: str
    severity: str  # error (the query cannot be issued) | warning
    message: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """The `coderdesk query lint --json` form."""
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "reason": self.reason,
        }


def _text(query: Query) -> str:
    return "\n".join([query.question, *query.options])


def _impact(query: Query) -> Iterator[LintFinding]:
    text = _text(query)
    for topic, pattern in IMPACT_TERMS.items():
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            yield LintFinding(
                "QUERY.IMPACT",
                "error",
                f"The query mentions {topic} (\u201c{match.group(0)}\u201d).",
                f"{GUIDANCE}: a query must not mention payment, grouping, risk scores, "
                "quality metrics, audits or denials; it asks only about the patient's care.",
            )


def _leading(query: Query) -> Iterator[LintFinding]:
    text = _text(query)
    for phrase in LEADING_PHRASES:
        match = re.search(phrase, text, re.IGNORECASE)
        if match:
            yield LintFinding(
                "QUERY.LEADING",
                "error",
                f"Leading wording: \u201c{match.group(0)}\u201d.",
                f"{GUIDANCE}: a query may not direct the provider to a diagnosis or ask "
                "them to document one; it presents indicators and asks an open question.",
            )


def _clinical_options(query: Query) -> list[str]:
    return [
        option
        for option in query.options
        if not (
            OTHER_OPTION.search(option)
            or UNDETERMINED_OPTION.search(option)
            or NOT_APPLICABLE.search(option)
        )
    ]


def _multiple_choice(query: Query) -> Iterator[LintFinding]:
    if query.query_format is not QueryFormat.MULTIPLE_CHOICE:
        return
    reason = (
        f"{GUIDANCE}: multiple choice offers every clinically reasonable option, plus "
        "'other' with room to write and 'clinically undetermined'."
    )
    clinical = _clinical_options(query)
    if len(query.options) == 1:
        yield LintFinding("QUERY.SINGLE_OPTION", "error", "Only one option is offered.", reason)
    if len(clinical) < MIN_CLINICAL_OPTIONS:
        yield LintFinding(
            "QUERY.OPTIONS",
            "error",
            f"{len(clinical)} clinical option(s); offer at least two reasonable ones.",
            reason,
        )
    if not any(OTHER_OPTION.search(o) for o in query.options):
        yield LintFinding("QUERY.NO_OTHER", "error", "No 'Other' (free text) option.", reason)
    if not any(UNDETERMINED_OPTION.search(o) for o in query.options):
        yield LintFinding(
            "QUERY.NO_UNDETERMINED", "error", "No 'Clinically undetermined' option.", reason
        )
    if len(clinical) >= MIN_CLINICAL_OPTIONS and all(ESCALATION.search(o) for o in clinical):
        yield LintFinding(
            "QUERY.ESCALATION",
            "error",
            "Every clinical option is a more severe or acute form.",
            f"{GUIDANCE}: options must include the reasonable alternatives, not only "
            "those that raise severity.",
        )


def _yes_no(query: Query) -> Iterator[LintFinding]:
    if query.query_format is not QueryFormat.YES_NO:
        return
    question = query.question.lower()
    known = [d for d in query.documented if d.lower() in question]
    if not known:
        yield LintFinding(
            "QUERY.YES_NO_NEW",
            "error",
            "A yes/no question about a condition that is not documented in the record.",
            f"{GUIDANCE}: yes/no queries may only confirm a diagnosis already documented "
            "(by this or another provider), present on admission, or a cause and effect; "
            "never introduce a new diagnosis. List the documented diagnoses in 'documented'.",
        )
    if query.options:
        yield LintFinding(
            "QUERY.FORMAT",
            "warning",
            "A yes/no query carries options.",
            "Yes/no answers are Yes, No, Other, Clinically undetermined; use multiple choice "
            "for anything else.",
        )


def _indicators(query: Query) -> Iterator[LintFinding]:
    reason = (
        f"{GUIDANCE}: a query presents the clinical indicators it stands on, each with "
        "where and when it was documented."
    )
    if not query.indicators:
        yield LintFinding("QUERY.NO_INDICATOR", "error", "No clinical indicator.", reason)
    for number, indicator in enumerate(query.indicators, start=1):
        missing = [
            name
            for name, value in (("text", indicator.text), ("source", indicator.source))
            if not value
        ]
        if indicator.date is None:
            missing.append("date")
        if missing:
            yield LintFinding(
                "QUERY.INDICATOR_SOURCE",
                "error",
                f"Indicator {number} lacks its {', '.join(missing)}.",
                reason,
            )


def _question(query: Query) -> Iterator[LintFinding]:
    if not query.question:
        yield LintFinding(
            "QUERY.NO_QUESTION", "error", "The query asks no question.", f"{GUIDANCE}."
        )
    if query.query_format is QueryFormat.OPEN_ENDED and query.options:
        yield LintFinding(
            "QUERY.FORMAT",
            "warning",
            "An open-ended query carries options.",
            "Open-ended queries leave the answer to the provider; use multiple choice to "
            "offer options.",
        )


CHECKS = (_question, _indicators, _impact, _leading, _multiple_choice, _yes_no)


def lint_query(query: Query) -> list[LintFinding]:
    """Every compliance problem of the query, errors first."""
    found = [finding for check in CHECKS for finding in check(query)]
    return sorted(found, key=lambda f: f.severity != "error")


def can_issue(findings: list[LintFinding]) -> bool:
    """Whether a query with these findings may be issued (no errors)."""
    return not any(f.severity == "error" for f in findings)
