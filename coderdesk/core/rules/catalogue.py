# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules CoderDesk runs by default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coderdesk.core.rules.claim_rules import ClaimRule
from coderdesk.core.rules.icd_rules import (
    ExcludesRule,
    ExternalCauseFirstRule,
    ManifestationRule,
    UseAdditionalRule,
    ValidCodeRule,
)

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
        ClaimRule(),
    ]
