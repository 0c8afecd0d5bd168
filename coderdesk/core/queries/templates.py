# SPDX-License-Identifier: GPL-3.0-or-later
"""Query templates (resources/queries/templates.toml), filled from the encounter."""

from __future__ import annotations

import functools
import string
import tomllib
from dataclasses import dataclass
from typing import Any

from coderdesk.core.errors import UsageError
from coderdesk.core.paths import resources_dir


@dataclass(frozen=True)
class Template:
    """A query skeleton in our words: trigger, format, question and options with fields."""

    name: str
    title: str
    trigger: str
    query_format: str
    question: str
    options: tuple[str, ...]

    def fields(self) -> list[str]:
        """The {field} names the template needs."""
        names = {
            name
            for text in (self.question, *self.options)
            for _literal, name, _spec, _conversion in string.Formatter().parse(text)
            if name
        }
        return sorted(names)

    def fill(self, values: dict[str, str], indicators: list[dict[str, Any]]) -> dict[str, Any]:
        """A query (interchange form) with every field filled; missing fields are named."""
        missing = [name for name in self.fields() if not str(values.get(name, "")).strip()]
        if missing:
            raise UsageError(f"The {self.title} template needs: {', '.join(missing)}.")
        return {
            "trigger": self.trigger,
            "format": self.query_format,
            "question": self.question.format(**values),
            "options": [option.format(**values) for option in self.options],
            "indicators": indicators,
        }


@functools.cache
def templates() -> dict[str, Template]:
    """Every template, by name."""
    raw = tomllib.loads((resources_dir() / "queries" / "templates.toml").read_text("utf-8"))
    return {
        name: Template(
            name,
            entry["title"],
            entry["trigger"],
            entry["format"],
            entry["question"],
            tuple(entry.get("options", [])),
        )
        for name, entry in raw["template"].items()
    }
