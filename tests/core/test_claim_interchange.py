# SPDX-License-Identifier: GPL-3.0-or-later
"""Workspace encounters to and from the claim interchange format; overrides, audited."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from coderdesk.core.errors import UsageError
from coderdesk.core.rules.claim import ClaimFormatError
from coderdesk.core.services.claims import ClaimService
from coderdesk.core.store import audit
from coderdesk.core.store.models import AuditEvent, Encounter, Patient

if TYPE_CHECKING:
    from coderdesk.core.store.workspace import Workspace

CLAIM: dict[str, Any] = {
    "date_of_service": "2026-03-14",
    "encounter": {"type": "Office visit", "specialty": "Family medicine", "status": "new"},
    "patient": {
        "name": "Fixture, Pat",
        "dob": "1950-02-01",
        "sex": "F",
        "account": "A-1001",
        "address": {
            "line": "1 Main St",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
        },
    },
    "subscriber": {"id": "SUB123", "name": "Fixture, Pat"},
    "payer": {"name": "Fixture Health", "id": "FH01", "program": "group"},
    "billing_provider": {
        "name": "Fixture Clinic",
        "npi": "1234567893",
        "tax_id": "123456789",
        "address": "",
    },
    "rendering_provider": {"name": "Doe, Jan", "npi": "1245319599"},
    "diagnoses": ["E11.40", "G63", "Z79.4"],
    "lines": [
        {
            "code": "99214",
            "modifiers": ["25"],
            "units": 1,
            "pointers": [1, 2],
            "charge": 150.0,
            "pos": "11",
            "from": "2026-03-14",
            "to": "2026-03-14",
        },
        {
            "code": "11200",
            "modifiers": [],
            "units": 1,
            "pointers": [1],
            "charge": 95.5,
            "pos": "11",
            "from": "2026-03-14",
            "to": "2026-03-14",
        },
    ],
    "overrides": [
        {
            "rule": "ICD10CM.EXCLUDES1",
            "codes": ["E11.40", "G63"],
            "lines": [],
            "reason": "Both documented by the provider",
        }
    ],
}


def test_round_trip_keeps_every_field(workspace: Workspace) -> None:
    service = ClaimService(workspace)
    encounter_id = service.from_claim(copy.deepcopy(CLAIM))
    exported = service.to_claim(encounter_id)
    assert exported == CLAIM
    # The same patient account is found again, not duplicated.
    second = service.from_claim(copy.deepcopy(CLAIM))
    assert second != encounter_id
    with workspace.session() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 1


def test_a_malformed_claim_changes_nothing(workspace: Workspace) -> None:
    bad = copy.deepcopy(CLAIM)
    bad["lines"][0]["units"] = "one"
    with pytest.raises(ClaimFormatError, match="'units' must be a number"):
        ClaimService(workspace).from_claim(bad)
    no_dob = copy.deepcopy(CLAIM)
    del no_dob["patient"]["dob"]
    with pytest.raises(UsageError, match="date of birth"):
        ClaimService(workspace).from_claim(no_dob)
    with workspace.session() as session:
        assert session.scalar(select(func.count()).select_from(Encounter)) == 0


def test_account_with_another_birth_date_is_refused(workspace: Workspace) -> None:
    service = ClaimService(workspace)
    service.from_claim(copy.deepcopy(CLAIM))
    other = copy.deepcopy(CLAIM)
    other["patient"]["dob"] = "1951-02-01"
    with pytest.raises(UsageError, match="another date of birth"):
        service.from_claim(other)


def test_overrides_are_recorded_replaced_withdrawn_and_audited(workspace: Workspace) -> None:
    service = ClaimService(workspace)
    plain = {k: v for k, v in copy.deepcopy(CLAIM).items() if k != "overrides"}
    encounter_id = service.from_claim(plain)
    with pytest.raises(UsageError, match="needs a reason"):
        service.add_override(encounter_id, "MOD.25", ["99214"], [1], "  ")
    first = service.add_override(encounter_id, "MOD.25", ["99214"], [1], "Procedure billed later")
    again = service.add_override(encounter_id, "mod.25", ["99214"], [1], "Reason corrected")
    assert first == again
    views = service.overrides(encounter_id)
    assert [(v.rule, v.codes, v.lines, v.reason) for v in views] == [
        ("MOD.25", ("99214",), (1,), "Reason corrected")
    ]
    assert service.to_claim(encounter_id)["overrides"][0]["reason"] == "Reason corrected"
    service.remove_override(first)
    assert service.overrides(encounter_id) == []
    with workspace.session() as session:
        kinds = [
            (e.action, e.object_type)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.object_type == "override"))
        ]
        assert kinds == [("create", "override"), ("update", "override"), ("delete", "override")]
        assert audit.verify(session).intact
