# SPDX-License-Identifier: GPL-3.0-or-later
"""Encounters to and from the claim interchange format (docs/claim-format.md); overrides.

`to_claim` assembles the JSON the validator and the exporters read from an encounter,
its patient, payer, providers, the practice settings, the code sheet and the coder's
overrides. `from_claim` does the reverse in one audited transaction: the claim is
checked with `parse_claim` first, so a malformed file changes nothing. Patients are
matched on account number, payers on payer ID (else name), providers on NPI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from coderdesk.core.errors import UsageError
from coderdesk.core.rules.claim import DEFAULT_PROGRAM, Claim, parse_claim
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import (
    Diagnosis,
    Encounter,
    Override,
    Patient,
    Payer,
    PracticeSettings,
    Provider,
    ServiceLine,
    Sex,
)

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session

SETTINGS_ROW_ID = 1
DEFAULT_ENCOUNTER_TYPE = "Imported claim"


def override_fingerprint(rule: str, codes: list[str], lines: list[int]) -> str:
    """The identity of an override: its rule, codes (without dots) and lines, in order."""
    canonical = json.dumps(
        [rule.upper(), sorted(c.replace(".", "").upper() for c in codes), sorted(lines)]
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OverrideView:
    """An override as the findings panel and the claim show it."""

    id: int
    rule: str
    codes: tuple[str, ...]
    lines: tuple[int, ...]
    reason: str
    actor: str
    created_at: dt.datetime


def _cents(amount: float) -> int:
    return round(amount * 100)


def _split_name(name: str) -> tuple[str, str]:
    last, _, first = name.partition(",")
    return last.strip() or "UNKNOWN", first.strip()


class ClaimService(WorkspaceService):
    """Builds claim JSON from encounters, imports claims, records overrides (audited)."""

    # -- encounter -> claim ---------------------------------------------------------

    def to_claim(self, encounter_id: int, *, audited: bool = True) -> dict[str, Any]:
        """The encounter in the claim interchange format (an audited export).

        `audited=False` is for the workstation's live validation of the encounter it has
        open (the opening was audited); anything written out must stay audited.
        """
        with self.workspace.session() as session:
            encounter = get_or_raise(session, Encounter, encounter_id, "Encounter")
            patient = get_or_raise(session, Patient, encounter.patient_id, "Patient")
            settings = session.get(PracticeSettings, SETTINGS_ROW_ID)
            data = {
                "date_of_service": encounter.date_of_service.isoformat(),
                "encounter": {
                    "type": encounter.encounter_type,
                    "specialty": encounter.specialty,
                    "status": str(encounter.status),
                },
                "patient": _patient_json(patient),
                "subscriber": {
                    "id": encounter.subscriber_id,
                    "name": f"{patient.last_name}, {patient.first_name}",
                },
                "payer": _payer_json(session, encounter.payer_id),
                "billing_provider": _billing_json(session, settings),
                "rendering_provider": _provider_json(session, encounter.rendering_provider_id),
                "diagnoses": [d.code for d in _diagnoses(session, encounter_id)],
                "lines": [_line_json(line) for line in _lines(session, encounter_id)],
                "overrides": [_override_json(o) for o in _override_rows(session, encounter_id)],
            }
            if audited:
                self._audit(session, AuditAction.EXPORT, "claim_json", encounter_id)
            return data

    def record_output(self, encounter_id: int, action: AuditAction, what: str) -> None:
        """Write an export or a print of the encounter's claim or summary to the audit."""
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            self._audit(session, action, what, encounter_id)

    # -- claim -> encounter ---------------------------------------------------------

    def from_claim(self, data: Any) -> int:
        """Create an encounter (and patient, payer, providers when new) from claim JSON."""
        claim = parse_claim(data)
        about = data.get("encounter") if isinstance(data.get("encounter"), dict) else {}
        if claim.patient_dob is None:
            raise UsageError("The claim has no patient date of birth; it cannot be imported.")
        with self.workspace.session() as session:
            patient_id = _find_or_add_patient(session, claim, claim.patient_dob)
            encounter = Encounter(
                patient_id=patient_id,
                date_of_service=claim.date_of_service,
                encounter_type=str(about.get("type") or DEFAULT_ENCOUNTER_TYPE),
                specialty=str(about.get("specialty") or ""),
                payer_id=_find_or_add_payer(session, claim.payer),
                subscriber_id=str(claim.subscriber.get("id", "") or ""),
                rendering_provider_id=_find_or_add_provider(session, claim.rendering_provider),
                place_of_service=claim.lines[0].pos if claim.lines else "11",
            )
            session.add(encounter)
            session.flush()
            _fill_billing(session, claim)
            _add_code_sheet(session, encounter.id, claim)
            for override in claim.overrides:
                session.add(
                    _override_row(
                        encounter.id,
                        (override.rule, list(override.codes), list(override.lines)),
                        override.reason,
                        self.workspace.actor,
                    )
                )
            self._audit(session, AuditAction.CREATE, "encounter", encounter.id)
            return encounter.id

    # -- overrides ------------------------------------------------------------------

    def add_override(
        self, encounter_id: int, rule: str, codes: list[str], lines: list[int], reason: str
    ) -> int:
        """Let an error stand with a reason; replaces an earlier override of the same finding."""
        if not reason.strip():
            raise UsageError("An override needs a reason.")
        fingerprint = override_fingerprint(rule, codes, lines)
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            existing = session.scalars(
                select(Override).where(
                    Override.encounter_id == encounter_id, Override.fingerprint == fingerprint
                )
            ).first()
            if existing is not None:
                existing.reason = reason.strip()
                existing.actor = self.workspace.actor
                session.flush()
                self._audit(session, AuditAction.UPDATE, "override", existing.id)
                return existing.id
            row = _override_row(encounter_id, (rule, codes, lines), reason, self.workspace.actor)
            session.add(row)
            session.flush()
            self._audit(session, AuditAction.CREATE, "override", row.id)
            return row.id

    def remove_override(self, override_id: int) -> None:
        """Withdraw an override: the error blocks export again."""
        with self.workspace.session() as session:
            row = get_or_raise(session, Override, override_id, "Override")
            session.delete(row)
            self._audit(session, AuditAction.DELETE, "override", override_id)

    def overrides(self, encounter_id: int) -> list[OverrideView]:
        """The encounter's overrides, oldest first."""
        with self.workspace.session() as session:
            return [
                OverrideView(
                    o.id,
                    o.rule_id,
                    tuple(o.codes),
                    tuple(o.lines),
                    o.reason,
                    o.actor,
                    o.created_at,
                )
                for o in _override_rows(session, encounter_id)
            ]


# -- reading rows ---------------------------------------------------------------------


def _diagnoses(session: Session, encounter_id: int) -> list[Diagnosis]:
    return list(
        session.scalars(
            select(Diagnosis)
            .where(Diagnosis.encounter_id == encounter_id)
            .order_by(Diagnosis.position)
        )
    )


def _lines(session: Session, encounter_id: int) -> list[ServiceLine]:
    return list(
        session.scalars(
            select(ServiceLine)
            .where(ServiceLine.encounter_id == encounter_id)
            .order_by(ServiceLine.position)
        )
    )


def _override_rows(session: Session, encounter_id: int) -> list[Override]:
    return list(
        session.scalars(
            select(Override).where(Override.encounter_id == encounter_id).order_by(Override.id)
        )
    )


def _patient_json(patient: Patient) -> dict[str, Any]:
    return {
        "name": f"{patient.last_name}, {patient.first_name}",
        "dob": patient.date_of_birth.isoformat(),
        "sex": str(patient.sex),
        "account": patient.account_number,
        "address": {
            "line": patient.address_line,
            "city": patient.city,
            "state": patient.state,
            "postal_code": patient.postal_code,
        },
    }


def _payer_json(session: Session, payer_id: int | None) -> dict[str, Any]:
    payer = session.get(Payer, payer_id) if payer_id is not None else None
    return {"name": payer.name, "id": payer.payer_id, "program": payer.program} if payer else {}


def _provider_json(session: Session, provider_id: int | None) -> dict[str, Any]:
    provider = session.get(Provider, provider_id) if provider_id is not None else None
    return {"name": provider.name, "npi": provider.npi} if provider else {}


def _billing_json(session: Session, settings: PracticeSettings | None) -> dict[str, Any]:
    if settings is None:
        return {}
    provider = _provider_json(session, settings.billing_provider_id)
    address = ", ".join(
        part
        for part in (settings.address_line, settings.city, settings.state, settings.postal_code)
        if part
    )
    return {
        "name": provider.get("name") or settings.practice_name,
        "npi": provider.get("npi", ""),
        "tax_id": settings.tax_id,
        "address": address,
    }


def _line_json(line: ServiceLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "modifiers": list(line.modifiers),
        "units": line.units,
        "pointers": list(line.diagnosis_pointers),
        "charge": line.charge_cents / 100,
        "pos": line.place_of_service,
        "from": line.date_from.isoformat(),
        "to": line.date_to.isoformat(),
    }


def _override_json(row: Override) -> dict[str, Any]:
    return {"rule": row.rule_id, "codes": row.codes, "lines": row.lines, "reason": row.reason}


# -- writing rows ---------------------------------------------------------------------


def _override_row(
    encounter_id: int, target: tuple[str, list[str], list[int]], reason: str, actor: str
) -> Override:
    rule, codes, lines = target
    return Override(
        encounter_id=encounter_id,
        rule_id=rule.upper(),
        fingerprint=override_fingerprint(rule, codes, lines),
        codes=[c.upper() for c in codes],
        lines=list(lines),
        reason=reason.strip(),
        actor=actor,
    )


def _find_or_add_patient(session: Session, claim: Claim, dob: dt.date) -> int:
    account = str(claim.patient.get("account", "") or "").strip()
    if account:
        found = session.scalars(select(Patient).where(Patient.account_number == account)).first()
        if found is not None:
            if found.date_of_birth != dob:
                raise UsageError(
                    f"Account {account} belongs to a patient with another date of birth; "
                    "check the claim's account number."
                )
            return found.id
    last, first = _split_name(str(claim.patient.get("name", "") or ""))
    sex = claim.patient_sex if claim.patient_sex in ("F", "M", "U") else "U"
    raw_address = claim.patient.get("address")
    address: dict[str, Any] = raw_address if isinstance(raw_address, dict) else {}
    patient = Patient(
        account_number=account or _new_account(session),
        last_name=last,
        first_name=first,
        date_of_birth=dob,
        sex=Sex(sex),
        address_line=str(address.get("line", "") or ""),
        city=str(address.get("city", "") or ""),
        state=str(address.get("state", "") or "")[:2],
        postal_code=str(address.get("postal_code", "") or ""),
    )
    session.add(patient)
    session.flush()
    return patient.id


def _new_account(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(Patient)) or 0
    return f"IMPORT-{count + 1:06d}"


def _find_or_add_payer(session: Session, payer: dict[str, Any]) -> int | None:
    name = str(payer.get("name", "") or "").strip()
    payer_id = str(payer.get("id", "") or "").strip()
    if not name and not payer_id:
        return None
    query = select(Payer).where(Payer.payer_id == payer_id if payer_id else Payer.name == name)
    found = session.scalars(query).first()
    if found is not None:
        return found.id
    program = str(payer.get("program") or DEFAULT_PROGRAM).lower()
    row = Payer(name=name or payer_id, payer_id=payer_id, program=program)
    session.add(row)
    session.flush()
    return row.id


def _find_or_add_provider(session: Session, provider: dict[str, Any]) -> int | None:
    npi = str(provider.get("npi", "") or "").strip()
    if not npi:
        return None
    found = session.scalars(select(Provider).where(Provider.npi == npi)).first()
    if found is not None:
        return found.id
    row = Provider(name=str(provider.get("name", "") or npi), npi=npi)
    session.add(row)
    session.flush()
    return row.id


def _fill_billing(session: Session, claim: Claim) -> None:
    """Give an unconfigured practice the claim's billing provider; never overwrite one."""
    settings = session.get(PracticeSettings, SETTINGS_ROW_ID)
    if settings is None:
        settings = PracticeSettings(id=SETTINGS_ROW_ID)
        session.add(settings)
    if settings.billing_provider_id is None:
        settings.billing_provider_id = _find_or_add_provider(session, claim.billing_provider)
    if not settings.tax_id:
        settings.tax_id = str(claim.billing_provider.get("tax_id", "") or "").replace("-", "")[:9]
    if not settings.practice_name:
        settings.practice_name = str(claim.billing_provider.get("name", "") or "")


def _add_code_sheet(session: Session, encounter_id: int, claim: Claim) -> None:
    for position, code in enumerate(claim.diagnoses, start=1):
        session.add(Diagnosis(encounter_id=encounter_id, position=position, code=code))
    for position, line in enumerate(claim.lines, start=1):
        day = line.date_from or claim.date_of_service
        session.add(
            ServiceLine(
                encounter_id=encounter_id,
                position=position,
                code=line.code,
                modifiers=list(line.modifiers),
                units=int(line.units),
                diagnosis_pointers=list(line.pointers),
                charge_cents=_cents(line.charge),
                date_from=day,
                date_to=line.date_to or day,
                place_of_service=line.pos or "11",
            )
        )
