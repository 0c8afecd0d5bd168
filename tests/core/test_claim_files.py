# SPDX-License-Identifier: GPL-3.0-or-later
"""Claim files from a workspace encounter: numbered 837Ps, CMS-1500s, recorded, refused
while errors stand; and the same through the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from test_claim_interchange import CLAIM  # the tests' folder is on the path (no package)
from test_x837 import pyx12_errors

from coderdesk.core.exports.control import next_control_numbers
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.services.claim_files import ClaimBlocked, ClaimFileService
from coderdesk.core.services.claims import ClaimService
from coderdesk.core.services.settings import SettingsService
from coderdesk.core.store import audit
from coderdesk.core.store.models import AuditEvent, Claim, Encounter, EncounterStatus

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.store.workspace import Workspace

HEADER = Finding("ICD10CM.HEADER_CODE", Severity.ERROR, "E11 is a category", "I.A.6")


def _encounter(workspace: Workspace, status: EncounterStatus = EncounterStatus.READY) -> int:
    encounter_id = ClaimService(workspace).from_claim(CLAIM)
    with workspace.session() as session:
        row = session.get(Encounter, encounter_id)
        assert row is not None
        row.status = status
    return encounter_id


def test_837p_numbers_increase_are_stored_and_the_file_validates(
    workspace: Workspace, tmp_path: Path
) -> None:
    settings = SettingsService(workspace)
    settings.update(
        dataclasses.replace(
            settings.get(), practice_name="Fixture Clinic", submitter_id="SUB9", receiver_id="RCV7"
        )
    )
    next_control_numbers(tmp_path)  # this machine already wrote interchange 1
    files = ClaimFileService(workspace)
    encounter_id = _encounter(workspace)
    first = files.write_837p(encounter_id, [], control_folder=tmp_path)
    second = files.write_837p(encounter_id, [], control_folder=tmp_path)
    assert (first.interchange, second.interchange) == (2, 3)
    assert files.last_interchange() == 3
    text = first.content.decode("ascii")
    assert pyx12_errors(text) == []
    assert "*ZZ*SUB9" in text
    assert "*ZZ*RCV7" in text
    assert text.startswith("ISA*")
    assert "*000000002*" in text
    with workspace.session() as session:
        rows = session.scalars(select(Claim).order_by(Claim.id)).all()
        assert [(r.claim_format, r.interchange_control_number) for r in rows] == [
            ("837p", 2),
            ("837p", 3),
        ]
        assert rows[0].payload["diagnoses"] == CLAIM["diagnoses"]
        encounter = session.get(Encounter, encounter_id)
        assert encounter is not None
        assert encounter.status is EncounterStatus.EXPORTED
        kinds = [e.object_type for e in session.scalars(select(AuditEvent))]
        assert kinds.count("claim_837p") == 2
        assert audit.verify(session).intact


def test_errors_without_override_stop_both_files(workspace: Workspace, tmp_path: Path) -> None:
    files = ClaimFileService(workspace)
    encounter_id = _encounter(workspace, EncounterStatus.IN_PROGRESS)
    for write in (
        lambda: files.write_837p(encounter_id, [HEADER], control_folder=tmp_path),
        lambda: files.write_cms1500(encounter_id, [HEADER]),
    ):
        with pytest.raises(ClaimBlocked, match="ICD10CM.HEADER_CODE: E11 is a category"):
            write()
    assert files.last_interchange() == 0
    with workspace.session() as session:
        assert session.scalars(select(Claim)).all() == []
    overridden = Finding(**{**HEADER.__dict__, "overridden": "payer agreed"})
    pdf = files.write_cms1500(encounter_id, [overridden]).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "E1140" in text.replace(".", "")


def test_cli_writes_a_workspace_encounter_and_refuses_one_with_errors(
    workspace: Workspace, workspace_path: Path, passphrase: str, tmp_path: Path
) -> None:
    clean = dict(CLAIM, diagnoses=["E11.9", "I10"], overrides=[])
    clean["lines"] = [dict(line, pointers=[1]) for line in CLAIM["lines"]]
    good = ClaimService(workspace).from_claim(clean)
    bad = ClaimService(workspace).from_claim(
        dict(clean, diagnoses=["E11"], patient=dict(clean["patient"], account="A-2"))
    )
    workspace.close()
    env = {"CODERDESK_PASSPHRASE": passphrase}
    runs = {
        name: _export(workspace_path, encounter, tmp_path / f"{name}.x12", env)
        for name, encounter in (("good", good), ("bad", bad))
    }
    assert runs["bad"].returncode == 1
    assert "ICD10CM.HEADER_CODE" in runs["bad"].stderr
    assert not (tmp_path / "bad.x12").exists()
    assert runs["good"].returncode == 0, runs["good"].stderr
    assert "interchange" in runs["good"].stdout
    assert pyx12_errors((tmp_path / "good.x12").read_text(encoding="ascii")) == []


def _export(
    path: Path, encounter: int, output: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "coderdesk",
            "export",
            "837p",
            "--workspace",
            str(path),
            "--encounter",
            str(encounter),
            "-o",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env},
    )


def test_the_claim_json_is_what_the_row_keeps(workspace: Workspace, tmp_path: Path) -> None:
    encounter_id = _encounter(workspace)
    produced = ClaimFileService(workspace).write_cms1500(encounter_id, [], mode="data")
    with workspace.session() as session:
        row = session.get(Claim, produced.claim_id)
        assert row is not None
        assert row.claim_format == "cms1500"
        assert json.dumps(row.payload, sort_keys=True) == json.dumps(
            ClaimService(workspace).to_claim(encounter_id, audited=False), sort_keys=True
        )
