# SPDX-License-Identifier: GPL-3.0-or-later
"""Practice settings kept in the workspace: identity, providers, payers, defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from coderdesk.core.errors import UsageError
from coderdesk.core.rules.claim import DEFAULT_PROGRAM, PROGRAMS
from coderdesk.core.rules.claim_rules import npi_is_valid
from coderdesk.core.rules.tables import rule_tables
from coderdesk.core.services.base import WorkspaceService
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import Payer, PracticeSettings, Provider

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SETTINGS_ROW_ID = 1
TAX_ID_DIGITS = 9
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
    program: str = DEFAULT_PROGRAM


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
        """Replace the practice settings (audited); each field is checked first."""
        if not MIN_AUTO_LOCK_MINUTES <= settings.auto_lock_minutes <= MAX_AUTO_LOCK_MINUTES:
            raise UsageError("Auto-lock must be between 1 and 60 minutes.")
        tax_id = settings.tax_id.replace("-", "")
        if tax_id and (len(tax_id) != TAX_ID_DIGITS or not tax_id.isdigit()):
            raise UsageError("The tax ID (EIN) has 9 digits.")
        if settings.default_place_of_service not in rule_tables().places_of_service:
            raise UsageError(
                f"'{settings.default_place_of_service}' is not a place-of-service code."
            )
        settings = replace(settings, tax_id=tax_id)
        with self.workspace.session() as session:
            row = self._row(session)
            for item in fields(PracticeSettingsView):
                setattr(row, item.name, getattr(settings, item.name))
            self._audit(session, AuditAction.UPDATE, "practice_settings", SETTINGS_ROW_ID)

    def add_provider(self, data: ProviderInput) -> int:
        """Register a provider (NPI checked: 10 digits, Luhn with 80840); return its id."""
        if not data.name.strip():
            raise UsageError("A provider needs a name.")
        if not npi_is_valid(data.npi.strip()):
            raise UsageError(f"{data.npi} is not a valid NPI (10 digits with a check digit).")
        with self.workspace.session() as session:
            provider = Provider(**vars(data))
            session.add(provider)
            session.flush()
            self._audit(session, AuditAction.CREATE, "provider", provider.id)
            return provider.id

    def providers(self) -> list[tuple[int, str, str]]:
        """Every provider as (id, name, NPI), by name."""
        with self.workspace.session() as session:
            rows = session.scalars(select(Provider).order_by(Provider.name))
            return [(p.id, p.name, p.npi) for p in rows]

    def add_payer(self, data: PayerInput) -> int:
        """Register a payer; return its id."""
        if not data.name.strip():
            raise UsageError("A payer needs a name.")
        if data.program not in PROGRAMS:
            raise UsageError(f"The payer's programme must be one of {', '.join(PROGRAMS)}.")
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
