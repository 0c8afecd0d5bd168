# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules engine: small rule objects with stable ids, run against the code sets in force.

After the rules run, the user's rules file may change a finding's severity for the
claim's payer (or switch a rule off), and the claim's overrides mark the errors a coder
let stand with a reason; those no longer block export but stay visible.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from coderdesk.core.errors import NotFound
from coderdesk.core.rules.custom import CustomRules
from coderdesk.core.rules.icd_table import IcdTable
from coderdesk.core.rules.reference import ReferenceData
from coderdesk.core.rules.tables import RuleTables, rule_tables

if TYPE_CHECKING:
    from collections.abc import Iterable

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.rules.claim import Claim
    from coderdesk.core.rules.findings import Finding

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class RuleContext:
    """What rules may consult: the claim, ICD-10-CM in force, imported data, our tables."""

    claim: Claim
    icd: IcdTable
    reference: ReferenceData
    tables: RuleTables


class Rule(Protocol):
    """A rule: a stable id and a check that yields findings."""

    @property
    def rule_id(self) -> str:
        """The stable id findings are reported under (rules may report sub-ids)."""
        ...

    def check(self, context: RuleContext) -> Iterable[Finding]:
        """Findings for this claim (none when it passes)."""
        ...


class RuleEngine:
    """Runs every rule; caches the ICD-10-CM table per version."""

    def __init__(
        self,
        library: CodeSetLibrary,
        rules: list[Rule] | None = None,
        custom: CustomRules | None = None,
        tables: RuleTables | None = None,
    ) -> None:
        from coderdesk.core.rules.catalogue import default_rules

        self.library = library
        self.custom = custom or CustomRules()
        # A copy: the caller's list is not ours to extend with the custom rules.
        base = list(rules) if rules is not None else default_rules()
        self.rules: list[Rule] = [*base, *self.custom.rules]
        self.tables = tables or rule_tables()
        self.reference = ReferenceData(library)
        self._tables: dict[int, IcdTable] = {}

    def refresh(self) -> None:
        """Forget resolved versions (after an import) so the next claim sees the new data."""
        self.reference = ReferenceData(self.library)

    def icd_for(self, claim: Claim) -> IcdTable:
        """The ICD-10-CM table in force on the claim's date of service."""
        version = self.reference.version("icd10cm", claim.date_of_service)
        if version is None:
            raise NotFound("No ICD-10-CM code set is loaded.")
        if version.id not in self._tables:
            self._tables[version.id] = IcdTable.load(self.library, version)
            # The table is a few hundred thousand long-lived objects: keep the cyclic
            # garbage collector from walking them again on every full collection.
            gc.freeze()
        return self._tables[version.id]

    def validate(self, claim: Claim) -> list[Finding]:
        """Every finding of every rule, errors first, with payer severities and overrides."""
        context = RuleContext(claim, self.icd_for(claim), self.reference, self.tables)
        found = []
        for rule in self.rules:
            for finding in rule.check(context):
                adjusted = self._adjusted(finding, claim)
                if adjusted is not None:
                    found.append(adjusted)
        return sorted(found, key=lambda f: SEVERITY_ORDER[str(f.severity)])

    def _adjusted(self, finding: Finding, claim: Claim) -> Finding | None:
        changed, severity = self.custom.severity_for(finding.rule, claim)
        if changed:
            if severity is None:
                return None
            finding = dataclasses.replace(finding, severity=severity)
        for override in claim.overrides:
            if override.covers(finding.rule, finding.codes, finding.lines):
                return dataclasses.replace(finding, overridden=override.reason)
        return finding


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The errors that stop an export: those without an override."""
    return [f for f in findings if f.blocking]
