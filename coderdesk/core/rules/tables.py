# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's own rule tables in `codesets/` (TOML), loaded and checked once.

modifiers.toml (modifier catalogue, NCCI-associated modifiers, laterality, modifier
25), zcodes.toml (first-listed-only and secondary-only codes), place_of_service.toml
and citations.toml (the guideline text each rule cites). A malformed table raises
`RuleTableError` naming the file and the entry, so an edit to a table can never silently
switch a rule off.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coderdesk.core.paths import codesets_dir
from coderdesk.core.rules.code_ranges import CodeMatcher, RuleTableError

if TYPE_CHECKING:
    from pathlib import Path


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; unreadable or invalid files raise `RuleTableError`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleTableError(f"Cannot read {path.name}: {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleTableError(f"{path.name} is not valid TOML: {exc}.") from None


def section(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """A required table of a TOML document."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise RuleTableError(f"{where}: the [{key}] table is missing.")
    return value


def string_list(data: dict[str, Any], key: str, where: str) -> list[str]:
    """A list of strings (missing: empty)."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleTableError(f"{where}: '{key}' must be a list of text entries.")
    return [v.strip().upper() for v in value]


def string_map(data: dict[str, Any], where: str) -> dict[str, str]:
    """A table of code = "description"."""
    if not all(isinstance(v, str) for v in data.values()):
        raise RuleTableError(f'{where}: every entry must be code = "description".')
    return {k.strip().upper(): v for k, v in data.items()}


@dataclass(frozen=True)
class CodeGroup:
    """Codes matched by a list, minus the codes of its `except` list."""

    codes: CodeMatcher
    excluded: CodeMatcher

    def __contains__(self, code: object) -> bool:
        return code in self.codes and code not in self.excluded

    @classmethod
    def read(cls, data: dict[str, Any], where: str) -> CodeGroup:
        """From a table with `codes` and optional `except`."""
        return cls(
            CodeMatcher(string_list(data, "codes", where), where),
            CodeMatcher(string_list(data, "except", where), where),
        )


@dataclass(frozen=True)
class Laterality:
    """Sides named by modifiers and by diagnosis titles."""

    modifier_side: dict[str, str]
    words: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ModifierTables:
    """modifiers.toml."""

    cpt: dict[str, str]
    level2: dict[str, str]
    ncci_associated: frozenset[str]
    laterality: Laterality
    evaluation_management: CodeGroup
    procedures: CodeMatcher
    mod25_alternatives: frozenset[str]


@dataclass(frozen=True)
class RuleTables:
    """Every table the built-in rules read."""

    modifiers: ModifierTables
    first_listed_only: CodeGroup
    secondary_only: CodeGroup
    places_of_service: dict[str, str]
    informational_targets: CodeMatcher


def _laterality(data: dict[str, Any], where: str) -> Laterality:
    sides = {}
    words = {}
    for side in ("left", "right", "bilateral"):
        for modifier in string_list(data, side, where):
            sides[modifier] = side
        words[side] = tuple(w.lower() for w in string_list(data, f"{side}_words", where))
    return Laterality(sides, words)


def load_modifier_tables(path: Path) -> ModifierTables:
    """Read and check modifiers.toml."""
    data = read_toml(path)
    name = path.name
    mod25 = section(data, "mod25", name)
    return ModifierTables(
        cpt=string_map(section(data, "cpt", name), f"{name} [cpt]"),
        level2=string_map(section(data, "level2", name), f"{name} [level2]"),
        ncci_associated=frozenset(
            string_list(section(data, "ncci", name), "associated", f"{name} [ncci]")
        ),
        laterality=_laterality(section(data, "laterality", name), f"{name} [laterality]"),
        evaluation_management=CodeGroup(
            CodeMatcher(string_list(mod25, "evaluation_management", name), name),
            CodeMatcher(string_list(mod25, "never", name), name),
        ),
        procedures=CodeMatcher(string_list(mod25, "procedures", name), name),
        mod25_alternatives=frozenset(string_list(mod25, "alternatives", name)),
    )


def _places(path: Path) -> dict[str, str]:
    codes = section(read_toml(path), "codes", path.name)
    places = {}
    for code, entry in codes.items():
        if not (len(code) == 2 and code.isdigit()) or not isinstance(entry, dict):
            raise RuleTableError(f"{path.name}: '{code}' must be a two-digit code with a name.")
        places[code] = str(entry.get("name", ""))
    return places


@functools.cache
def guideline(key: str) -> str:
    """The citation text `key` of codesets/citations.toml (read once per process)."""
    path = codesets_dir() / "citations.toml"
    texts = section(read_toml(path), "citations", path.name)
    if not isinstance(texts.get(key), str):
        raise RuleTableError(f"{path.name}: the citation '{key}' is missing.")
    return str(texts[key])


@functools.cache
def rule_tables(folder: Path | None = None) -> RuleTables:
    """The tables in `folder` (default: the installed codesets), read once per process."""
    base = folder or codesets_dir()
    zcodes = read_toml(base / "zcodes.toml")
    return RuleTables(
        modifiers=load_modifier_tables(base / "modifiers.toml"),
        first_listed_only=CodeGroup.read(
            section(zcodes, "first_listed_only", "zcodes.toml"), "zcodes.toml [first_listed_only]"
        ),
        secondary_only=CodeGroup.read(
            section(zcodes, "secondary_only", "zcodes.toml"), "zcodes.toml [secondary_only]"
        ),
        places_of_service=_places(base / "place_of_service.toml"),
        informational_targets=CodeMatcher(
            string_list(
                section(zcodes, "use_additional", "zcodes.toml"),
                "informational",
                "zcodes.toml [use_additional]",
            ),
            "zcodes.toml [use_additional]",
        ),
    )
