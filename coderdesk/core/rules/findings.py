# SPDX-License-Identifier: GPL-3.0-or-later
"""What a rule reports: one finding with its severity, citation, the codes and lines involved."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class Severity(enum.StrEnum):
    """How a finding weighs: an error blocks export unless overridden with a reason."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one part of a claim."""

    rule: str
    severity: Severity
    message: str
    citation: str
    codes: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()
    fix: str = ""
    overridden: str = ""  # the coder's reason, when an override answers this finding

    @property
    def blocking(self) -> bool:
        """An error nobody has overridden: the claim cannot be exported."""
        return self.severity is Severity.ERROR and not self.overridden

    def as_json(self) -> dict[str, Any]:
        """The `coderdesk validate --json` form."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["codes"] = list(self.codes)
        data["lines"] = list(self.lines)
        data["overridden"] = self.overridden or None
        return data
