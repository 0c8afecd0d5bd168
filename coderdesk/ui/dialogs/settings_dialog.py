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
        box = QGroupBox("Providers", self)
        self.provider_list = QListWidget(box)
        self.provider_name = QLineEdit(box)
        self.provider_name.setPlaceholderText("Name (Last, First) or organisation")
        self.provider_npi = QLineEdit(box)
        self.provider_npi.setPlaceholderText("NPI")
        add = QPushButton("Add provider", box)
        add.clicked.connect(self.add_provider)
        row = QHBoxLayout()
        row.addWidget(self.provider_name, 2)
        row.addWidget(self.provider_npi, 1)
        row.addWidget(add)
        layout = QVBoxLayout(box)
        layout.addWidget(self.provider_list)
        layout.addLayout(row)
        return box

    def _payers_box(self) -> QGroupBox:
        box = QGroupBox("Payers", self)
        self.payer_list = QListWidget(box)
        self.payer_name = QLineEdit(box)
        self.payer_name.setPlaceholderText("Payer name")
        self.payer_id = QLineEdit(box)
        self.payer_id.setPlaceholderText("Payer ID")
        add = QPushButton("Add payer", box)
        add.clicked.connect(self.add_payer)
        row = QHBoxLayout()
        row.addWidget(self.payer_name, 2)
        row.addWidget(self.payer_id, 1)
        row.addWidget(add)
        layout = QVBoxLayout(box)
        layout.addWidget(self.payer_list)
        layout.addLayout(row)
        return box

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
                PayerInput(self.payer_name.text().strip(), self.payer_id.text().strip())
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
