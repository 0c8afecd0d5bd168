# SPDX-License-Identifier: GPL-3.0-or-later
"""No plaintext PHI at rest or in logs (SECURITY 6 and 14): canaries through every feature."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.exc import IntegrityError

from coderdesk.core import paths
from coderdesk.core.exports.textpdf import text_to_pdf
from coderdesk.core.logs import configure_logging
from coderdesk.core.services.codesheet import CodeSheetService, LineInput
from coderdesk.core.services.documents import DocumentService
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.services.patients import PatientInput, PatientService
from coderdesk.core.store.models import Sex
from coderdesk.core.store.workspace import Workspace, restore_backup

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CANARY_NAME = "Zqxcanaryname"
CANARY_NOTE = "Qwvcanarynote chest pain radiating"
CANARY_PDF = "Pdfcanarytext wheezing"
CANARIES = (CANARY_NAME, CANARY_NOTE.split()[0], CANARY_PDF.split()[0])


@pytest.fixture
def private_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A TMPDIR of the test's own, so the scan sees every temp file the code made."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _exercise(workspace: Workspace, tmp_path: Path, passphrase: str) -> None:
    patient_id = PatientService(workspace).create(
        PatientInput("CAN-1", CANARY_NAME, "Pat", dt.date(1970, 1, 2), Sex.FEMALE)
    )
    encounter_id = EncounterService(workspace).create(
        EncounterInput(patient_id, dt.date(2026, 3, 1), "Office visit")
    )
    documents = DocumentService(workspace)
    documents.add(encounter_id, "note.txt", CANARY_NOTE.encode())
    documents.add(encounter_id, "note.pdf", text_to_pdf("Note", CANARY_PDF))
    CodeSheetService(workspace).replace_diagnoses(encounter_id, ["R07.9"])
    CodeSheetService(workspace).replace_lines(
        encounter_id, [LineInput("99213", dt.date(2026, 3, 1), charge_cents=9000)]
    )
    EncounterService(workspace).worklist()
    EncounterService(workspace).open(encounter_id)
    backup = workspace.backup(tmp_path / "backups" / "b.cdws")
    workspace.change_passphrase(passphrase, passphrase + "!", passphrase + "!")
    workspace.close()
    restore_backup(backup, workspace.path, passphrase)


def _hits(folder: Path) -> list[str]:
    needles = [c.encode(enc) for c in CANARIES for enc in ("utf-8", "utf-16-le")]
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found.extend(f"{path.name}: {n!r}" for n in needles if n in data)
    return found


def test_no_canary_anywhere_on_disk(
    workspace: Workspace, tmp_path: Path, passphrase: str, private_tmpdir: Path
) -> None:
    configure_logging(logging.DEBUG)
    _exercise(workspace, tmp_path, passphrase)
    for folder in (
        workspace.path.parent,
        tmp_path / "backups",
        private_tmpdir,
        paths.data_dir(),
        paths.config_dir(),
        paths.cache_dir(),
    ):
        assert _hits(folder) == [], f"plaintext PHI found under {folder}"


def test_forced_errors_do_not_put_canaries_in_logs(workspace: Workspace) -> None:
    log_file = configure_logging(logging.DEBUG)
    service = PatientService(workspace)
    data = PatientInput("DUP-1", CANARY_NAME, "Pat", dt.date(1970, 1, 2), Sex.FEMALE)
    service.create(data)
    with pytest.raises(IntegrityError) as caught:
        service.create(data)
    assert CANARY_NAME not in str(caught.value)
    log = logging.getLogger("coderdesk.test")
    try:
        int(CANARY_NOTE)  # a ValueError whose message quotes the note
    except ValueError:
        log.exception("parsing failed")
    try:
        raise caught.value
    except IntegrityError:
        log.exception("save failed")
    for handler in logging.getLogger("coderdesk").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "parsing failed" in text
    assert "ValueError" in text
    for canary in CANARIES:
        assert canary not in text
