# SPDX-License-Identifier: GPL-3.0-or-later
"""The demo workspace: fictional patients, encounters and charts in their own folder.

Every person in it is invented (see resources/demo/README.md). The demo passphrase is
public on purpose and shown on screen; real workspaces never live in the demo folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from coderdesk.core import paths
from coderdesk.core.exports.textpdf import text_to_pdf
from coderdesk.core.services.codesheet import CodeSheetService
from coderdesk.core.services.documents import DocumentService
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.services.settings import (
    PayerInput,
    PracticeSettingsView,
    ProviderInput,
    SettingsService,
)
from coderdesk.core.store.models import EncounterStatus, Sex
from coderdesk.core.store.workspace import Workspace

DEMO_PASSPHRASE = "maple hollow demo 2026"
DEMO_FILE_NAME = "demo.cdws"


@dataclass(frozen=True)
class DemoChart:
    """One demo encounter: its patient, visit and the chart files it carries."""

    patient: PatientInput
    date_of_service: dt.date
    encounter_type: str
    specialty: str
    place_of_service: str
    documents: tuple[tuple[str, str, bool], ...]  # (file in resources/demo, title, as PDF)
    status: EncounterStatus = EncounterStatus.NEW
    priority: int = 3
    diagnoses: tuple[str, ...] = ()


def _patient(account: str, last: str, first: str, dob: str, sex: Sex) -> PatientInput:
    return PatientInput(
        account_number=account,
        last_name=last,
        first_name=first,
        date_of_birth=dt.date.fromisoformat(dob),
        sex=sex,
        address_line="1 Example Way",
        city="Springfield",
        state="ST",
        postal_code="00000",
    )


DEMO_CHARTS = (
    DemoChart(
        _patient("DEMO-100001", "Testperson", "Rowan", "1961-05-22", Sex.MALE),
        dt.date(2026, 3, 14),
        "Office visit, established",
        "Family medicine",
        "11",
        (("office_visit_diabetes.txt", "Office visit note", True),),
        EncounterStatus.IN_PROGRESS,
        priority=1,
        diagnoses=("E11.42", "I10", "E78.5"),
    ),
    DemoChart(
        _patient("DEMO-100002", "Sampleperson", "Ellis", "1984-11-08", Sex.MALE),
        dt.date(2026, 2, 20),
        "Outpatient surgery",
        "Orthopaedic surgery",
        "24",
        (("operative_note_knee.txt", "Operative report", True),),
    ),
    DemoChart(
        _patient("DEMO-100003", "Demoperson", "Quinn", "1972-02-17", Sex.FEMALE),
        dt.date(2026, 3, 2),
        "Diagnostic imaging",
        "Radiology",
        "22",
        (("radiology_chest_xray.txt", "Chest X-ray report", False),),
        priority=2,
    ),
    DemoChart(
        _patient("DEMO-100004", "Testperson", "Morgan", "1948-08-30", Sex.MALE),
        dt.date(2026, 1, 14),
        "Hospital discharge",
        "Hospital medicine",
        "21",
        (
            ("discharge_summary_chf.txt", "Discharge summary", True),
            ("discharge_summary_chf.txt", "Discharge summary (text)", False),
        ),
        priority=2,
    ),
    DemoChart(
        _patient("DEMO-100005", "Placeholder", "Sage", "1966-04-05", Sex.FEMALE),
        dt.date(2026, 3, 10),
        "Office visit, walk-in",
        "Family medicine",
        "11",
        (("office_visit_fracture.txt", "Walk-in visit note", False),),
        priority=1,
    ),
    DemoChart(
        _patient("DEMO-100006", "Testperson", "Juniper", "1958-07-12", Sex.FEMALE),
        dt.date(2026, 3, 5),
        "Office visit, established",
        "Family medicine",
        "11",
        (("ccda_progress_note.xml", "Progress note (C-CDA)", False),),
    ),
)


def demo_workspace_path() -> Path:
    """Where the demo workspace lives (inside the demo folder, apart from real ones)."""
    return paths.demo_dir() / DEMO_FILE_NAME


def ensure_demo_workspace() -> Path:
    """Create and fill the demo workspace once; return its path."""
    path = demo_workspace_path()
    if not path.exists():
        workspace = Workspace.create(path, DEMO_PASSPHRASE, DEMO_PASSPHRASE)
        try:
            populate(workspace)
        except BaseException:
            workspace.close()
            path.unlink(missing_ok=True)
            raise
        workspace.close()
    return path


def _configure_practice(workspace: Workspace) -> tuple[int, int]:
    settings = SettingsService(workspace)
    provider_id = settings.add_provider(
        ProviderInput("Quill, Avery", "1234567893", "207Q00000X", "MD")
    )
    payer_id = settings.add_payer(
        PayerInput("Demo Mutual Health Plan", "DEMO1", "PO Box 0000", "Springfield", "ST", "00000")
    )
    settings.update(
        PracticeSettingsView(
            practice_name="Maple Hollow Family Medicine",
            tax_id="000000000",
            address_line="100 Example Way",
            city="Springfield",
            state="ST",
            postal_code="00000",
            phone="5555550100",
            billing_provider_id=provider_id,
            default_place_of_service="11",
            auto_lock_minutes=5,
            submitter_id="DEMOSUBMIT",
            receiver_id="DEMORECV",
        )
    )
    return provider_id, payer_id


def populate(workspace: Workspace) -> None:
    """Fill a fresh workspace with the demo practice, patients, encounters and charts."""
    provider_id, payer_id = _configure_practice(workspace)
    for index, chart in enumerate(DEMO_CHARTS, start=1):
        _add_chart(workspace, chart, index, provider_id, payer_id)


def _add_chart(
    workspace: Workspace, chart: DemoChart, index: int, provider_id: int, payer_id: int
) -> None:
    patient_id = PatientService(workspace).create(chart.patient)
    encounters = EncounterService(workspace)
    encounter_id = encounters.create(
        EncounterInput(
            patient_id=patient_id,
            date_of_service=chart.date_of_service,
            encounter_type=chart.encounter_type,
            specialty=chart.specialty,
            payer_id=payer_id,
            subscriber_id=f"DMH{index:06d}",
            rendering_provider_id=provider_id,
            place_of_service=chart.place_of_service,
            due_date=chart.date_of_service + dt.timedelta(days=7),
            priority=chart.priority,
        )
    )
    documents = DocumentService(workspace)
    for file_name, title, as_pdf in chart.documents:
        source = paths.resources_dir() / "demo" / file_name
        content = source.read_bytes()
        if as_pdf:
            content = text_to_pdf(title, content.decode("utf-8"))
            file_name = Path(file_name).with_suffix(".pdf").name
        documents.add(encounter_id, file_name, content, title)
    if chart.diagnoses:
        CodeSheetService(workspace).replace_diagnoses(encounter_id, list(chart.diagnoses))
    if chart.status is not EncounterStatus.NEW:
        encounters.set_status(encounter_id, chart.status)
