# SPDX-License-Identifier: GPL-3.0-or-later
"""The File menu's work on the open workspace: settings, imports, chart documents, backup,
restore and passphrase. Everything slow runs on the task runner; the window is told.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit

from coderdesk.core.documents.extract import ExtractedText, read_document
from coderdesk.core.errors import CoderDeskError
from coderdesk.core.exports.cms1500 import render_cms1500
from coderdesk.core.exports.query_letter import render_query_letter
from coderdesk.core.exports.summary import render_summary
from coderdesk.core.files import write_private_bytes, write_private_json
from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.services.claim_files import ClaimFile, ClaimFileService
from coderdesk.core.services.claims import ClaimService
from coderdesk.core.services.documents import DocumentService, read_file
from coderdesk.core.services.evidence import EvidenceService
from coderdesk.core.services.queries import QueryService
from coderdesk.core.services.settings import SettingsService
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.workspace import Workspace, restore_backup
from coderdesk.ui.dialogs.import_dialog import ImportDialog
from coderdesk.ui.dialogs.passphrase_dialog import PassphraseDialog
from coderdesk.ui.dialogs.queries_dialog import QueriesDialog
from coderdesk.ui.dialogs.query_composer import QueryComposer, open_composer
from coderdesk.ui.dialogs.settings_dialog import SettingsDialog
from coderdesk.ui.printing import preview_and_print

if TYPE_CHECKING:
    from coderdesk.core.progress import CancelToken, ProgressCallback
    from coderdesk.core.queries.model import Query
    from coderdesk.core.services.queries import QueryRecord
    from coderdesk.core.store.models import DocumentKind
    from coderdesk.ui.main_window import MainWindow


def printer_offset() -> tuple[float, float]:
    """The printer offset (right, down) in inches for the red form, from the config."""
    from coderdesk.ui.main_window import window_settings

    settings = window_settings()
    try:
        return (
            float(str(settings.value("print/offset_right", 0.0))),
            float(str(settings.value("print/offset_down", 0.0))),
        )
    except (TypeError, ValueError):
        return 0.0, 0.0


QUERY_DAYS = 7  # a query's default due date, days after it is issued


class WorkspaceActions(QObject):
    """What File > … does to the open workspace, for the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def edit_settings(self) -> SettingsDialog | None:
        """File > Practice settings (providers, payers, defaults, auto-lock)."""
        if self.window.workspace is None:
            return None
        dialog = SettingsDialog(self.window.workspace, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._settings_saved)
        dialog.open()
        return dialog

    def _settings_saved(self) -> None:
        if self.window.workspace is not None:
            self.window.idle.set_minutes(
                SettingsService(self.window.workspace).get().auto_lock_minutes
            )
            self.window.revalidate()

    def backup(self, destination: Path | None = None) -> None:
        """File > Back up: an encrypted copy written in the background."""
        workspace = self.window.workspace
        if workspace is None:
            return
        if destination is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self.window, "Back up to", str(workspace.path.with_suffix(".backup.cdws"))
            )
            if not chosen:
                return
            destination = Path(chosen)
        target = destination
        self.window.statusBar().showMessage("Writing the backup...")
        self.window.runner.start(
            lambda _progress, _cancel: workspace.backup(target),
            lambda written: self.window.statusBar().showMessage(
                f"Backup written to {written}.", 6000
            ),
            self.window.show_failure,
        )

    def change_passphrase(self) -> None:
        """File > Change passphrase: re-encrypt the file off the UI thread."""
        if self.window.workspace is None:
            return
        dialog = PassphraseDialog(self.window)
        if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
            return
        self.rekey(*dialog.values())

    def rekey(self, current: str, new: str, confirmation: str) -> None:
        """Re-encrypt off the UI thread; the panes are disabled until it is done."""
        workspace = self.window.workspace
        if workspace is None:
            return
        self._set_busy(True)
        self.window.statusBar().showMessage("Re-encrypting the workspace...")

        def done(_result: object) -> None:
            self._set_busy(False)
            self.window.statusBar().showMessage("Passphrase changed.", 6000)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.window.statusBar().clearMessage()
            self.window.show_failure(exc)

        self.window.runner.start(
            lambda _progress, _cancel: workspace.change_passphrase(current, new, confirmation),
            done,
            failed,
        )

    def _set_busy(self, busy: bool) -> None:
        # While the file is re-encrypted nothing may reach the workspace.
        self.window.splitters[0].setEnabled(not busy)
        self.window.menuBar().setEnabled(not busy)

    def _choose_backup(self) -> None:
        if self.window.workspace is None:
            return
        chosen, _filter = QFileDialog.getOpenFileName(self.window, "Restore from backup")
        if not chosen:
            return
        passphrase, ok = QInputDialog.getText(
            self.window,
            "Restore from a backup",
            "The backup's passphrase (the current file is kept beside it):",
            QLineEdit.EchoMode.Password,
        )
        if ok and passphrase:
            self.restore(Path(chosen), passphrase)

    def restore(self, backup: Path, passphrase: str) -> None:
        """Replace the open workspace by a backup (the old file is kept), then reopen it."""
        workspace = self.window.workspace
        if workspace is None:
            return
        target = workspace.path
        workspace.close()
        self.window.workspace = None
        self.window.clear_views()
        self.window.statusBar().showMessage("Restoring...")

        def work(_progress: ProgressCallback, _cancel: CancelToken) -> Workspace:
            restore_backup(backup, target, passphrase)
            return Workspace.unlock(target, passphrase)

        def failed(exc: BaseException) -> None:
            self.window.show_failure(exc)
            self.window.request_unlock()

        self.window.runner.start(work, self._restored, failed)

    def _restored(self, workspace: Workspace) -> None:
        self.window.attach(workspace)
        self.window.statusBar().showMessage("Restored from the backup; the old file is kept.", 6000)

    def _choose_documents(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileNames(
            self.window,
            "Add chart documents",
            "",
            "Chart documents (*.pdf *.txt *.xml *.htm *.html *.rtf);;All files (*)",
        )
        self.add_documents([Path(name) for name in chosen])

    def add_documents(self, files: list[Path]) -> None:
        """Add files to the open encounter: read and extracted off the UI thread, then
        stored (audited) and shown."""
        if self.window.workspace is None or self.window.detail is None:
            self.window.statusBar().showMessage(
                "Open an encounter first, then add documents.", 5000
            )
            return
        for path in files:
            self._add_document(self.window.detail.id, path)

    def _add_document(self, encounter_id: int, path: Path) -> None:
        def work(_progress: ProgressCallback, _cancel: CancelToken) -> object:
            return _read_chart_file(path)

        def store(read: tuple[bytes, DocumentKind, ExtractedText]) -> None:
            self._store_document(encounter_id, path, read)

        self.window.runner.start(work, store, self.window.show_failure)

    def _store_document(
        self, encounter_id: int, path: Path, read: tuple[bytes, DocumentKind, ExtractedText]
    ) -> None:
        if self.window.workspace is None:
            return
        content, kind, extracted = read
        try:
            DocumentService(self.window.workspace).add(
                encounter_id, path.name, content, read=(kind, extracted)
            )
        except Exception as exc:
            self.window.show_failure(exc)
            return
        self.window.statusBar().showMessage(f"Added {path.name} to the chart.", 4000)
        if self.window.detail is not None and self.window.detail.id == encounter_id:
            self.window.open_encounter(encounter_id)

    def export_claim(self, destination: Path | None = None) -> None:
        """Encounter > Export claim (JSON): offered only while no error blocks it."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return
        if self._blocked():
            return
        if destination is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                window, "Export the claim", f"claim-{window.detail.id}.json", "Claim (*.json)"
            )
            if not chosen:
                return
            destination = Path(chosen)
        try:
            data = ClaimService(window.workspace).to_claim(window.detail.id)
            write_private_json(destination, data)
        except (OSError, CoderDeskError) as exc:
            window.show_failure(exc)
            return
        window.statusBar().showMessage(f"Claim written to {destination}.", 5000)

    def export_837p(self, destination: Path | None = None) -> None:
        """Encounter > Export 837P: numbered from the workspace, recorded and audited."""
        self._write_claim_file("837p", destination)

    def export_cms1500(self, destination: Path | None = None) -> None:
        """Encounter > Export CMS-1500 PDF: the form with its data, for PDF payers."""
        self._write_claim_file("cms1500", destination)

    def _write_claim_file(self, claim_format: str, destination: Path | None) -> None:
        window = self.window
        workspace, detail = window.workspace, window.detail
        if workspace is None or detail is None or self._blocked():
            return
        if destination is None:
            suffix, kind = (
                (".x12", "837P (*.x12)") if claim_format == "837p" else (".pdf", "PDF (*.pdf)")
            )
            chosen, _filter = QFileDialog.getSaveFileName(
                window, "Write the claim", f"claim-{detail.id}-{claim_format}{suffix}", kind
            )
            if not chosen:
                return
            destination = Path(chosen)
        encounter_id, target = detail.id, destination
        findings = list(window.findings.findings)  # the live verdict on this very sheet

        def work(_progress: ProgressCallback, _cancel: CancelToken) -> ClaimFile:
            files = ClaimFileService(workspace)
            if claim_format == "837p":
                produced = files.write_837p(encounter_id, findings)
            else:
                produced = files.write_cms1500(encounter_id, findings, mode="form")
            write_private_bytes(target, produced.content)
            return produced

        def done(produced: ClaimFile) -> None:
            number = f", interchange {produced.interchange:09d}" if produced.interchange else ""
            window.statusBar().showMessage(f"Claim written to {target}{number}.", 8000)
            window.refresh_worklist(keep=encounter_id)

        def failed(exc: BaseException) -> None:
            window.statusBar().clearMessage()
            window.show_failure(exc)

        window.statusBar().showMessage("Writing the claim...")
        window.runner.start(work, done, failed)

    def claim_pdf(self, mode: str = "data") -> bytes | None:
        """The open encounter's CMS-1500 (data mode: on the red form, printer offset)."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return None
        if self._blocked():
            return None
        data = ClaimService(window.workspace).to_claim(window.detail.id, audited=False)
        try:
            return render_cms1500(parse_claim(data), mode=mode, offset=printer_offset())
        except CoderDeskError as exc:
            window.show_failure(exc)
            return None

    def print_claim(self) -> None:
        """Encounter > Print CMS-1500: preview, print, audited."""
        pdf = self.claim_pdf()
        window = self.window
        if pdf is None or window.workspace is None or window.detail is None:
            return
        if preview_and_print(window, pdf, "CMS-1500"):
            ClaimService(window.workspace).record_output(
                window.detail.id, AuditAction.PRINT, "cms1500"
            )

    def print_summary(self) -> None:
        """Encounter > Print coding summary: titles come from the code lane first."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return
        data = ClaimService(window.workspace).to_claim(window.detail.id, audited=False)
        evidence = EvidenceService(window.workspace).links(window.detail.id)
        findings = list(window.findings.findings)
        codes, day = list(data["diagnoses"]), str(data["date_of_service"])
        window.codes.run(
            lambda backend: {code: backend.detail(code, day).title for code in codes},
            lambda titles: self._print_summary(data, titles, findings, evidence),
            window.show_failure,
        )

    def _print_summary(
        self,
        data: dict[str, Any],
        titles: dict[str, str],
        findings: list[Any],
        evidence: list[Any],
    ) -> None:
        window = self.window
        pdf = render_summary(parse_claim(data), titles, findings, evidence)
        if (
            window.workspace is not None
            and window.detail is not None
            and preview_and_print(window, pdf, "Coding summary")
        ):
            ClaimService(window.workspace).record_output(
                window.detail.id, AuditAction.PRINT, "coding_summary"
            )

    def new_query(self) -> QueryComposer | None:
        """Encounter > New provider query: the composer, checked as it is written."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return None
        detail = window.detail
        documented = [d.description or d.code for d in detail.diagnoses]
        composer = open_composer(
            window, detail.date_of_service, documented, window.chart.selection_with_source
        )
        composer.issue_requested.connect(self.issue_query)
        return composer

    def show_queries(self) -> QueriesDialog | None:
        """Encounter > Queries: answer, close, withdraw, remind or print again."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return None
        return self._queries_dialog(window.detail.id)

    def show_open_queries(self) -> QueriesDialog | None:
        """Encounter > Open queries, all encounters: the overdue ones first, to escalate."""
        if self.window.workspace is None:
            return None
        return self._queries_dialog(None)

    def _queries_dialog(self, encounter_id: int | None) -> QueriesDialog | None:
        window = self.window
        if window.workspace is None:
            return None
        dialog = QueriesDialog(window.workspace, encounter_id, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._queries_changed)
        dialog.reprint_requested.connect(self._print_letter)
        dialog.show()
        return dialog

    def _queries_changed(self) -> None:
        window = self.window
        if window.detail is not None:
            encounter_id = window.detail.id
            window.refresh_worklist(keep=encounter_id)
            window.open_encounter(encounter_id)
        else:
            window.refresh_worklist()

    def _print_letter(self, record: QueryRecord) -> None:
        self.print_query_letter(record.id, record.encounter_id)

    def query_letter_pdf(self, query_id: int) -> bytes | None:
        """A query's letter with its identifiers, due date and any reminder heading."""
        window = self.window
        if window.workspace is None:
            return None
        try:
            letter, issued = QueryService(window.workspace).letter_query(query_id)
            return render_query_letter(letter, self._letterhead(), issued)
        except CoderDeskError as exc:
            window.show_failure(exc)
            return None

    def print_query_letter(self, query_id: int, encounter_id: int) -> None:
        """Preview and print a query's letter (audited when printed)."""
        window = self.window
        pdf = self.query_letter_pdf(query_id)
        if pdf is None or window.workspace is None:
            return
        if preview_and_print(window, pdf, "Provider query"):
            ClaimService(window.workspace).record_output(
                encounter_id, AuditAction.PRINT, "query_letter"
            )

    def _letterhead(self) -> dict[str, str]:
        """The practice as a query letter's letterhead shows it."""
        if self.window.workspace is None:
            return {}
        settings = SettingsService(self.window.workspace).get()
        return {
            "name": settings.practice_name,
            "address": settings.address_line,
            "city": settings.city,
            "state": settings.state,
            "phone": settings.phone,
        }

    def _blocked(self) -> bool:
        """Whether an error without an override stops a claim from leaving (said if so)."""
        if self.window.findings.blocking_count():
            self.window.statusBar().showMessage("Resolve or override the errors first.", 5000)
            return True
        return False

    def issue_query(self, query: Query) -> None:
        """Save and issue a compliant query (the encounter waits), then print the letter."""
        window = self.window
        if window.workspace is None or window.detail is None:
            return
        encounter_id = window.detail.id
        service = QueryService(window.workspace)
        try:
            query_id = service.create(
                encounter_id, query, due_date=dt.date.today() + dt.timedelta(days=QUERY_DAYS)
            )
            service.issue(query_id, query.documented)
        except CoderDeskError as exc:
            window.show_failure(exc)
            return
        window.refresh_worklist(keep=encounter_id)
        window.open_encounter(encounter_id)
        self.print_query_letter(query_id, encounter_id)
        window.statusBar().showMessage("Query issued; the encounter waits for the answer.", 6000)

    def import_release(self) -> ImportDialog:
        """File > Import code-set release: a dialog that imports in the background."""
        dialog = ImportDialog(self.window.runner, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._after_import)
        dialog.open()
        return dialog

    def _after_import(self, _summary: object) -> None:
        self.window.versions_label.setText("Code sets: re-indexing after the import...")
        self.window.codes.start()


def _read_chart_file(path: Path) -> tuple[bytes, DocumentKind, ExtractedText]:
    """The file's bytes, kind and text (slow for a long PDF: runs on the pool)."""
    content = read_file(path)
    kind, extracted = read_document(path.name, content)
    return content, kind, extracted
