# SPDX-License-Identifier: GPL-3.0-or-later
"""A provider query as the composer, the linter and the letter see it, and its JSON form.

    {"trigger": "imprecise", "format": "multiple_choice",
     "question": "Based on your clinical judgment, can the type of anemia be further specified?",
     "options": ["Acute blood loss anemia", "Anemia of chronic disease", "Other (please specify)",
                 "Clinically undetermined"],
     "indicators": [{"text": "Hgb 7.1 g/dL", "source": "Lab report", "date": "2026-03-12"}],
     "documented": ["anemia"], "provider": {"name": "…"}, "encounter": {"date_of_service": "…"}}

Shape problems are collected and raised together (`QueryFormatError`); whether the query
is compliant is the linter's business, not the parser's.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from coderdesk.core.errors import CoderDeskError


class QueryFormatError(CoderDeskError):
    """The query file is not in the query format; the message lists each problem."""


class Trigger(enum.StrEnum):
    """Why the coder asks."""

    CONFLICTING = "conflicting"
    INCOMPLETE = "incomplete"
    AMBIGUOUS = "ambiguous"
    IMPRECISE = "imprecise"
    ILLEGIBLE = "illegible"
    CLINICALLY_UNSUPPORTED = "clinically_unsupported"


class QueryFormat(enum.StrEnum):
    """How the provider answers."""

    OPEN_ENDED = "open_ended"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Indicator:
    """A clinical indicator: a quote or value with where and when it was recorded."""

    text: str
    source: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class Query:
    """One query to one provider about one encounter."""

    trigger: Trigger
    query_format: QueryFormat
    question: str
    options: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    documented: tuple[str, ...] = ()  # diagnoses already documented in the record
    extra: dict[str, Any] = field(default_factory=dict)


def _choice(value: Any, kind: type[enum.StrEnum], name: str, problems: list[str]) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        problems.append(f"'{name}' must be one of {allowed}")
        return next(iter(kind))


def _strings(value: Any, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"'{name}' must be a list of text")
        return ()
    return tuple(v.strip() for v in value if v.strip())


def _indicator(raw: Any, number: int, problems: list[str]) -> Indicator | None:
    where = f"indicator {number}"
    if isinstance(raw, str):
        return Indicator(raw.strip())
    if not isinstance(raw, dict) or not isinstance(raw.get("text", ""), str):
        problems.append(f"{where} must be text or an object with 'text', 'source', 'date'")
        return None
    day = None
    if raw.get("date"):
        try:
            day = dt.date.fromisoformat(str(raw["date"]))
        except ValueError:
            problems.append(f"{where}: 'date' is not a date (YYYY-MM-DD)")
    return Indicator(
        str(raw.get("text", "")).strip(), str(raw.get("source", "") or "").strip(), day
    )


def parse_query(data: Any) -> Query:
    """Check the shape of a decoded query; raise listing every problem."""
    if not isinstance(data, dict):
        raise QueryFormatError("A query must be a JSON object.")
    problems: list[str] = []
    question = data.get("question", "")
    if not isinstance(question, str):
        problems.append("'question' must be text")
        question = ""
    raw_indicators = data.get("indicators", [])
    if not isinstance(raw_indicators, list):
        problems.append("'indicators' must be a list")
        raw_indicators = []
    indicators = [_indicator(raw, n, problems) for n, raw in enumerate(raw_indicators, 1)]
    query = Query(
        trigger=_choice(data.get("trigger"), Trigger, "trigger", problems),
        query_format=_choice(data.get("format"), QueryFormat, "format", problems),
        question=question.strip(),
        options=_strings(data.get("options"), "options", problems),
        indicators=tuple(i for i in indicators if i is not None),
        documented=_strings(data.get("documented"), "documented", problems),
        extra=_extra(data),
    )
    if problems:
        raise QueryFormatError(
            "The query is not in the expected format: " + "; ".join(problems) + "."
        )
    return query


def _extra(data: dict[str, Any]) -> dict[str, Any]:
    """What a letter prints besides the query itself (identifiers, due date, reminder)."""
    extra: dict[str, Any] = {
        k: v
        for k, v in data.items()
        if k in ("provider", "encounter", "patient", "practice", "reminder") and isinstance(v, dict)
    }
    if isinstance(data.get("due_date"), str):
        extra["due_date"] = data["due_date"]
    return extra
