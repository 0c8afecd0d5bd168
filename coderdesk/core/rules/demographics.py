# SPDX-License-Identifier: GPL-3.0-or-later
"""The demographic edit table (codesets/demographics.toml): which diagnoses fit which patients.

Owns reading and checking the table, the look-up `groups_for(code)` and the patient's
age on the date of service. Each group is either an age group (newborn, pediatric,
maternity, adult, each with its age bounds in years) or a sex group (codes for one sex
only). Entries are codes, code starts or ranges as `code_ranges` reads them; a group's
`except` list carves codes out of its ranges. The rules that use the table live in
`demographic_rules`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coderdesk.core.paths import codesets_dir
from coderdesk.core.rules.code_ranges import RuleTableError
from coderdesk.core.rules.tables import CodeGroup, read_toml

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

TABLE_NAME = "demographics.toml"
AGE = "age"
SEX = "sex"
SEXES = ("F", "M")
_AGE_KEYS = frozenset({"label", "min_age", "max_age", "codes", "except"})
_SEX_KEYS = frozenset({"label", "sex", "codes", "except"})
# MCE's adult bound; no age above it is plausible, so a larger bound is a typing error.
_OLDEST = 124


@dataclass(frozen=True)
class DemographicGroup:
    """One group of the table: its codes and the ages or the sex they fit."""

    name: str
    kind: str  # AGE or SEX
    label: str
    codes: CodeGroup
    min_age: int = 0
    max_age: int = _OLDEST
    sex: str = ""  # for a sex group: the only sex its codes fit ("F" or "M")

    def covers(self, code: str) -> bool:
        """Whether the code (with or without dot) belongs to the group."""
        return code in self.codes

    def fits_age(self, age: int) -> bool:
        """Whether a patient of `age` whole years is within the group's bounds."""
        return self.min_age <= age <= self.max_age

    def conflicts_with_sex(self, sex: str) -> bool:
        """Whether a patient recorded with `sex` is the other sex (unknown never conflicts)."""
        return self.kind == SEX and sex in SEXES and sex != self.sex

    @property
    def bounds(self) -> str:
        """The ages or sex the group fits, for messages: "ages 12-55", "age 0", "female"."""
        if self.kind == SEX:
            return "female" if self.sex == "F" else "male"
        if self.min_age == self.max_age:
            return f"age {self.min_age}"
        return f"ages {self.min_age}-{self.max_age}"


@dataclass(frozen=True)
class DemographicTable:
    """Every group of the table, in the order the file lists them."""

    groups: tuple[DemographicGroup, ...]
    _by_category: dict[str, tuple[DemographicGroup, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def groups_for(self, code: str) -> tuple[DemographicGroup, ...]:
        """The groups a code belongs to (none for most codes).

        Only the groups that list something in the code's 3-character category are asked:
        for most categories there are none, so most codes cost one dictionary look-up.
        """
        category = code.replace(".", "").strip().upper()[:3]
        candidates = self._by_category.get(category)
        if candidates is None:
            candidates = self._by_category[category] = tuple(
                g for g in self.groups if g.codes.codes.may_cover_under(category)
            )
        return tuple(group for group in candidates if group.covers(code))

    def group(self, name: str) -> DemographicGroup:
        """The group called `name` (KeyError when the table has none)."""
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)


def _age_bound(entry: dict[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    # bool is an int in Python; `min_age = true` is a typing slip, not an age.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _OLDEST:
        raise RuleTableError(f"{where}: '{key}' must be a whole number of years, 0-{_OLDEST}.")
    return value


def _read_group(kind: str, name: str, entry: Any, source: str) -> DemographicGroup:
    where = f"{source} [{kind}.{name}]"
    if not isinstance(entry, dict):
        raise RuleTableError(f"{where}: must be a table with 'label' and 'codes'.")
    unknown = sorted(set(entry) - (_AGE_KEYS if kind == AGE else _SEX_KEYS))
    if unknown:
        raise RuleTableError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise RuleTableError(f"{where}: 'label' (the group's name in messages) is missing.")
    if not entry.get("codes"):
        raise RuleTableError(f"{where}: 'codes' must list at least one code or range.")
    codes = CodeGroup.read(entry, where)
    if kind == SEX:
        sex = entry.get("sex")
        if sex not in SEXES:
            raise RuleTableError(f'{where}: \'sex\' must be "F" or "M".')
        return DemographicGroup(name, kind, label.strip(), codes, sex=sex)
    low, high = _age_bound(entry, "min_age", where), _age_bound(entry, "max_age", where)
    if low > high:
        raise RuleTableError(f"{where}: 'min_age' ({low}) is above 'max_age' ({high}).")
    return DemographicGroup(name, kind, label.strip(), codes, min_age=low, max_age=high)


def parse_demographics(data: dict[str, Any], source: str = TABLE_NAME) -> DemographicTable:
    """Check a decoded table; raise `RuleTableError` naming the first bad entry."""
    unknown = sorted(set(data) - {AGE, SEX})
    if unknown:
        raise RuleTableError(
            f"{source}: unknown table(s) {', '.join(unknown)} (use [age.*], [sex.*])."
        )
    groups: list[DemographicGroup] = []
    for kind in (AGE, SEX):
        section = data.get(kind, {})
        if not isinstance(section, dict):
            raise RuleTableError(f"{source}: '{kind}' must hold [{kind}.NAME] tables.")
        groups.extend(_read_group(kind, name, entry, source) for name, entry in section.items())
    if not groups:
        raise RuleTableError(f"{source}: no [age.*] or [sex.*] group is defined.")
    return DemographicTable(tuple(groups))


def load_demographics(path: Path) -> DemographicTable:
    """Read and check a demographics table file."""
    return parse_demographics(read_toml(path), path.name)


@functools.cache
def demographic_table() -> DemographicTable:
    """The project's table, codesets/demographics.toml, read once per process."""
    return load_demographics(codesets_dir() / TABLE_NAME)


@functools.lru_cache(maxsize=100_000)
def groups_for(code: str) -> tuple[DemographicGroup, ...]:
    """The demographic groups of the project's table a code belongs to (remembered)."""
    return demographic_table().groups_for(code)


def age_on(dob: dt.date, day: dt.date) -> int:
    """Age in whole years on `day`: one more year on each birthday.

    Someone born on 29 February has, in a common year, no birthday on that date; they
    turn a year older on 1 March (the day after 28 February), which the comparison of
    (month, day) pairs gives without a special case.
    """
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
