# SPDX-License-Identifier: GPL-3.0-or-later
"""Claim files from a workspace encounter: the 837P and the CMS-1500 PDF.

Each file written is kept as a claims row (format, the claim JSON it came from, the
interchange control number) and audited; an 837P moves a ready encounter to exported.
Nothing is produced while the encounter's validation has an error without an override:
the caller passes the findings of validating the encounter's current claim. The 837P's
control numbers are stored in the workspace and also kept above the machine's own
counter (claim JSON exports), so that a receiver never sees a number twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.errors import UsageError
from coderdesk.core.exports.cms1500 import render_cms1500
from coderdesk.core.exports.control import next_control_numbers
from coderdesk.core.exports.x837 import Envelope, build_837p
from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.engine import blocking
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.services.claims import SETTINGS_ROW_ID, ClaimService
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import (
    Claim,
    Encounter,
    EncounterStatus,
    PracticeSettings,
    WorkspaceMeta,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence
    from pathlib import Path

    from sqlalchemy.orm import Session

    from coderdesk.core.rules.claim import Claim as ClaimData
    from coderdesk.core.rules.findings import Finding

INTERCHANGE_KEY = "x12_last_interchange"


@dataclass(frozen=True)
class ClaimFile:
    """A claim file produced from an encounter and the claims row that records it."""

    claim_id: int
    content: bytes
    interchange: int | None = None


class ClaimBlocked(UsageError):
    """The encounter's claim still has errors without an override (`stopping`)."""

    def __init__(self, stopping: Sequence[Finding]) -> None:
        named = "; ".join(f"{f.rule}: {f.message}" for f in stopping)
        super().__init__(
            f"Not written: resolve or override {len(stopping)} error(s) first: {named}"
        )
        self.stopping = tuple(stopping)


def refuse_if_blocked(findings: Sequence[Finding]) -> None:
    """Raise `ClaimBlocked` naming every error that stands without an override."""
    stopping = blocking(findings)
    if stopping:
        raise ClaimBlocked(stopping)


class ClaimFileService(WorkspaceService):
    """Writes an encounter's claim as an 837P or a CMS-1500 PDF (recorded, audited)."""

    def write_837p(
        self,
        encounter_id: int,
        findings: Sequence[Finding],
        *,
        created: dt.datetime | None = None,
        control_folder: Path | None = None,
    ) -> ClaimFile:
        """The 837P of the encounter with the workspace's next interchange number."""
        refuse_if_blocked(findings)
        data = ClaimService(self.workspace).to_claim(encounter_id, audited=False)
        claim = parse_claim(data)
        with self.workspace.session() as session:
            settings = session.get(PracticeSettings, SETTINGS_ROW_ID)
            number = _next_interchange(session, control_folder)
            text = build_837p(claim, _envelope(claim, settings, number, created))
            row = Claim(
                encounter_id=encounter_id,
                claim_format="837p",
                payload=data,
                interchange_control_number=number,
            )
            session.add(row)
            encounter = get_or_raise(session, Encounter, encounter_id, "Encounter")
            if encounter.status is EncounterStatus.READY:
                encounter.status = EncounterStatus.EXPORTED
                self._audit(session, AuditAction.UPDATE, "encounter", encounter_id)
            session.flush()
            self._audit(session, AuditAction.EXPORT, "claim_837p", encounter_id)
            return ClaimFile(row.id, text.encode("ascii"), number)

    def write_cms1500(
        self,
        encounter_id: int,
        findings: Sequence[Finding],
        *,
        mode: str = "form",
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> ClaimFile:
        """The CMS-1500 PDF of the encounter (form mode for payers that take PDFs)."""
        refuse_if_blocked(findings)
        data = ClaimService(self.workspace).to_claim(encounter_id, audited=False)
        pdf = render_cms1500(parse_claim(data), mode=mode, offset=offset)
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            row = Claim(encounter_id=encounter_id, claim_format="cms1500", payload=data)
            session.add(row)
            session.flush()
            self._audit(session, AuditAction.EXPORT, "claim_cms1500", encounter_id)
            return ClaimFile(row.id, pdf)

    def last_interchange(self) -> int:
        """The last interchange control number this workspace used (0 before any)."""
        with self.workspace.session() as session:
            meta = session.get(WorkspaceMeta, INTERCHANGE_KEY)
            return int(meta.value) if meta is not None else 0


def _next_interchange(session: Session, control_folder: Path | None) -> int:
    meta = session.get(WorkspaceMeta, INTERCHANGE_KEY)
    last = int(meta.value) if meta is not None else 0
    number, _group = next_control_numbers(control_folder, after=last)
    if meta is None:
        session.add(WorkspaceMeta(key=INTERCHANGE_KEY, value=str(number)))
    else:
        meta.value = str(number)
    return number


def _envelope(
    claim: ClaimData, settings: PracticeSettings | None, number: int, created: dt.datetime | None
) -> Envelope:
    """Submitter and receiver from the practice settings, the payer as the fallback."""
    practice_name = settings.practice_name if settings else ""
    submitter = (settings.submitter_id or settings.tax_id) if settings else ""
    receiver = settings.receiver_id if settings else ""
    return Envelope(
        submitter_id=submitter or str(claim.billing_provider.get("tax_id") or "SUBMITTER"),
        submitter_name=practice_name or str(claim.billing_provider.get("name") or ""),
        receiver_id=receiver or str(claim.payer.get("id") or "RECEIVER"),
        receiver_name=str(claim.payer.get("name") or ""),
        interchange_number=number,
        group_number=number,
        contact_phone=settings.phone if settings else "",
        created=created,
    )
