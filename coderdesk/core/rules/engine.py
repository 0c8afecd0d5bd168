# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules engine: small rule objects with stable ids, run against the code sets in force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from coderdesk.core.errors import NotFound
from coderdesk.core.rules.icd_table import IcdTable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.claim import Claim
    from coderdesk.core.rules.findings import Finding


@dataclass(frozen=True)
class RuleContext:
    """What rules may consult: the claim and the ICD-10-CM version in force on its date."""

    claim: Claim
    icd: IcdTable


class Rule(Protocol):
    """A rule: a stable id and a check that yields findings."""

    rule_id: str

    def check(self, context: RuleContext) -> Iterable[Finding]:
        """Findings for this claim (none when it passes)."""
        ...


class RuleEngine:
    """Runs every rule; caches the ICD-10-CM table per version."""

    def __init__(self, library: CodeSetLibrary, rules: list[Rule] | None = None) -> None:
        from coderdesk.core.rules.catalogue import default_rules

        self.library = library
        self.rules = rules if rules is not None else default_rules()
        self._tables: dict[int, IcdTable] = {}

    def icd_for(self, claim: Claim) -> IcdTable:
        """The ICD-10-CM table in force on the claim's date of service."""
        version = self.library.version_for("icd10cm", claim.date_of_service)
        if version is None:
            raise NotFound("No ICD-10-CM code set is loaded.")
        if version.id not in self._tables:
            self._tables[version.id] = IcdTable.load(self.library, version)
        return self._tables[version.id]

    def validate(self, claim: Claim) -> list[Finding]:
        """Every finding of every rule, errors first."""
        context = RuleContext(claim, self.icd_for(claim))
        found = [finding for rule in self.rules for finding in rule.check(context)]
        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(found, key=lambda f: order[str(f.severity)])
