# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules CoderDesk runs by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coderdesk.core.rules.claim_rules import ClaimRule
from coderdesk.core.rules.demographic_rules import AgeRule, SexRule
from coderdesk.core.rules.icd_rules import (
    ExcludesRule,
    ExternalCauseFirstRule,
    ManifestationRule,
    UseAdditionalRule,
    ValidCodeRule,
)
from coderdesk.core.rules.modifier_rules import LateralityRule, Modifier25Rule, ModifierRule
from coderdesk.core.rules.procedure_rules import MueRule, NcciPtpRule, ProcedureCodeRule
from coderdesk.core.rules.sequencing_rules import FirstListedRule, SecondaryOnlyRule

if TYPE_CHECKING:
    from coderdesk.core.rules.engine import Rule


def default_rules() -> list[Rule]:
    """Every built-in rule, in the order their findings are most useful."""
    return [
        ValidCodeRule(),
        ExcludesRule("excludes1"),
        ExcludesRule("excludes2"),
        ExternalCauseFirstRule(),
        ManifestationRule(),
        UseAdditionalRule(),
        AgeRule(),
        SexRule(),
        FirstListedRule(),
        SecondaryOnlyRule(),
        ProcedureCodeRule(),
        NcciPtpRule(),
        MueRule(),
        ModifierRule(),
        LateralityRule(),
        Modifier25Rule(),
        ClaimRule(),
    ]
