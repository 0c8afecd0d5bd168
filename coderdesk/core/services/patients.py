# SPDX-License-Identifier: GPL-3.0-or-later
"""Patients: registering and reading the people whose encounters are coded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import Patient, Sex

if TYPE_CHECKING:
    import datetime as dt


@dataclass(frozen=True)
class PatientInput:
    """What it takes to register a patient."""

    account_number: str
    last_name: str
    first_name: str
    date_of_birth: dt.date
    sex: Sex
    middle_name: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PatientView:
    """A read-only snapshot of a patient."""

    id: int
    account_number: str
    display_name: str
    date_of_birth: dt.date
    sex: Sex


def patient_view(patient: Patient) -> PatientView:
    """Snapshot a patient row."""
    return PatientView(
        id=patient.id,
        account_number=patient.account_number,
        display_name=f"{patient.last_name}, {patient.first_name}",
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
    )


class PatientService(WorkspaceService):
    """Registers and reads patients."""

    def create(self, data: PatientInput) -> int:
        """Register a patient; return its id."""
        with self.workspace.session() as session:
            patient = Patient(**vars(data))
            session.add(patient)
            session.flush()
            self._audit(session, AuditAction.CREATE, "patient", patient.id)
            return patient.id

    def get(self, patient_id: int) -> PatientView:
        """Read one patient (audited)."""
        with self.workspace.session() as session:
            patient = get_or_raise(session, Patient, patient_id, "Patient")
            self._audit(session, AuditAction.READ, "patient", patient_id)
            return patient_view(patient)
