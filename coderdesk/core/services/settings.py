# SPDX-License-Identifier: GPL-3.0-or-later
"""Practice settings kept in the workspace: identity, providers, payers, defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from sqlalchemy import select

from coderdesk.core.errors import UsageError
from coderdesk.core.services.base import WorkspaceService
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import Payer, PracticeSettings, Provider

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SETTINGS_ROW_ID = 1
MIN_AUTO_LOCK_MINUTES = 1
MAX_AUTO_LOCK_MINUTES = 60


@dataclass(frozen=True)
class PracticeSettingsView:
    """The practice's settings as a frozen snapshot."""

    practice_name: str
    tax_id: str
    address_line: str
    city: str
    state: str
    postal_code: str
    phone: str
    billing_provider_id: int | None
    default_place_of_service: str
    auto_lock_minutes: int
    submitter_id: str
    receiver_id: str


@dataclass(frozen=True)
class ProviderInput:
    """A clinician or organisation of the practice."""

    name: str
    npi: str
    taxonomy: str = ""
    credentials: str = ""
    is_organization: bool = False


@dataclass(frozen=True)
class PayerInput:
    """An insurer."""

    name: str
    payer_id: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


def _view(row: PracticeSettings) -> PracticeSettingsView:
    return PracticeSettingsView(
        **{f.name: getattr(row, f.name) for f in fields(PracticeSettingsView)}
    )


class SettingsService(WorkspaceService):
    """Reads and updates the practice settings, providers and payers."""

    def get(self) -> PracticeSettingsView:
        """The current practice settings."""
        with self.workspace.session() as session:
            return _view(self._row(session))

    @staticmethod
    def _row(session: Session) -> PracticeSettings:
        row = session.get(PracticeSettings, SETTINGS_ROW_ID)
        if row is None:
            row = PracticeSettings(id=SETTINGS_ROW_ID)
            session.add(row)
        return row

    def update(self, settings: PracticeSettingsView) -> None:
        """Replace the practice settings (audited)."""
        if not MIN_AUTO_LOCK_MINUTES <= settings.auto_lock_minutes <= MAX_AUTO_LOCK_MINUTES:
            raise UsageError("Auto-lock must be between 1 and 60 minutes.")
        with self.workspace.session() as session:
            row = self._row(session)
            for item in fields(PracticeSettingsView):
                setattr(row, item.name, getattr(settings, item.name))
            self._audit(session, AuditAction.UPDATE, "practice_settings", SETTINGS_ROW_ID)

    def add_provider(self, data: ProviderInput) -> int:
        """Register a provider; return its id."""
        with self.workspace.session() as session:
            provider = Provider(**vars(data))
            session.add(provider)
            session.flush()
            self._audit(session, AuditAction.CREATE, "provider", provider.id)
            return provider.id

    def add_payer(self, data: PayerInput) -> int:
        """Register a payer; return its id."""
        with self.workspace.session() as session:
            payer = Payer(**vars(data))
            session.add(payer)
            session.flush()
            self._audit(session, AuditAction.CREATE, "payer", payer.id)
            return payer.id

    def payers(self) -> list[tuple[int, str]]:
        """Every payer as (id, name), by name."""
        with self.workspace.session() as session:
            return [(p.id, p.name) for p in session.scalars(select(Payer).order_by(Payer.name))]
