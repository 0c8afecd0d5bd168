# SPDX-License-Identifier: GPL-3.0-or-later
"""File menu: back up, change passphrase and restore, all off the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coderdesk.core.demo import DEMO_PASSPHRASE
from coderdesk.core.services.encounters import EncounterService
from coderdesk.core.services.settings import SettingsService
from coderdesk.core.store.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.ui.main_window import MainWindow

NEW_PASSPHRASE = "Amber-Quarry 52 violins"


def test_backup_passwd_and_restore(
    qtbot: QtBot, window: MainWindow, demo_path: Path, tmp_path: Path
) -> None:
    window.attach(Workspace.unlock(demo_path, DEMO_PASSPHRASE))
    encounters = len(EncounterService(window.workspace).worklist())  # type: ignore[arg-type]
    backup = tmp_path / "backups" / "demo-backup.cdws"
    window.file_actions.backup(backup)
    qtbot.waitUntil(lambda: "Backup written" in window.statusBar().currentMessage(), timeout=20_000)
    assert backup.exists()

    window.file_actions.rekey(DEMO_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)
    assert not window.menuBar().isEnabled()
    qtbot.waitUntil(lambda: window.menuBar().isEnabled(), timeout=30_000)
    assert window.statusBar().currentMessage() == "Passphrase changed."
    window.workspace.close()  # type: ignore[union-attr]
    Workspace.unlock(demo_path, NEW_PASSPHRASE).close()
    window.workspace = Workspace.unlock(demo_path, NEW_PASSPHRASE)

    # Restoring the backup brings back the old passphrase's file; the replaced one is kept.
    window.file_actions.restore(backup, DEMO_PASSPHRASE)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=30_000)
    assert len(EncounterService(window.workspace).worklist()) == encounters  # type: ignore[arg-type]
    kept = list(demo_path.parent.glob("*.before-restore-*"))
    assert len(kept) == 1
    Workspace.unlock(kept[0], NEW_PASSPHRASE).close()


def test_practice_settings_dialog_checks_and_saves(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace
) -> None:
    window.attach(demo_workspace)
    dialog = window.file_actions.edit_settings()
    assert dialog is not None
    dialog.provider_name.setText("Quill, Avery")
    dialog.provider_npi.setText("1234567890")
    dialog.add_provider()
    assert "not a valid NPI" in dialog.message.text()
    dialog.provider_npi.setText("1245319599")
    dialog.add_provider()
    assert dialog.message.text() == ""
    assert any(
        "1245319599" in dialog.provider_list.item(i).text()
        for i in range(dialog.provider_list.count())
    )
    dialog.billing.setCurrentIndex(dialog.billing.findText("Quill, Avery (NPI 1245319599)"))
    dialog.fields["tax_id"].setText("12345")
    dialog.save()
    assert "9 digits" in dialog.message.text()
    dialog.fields["tax_id"].setText("98-7654321")
    dialog.auto_lock.setValue(9)
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()
    saved = SettingsService(demo_workspace).get()
    assert (saved.tax_id, saved.auto_lock_minutes) == ("987654321", 9)
    assert saved.billing_provider_id is not None


def test_open_recent_lists_known_workspaces_and_opens_one(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    window.attach(Workspace.unlock(demo_path, DEMO_PASSPHRASE))  # remembered on unlock
    window.recent_menu.aboutToShow.emit()
    entries = [a for a in window.recent_menu.actions() if a.data()]
    assert str(demo_path) in [a.data() for a in entries]
    next(a for a in entries if a.data() == str(demo_path)).trigger()
    qtbot.waitUntil(lambda: window.unlock_dialog is not None)
    assert window.workspace is None  # the open one was closed first
    dialog = window.unlock_dialog
    assert dialog is not None
    assert dialog.path_box.currentText() == str(demo_path)
    dialog.reject()


def test_a_pdf_prints_page_by_page(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from coderdesk.core.exports.cms1500 import render_cms1500
    from coderdesk.core.rules.claim import parse_claim
    from coderdesk.ui.printing import paint_pdf

    claim = parse_claim(
        {
            "date_of_service": "2026-03-14",
            "diagnoses": ["I10"],
            "lines": [{"code": "99213", "pointers": [1], "charge": 90, "pos": "11"}] * 7,
        }
    )
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert paint_pdf(printer, render_cms1500(claim, mode="form")) == 2
    assert (tmp_path / "printed.pdf").stat().st_size > 1000


def test_printing_the_claim_is_audited(
    qtbot: QtBot, window: MainWindow, demo_workspace: Workspace, monkeypatch: Any
) -> None:
    from sqlalchemy import select

    import coderdesk.ui.workspace_actions as actions_module
    from coderdesk.core.store import audit
    from coderdesk.core.store.models import AuditEvent

    window.attach(demo_workspace)
    window.worklist.table.selectRow(0)
    qtbot.waitUntil(lambda: window.detail is not None)
    qtbot.waitUntil(lambda: window.codes.is_ready)
    window.add_code("hcpcs", "G0438")
    monkeypatch.setattr(actions_module, "preview_and_print", lambda *_a: True)
    window.findings.findings = []  # as if every error were resolved
    window.file_actions.print_claim()
    with demo_workspace.session() as session:
        kinds = [
            e.object_type
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "print"))
        ]
        assert kinds == ["cms1500"]
        assert audit.verify(session).intact
