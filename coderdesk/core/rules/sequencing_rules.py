# SPDX-License-Identifier: GPL-3.0-or-later
"""Sequencing rules from our Z-code tables: first-listed-only and secondary-only codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import guideline

if TYPE_CHECKING:
    from collections.abc import Iterator

    from coderdesk.core.rules.engine import RuleContext


class FirstListedRule:
    """ICD10CM.Z_FIRST_LISTED: a first-listed-only code reported after another code."""

    rule_id = "ICD10CM.Z_FIRST_LISTED"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """A warning per first-listed-only code in a secondary position."""
        group = context.tables.first_listed_only
        for position, code in enumerate(context.claim.diagnoses):
            if position > 0 and code in group:
                yield Finding(
                    self.rule_id,
                    Severity.WARNING,
                    f"{code} is reported only as the first-listed diagnosis (position "
                    f"{position + 1} here).",
                    guideline("first_listed"),
                    (code,),
                    fix=f"Move {code} to the first position, unless several encounters of "
                    "the same day are reported together.",
                )


class SecondaryOnlyRule:
    """ICD10CM.SECONDARY_ONLY: a status or supplementary code listed first."""

    rule_id = "ICD10CM.SECONDARY_ONLY"

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """A warning when the first-listed diagnosis may only be secondary."""
        diagnoses = context.claim.diagnoses
        if diagnoses and diagnoses[0] in context.tables.secondary_only:
            yield Finding(
                self.rule_id,
                Severity.WARNING,
                f"{diagnoses[0]} describes a status or circumstance and should not be "
                "listed first.",
                guideline("secondary_only"),
                (diagnoses[0],),
                fix="List first the condition or reason for the visit, then this code.",
            )
