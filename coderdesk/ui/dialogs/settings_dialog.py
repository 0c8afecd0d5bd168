# SPDX-License-Identifier: GPL-3.0-or-later
"""Practice settings: identity, billing provider, providers with NPIs, payers, defaults.

Every field is checked by the settings service (tax ID, NPI check digit, place of
service, auto-lock bounds); a refused value is explained in the dialog and nothing is
saved until all of it is valid.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.errors import CoderDeskError
from coderdesk.core.rules.claim import DEFAULT_PROGRAM, PROGRAMS
from coderdesk.core.services.settings import (
    MAX_AUTO_LOCK_MINUTES,
    MIN_AUTO_LOCK_MINUTES,
    PayerInput,
    ProviderInput,
    SettingsService,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from coderdesk.core.store.workspace import Workspace


PROGRAM_LABELS = {
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "tricare": "TRICARE",
    "champva": "CHAMPVA",
    "group": "Group health plan",
    "feca": "FECA / Black Lung",
    "other": "Other (commercial)",
}


class SettingsDialog(QDialog):
    """Edits the practice settings of the open workspace."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice settings")
        self.service = SettingsService(workspace)
        self.current = self.service.get()
        self.fields = {
            name: QLineEdit(str(getattr(self.current, name)), self)
            for name in (
                "practice_name",
                "tax_id",
                "address_line",
                "city",
                "state",
                "postal_code",
                "phone",
                "default_place_of_service",
                "submitter_id",
                "receiver_id",
            )
        }
        self.auto_lock = QSpinBox(self)
        self.auto_lock.setRange(MIN_AUTO_LOCK_MINUTES, MAX_AUTO_LOCK_MINUTES)
        self.auto_lock.setValue(self.current.auto_lock_minutes)
        self.auto_lock.setSuffix(" min")
        self.billing = QComboBox(self)
        form = QFormLayout()
        labels = {
            "practice_name": "Practice name",
            "tax_id": "Tax ID (EIN)",
            "address_line": "Address",
            "city": "City",
            "state": "State",
            "postal_code": "ZIP code",
            "phone": "Phone",
            "default_place_of_service": "Default place of service",
            "submitter_id": "837P submitter ID",
            "receiver_id": "837P receiver ID",
        }
        for name, label in labels.items():
            form.addRow(label, self.fields[name])
        form.addRow("Billing provider", self.billing)
        form.addRow("Lock after idle", self.auto_lock)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._providers_box())
        layout.addWidget(self._payers_box())
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._fill_lists()

    def _providers_box(self) -> QGroupBox:
        box, self.provider_list, self.provider_name, self.provider_npi = self._entry_box(
            "Providers", "Name (Last, First) or organisation", "NPI", self.add_provider
        )
        return box

    def _payers_box(self) -> QGroupBox:
        # The programme goes in box 1 of the CMS-1500 and in the 837P's SBR09.
        self.payer_program = QComboBox(self)
        for program in PROGRAMS:
            self.payer_program.addItem(PROGRAM_LABELS[program], program)
        self.payer_program.setCurrentIndex(self.payer_program.findData(DEFAULT_PROGRAM))
        self.payer_program.setToolTip("The payer's programme (CMS-1500 box 1)")
        box, self.payer_list, self.payer_name, self.payer_id = self._entry_box(
            "Payers", "Payer name", "Payer ID", self.add_payer, self.payer_program
        )
        return box

    def _entry_box(
        self,
        title: str,
        name_hint: str,
        id_hint: str,
        on_add: Callable[[], None],
        extra: QWidget | None = None,
    ) -> tuple[QGroupBox, QListWidget, QLineEdit, QLineEdit]:
        """A list with a name and an identifier (and `extra`) to add below it."""
        box = QGroupBox(title, self)
        listing = QListWidget(box)
        name, identifier = QLineEdit(box), QLineEdit(box)
        name.setPlaceholderText(name_hint)
        identifier.setPlaceholderText(id_hint)
        add = QPushButton(f"Add {title.lower().rstrip('s')}", box)
        add.clicked.connect(on_add)
        row = QHBoxLayout()
        row.addWidget(name, 2)
        row.addWidget(identifier, 1)
        if extra is not None:
            extra.setParent(box)
            row.addWidget(extra)
        row.addWidget(add)
        layout = QVBoxLayout(box)
        layout.addWidget(listing)
        layout.addLayout(row)
        return box, listing, name, identifier

    def _fill_lists(self) -> None:
        providers = self.service.providers()
        chosen = self.billing.currentData() or self.current.billing_provider_id
        self.billing.clear()
        self.billing.addItem("(none)", None)
        self.provider_list.clear()
        for provider_id, name, npi in providers:
            self.billing.addItem(f"{name} (NPI {npi})", provider_id)
            self.provider_list.addItem(f"{name}  NPI {npi}")
        index = self.billing.findData(chosen)
        self.billing.setCurrentIndex(max(index, 0))
        self.payer_list.clear()
        for _payer_id, name in self.service.payers():
            self.payer_list.addItem(name)

    def add_provider(self) -> None:
        """Register the typed provider (the NPI's check digit is verified)."""
        self._try(
            lambda: self.service.add_provider(
                ProviderInput(self.provider_name.text().strip(), self.provider_npi.text().strip())
            )
        )
        if not self.message.text():
            self.provider_name.clear()
            self.provider_npi.clear()
            self._fill_lists()

    def add_payer(self) -> None:
        """Register the typed payer."""
        self._try(
            lambda: self.service.add_payer(
                PayerInput(
                    self.payer_name.text().strip(),
                    self.payer_id.text().strip(),
                    program=str(self.payer_program.currentData()),
                )
            )
        )
        if not self.message.text():
            self.payer_name.clear()
            self.payer_id.clear()
            self._fill_lists()

    def save(self) -> None:
        """Save every field, or explain the first one refused."""
        values = {name: field.text().strip() for name, field in self.fields.items()}
        changed = replace(
            self.current,
            **values,
            billing_provider_id=self.billing.currentData(),
            auto_lock_minutes=self.auto_lock.value(),
        )
        self._try(lambda: self.service.update(changed))
        if not self.message.text():
            self.accept()

    def _try(self, action: Callable[[], object]) -> None:
        self.message.clear()
        try:
            action()
        except CoderDeskError as exc:
            self.message.setText(exc.user_message)
