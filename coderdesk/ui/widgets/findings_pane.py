# SPDX-License-Identifier: GPL-3.0-or-later
"""The findings panel: the coding rules' verdict on the open code sheet, by severity."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from coderdesk.core.rules.findings import Finding

SEVERITY_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Information"}
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1


class FindingsPane(QWidget):
    """Findings grouped under Errors / Warnings / Information, each with source and fix."""

    finding_selected = Signal(object)
    fix_requested = Signal(object)
    override_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        # The selected finding in full: rule, message, source and fix, wrapped.
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree.currentItemChanged.connect(self._describe)
        self.fix_button = QPushButton("&Fix", self)
        self.fix_button.setToolTip("Apply the suggested fix (when it is mechanical)")
        self.override_button = QPushButton("&Override...", self)
        self.override_button.setToolTip("Let this error stand, with a reason for the record")
        self.fix_button.clicked.connect(self._fix_clicked)
        self.override_button.clicked.connect(self._override_clicked)
        self.fixable: Callable[[Finding], bool] = lambda _finding: False
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.findings: list[Finding] = []
        self.clear()

    def show_findings(self, findings: list[Finding]) -> None:
        """Replace the list; errors first, each group open."""
        self.findings = list(findings)
        self.tree.clear()
        for severity, heading in SEVERITY_HEADINGS.items():
            members = [f for f in findings if str(f.severity) == severity]
            if not members:
                continue
            group = QTreeWidgetItem([f"{heading} ({len(members)})"])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for finding in members:
                group.addChild(_item(finding))
            group.setExpanded(True)
        self.summary.setText(self._summary())

    def blocking_count(self) -> int:
        """Errors nobody has overridden: export waits for them."""
        return sum(1 for f in self.findings if f.blocking)

    def _summary(self) -> str:
        if not self.findings:
            return "No findings: the code sheet passes every rule."
        blocking = self.blocking_count()
        if blocking:
            return f"{blocking} error{'s' if blocking != 1 else ''} to resolve before export."
        return "No blocking errors."

    def clear(self) -> None:
        """Empty the panel (on lock, or while no encounter is open)."""
        self.findings = []
        self.tree.clear()
        self._describe(None)
        self.summary.setText("Open an encounter to see its findings.")

    def current(self) -> Finding | None:
        """The selected finding, if any."""
        item = self.tree.currentItem()
        return _finding_of(item)

    def select(self, rule: str) -> bool:
        """Select the first finding of `rule` (tests, and jumping from elsewhere)."""
        for group in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(group)
            for row in range(top.childCount() if top is not None else 0):
                item = top.child(row) if top is not None else None
                finding = _finding_of(item)
                if item is not None and finding is not None and finding.rule == rule:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def _request(self, signal: SignalInstance) -> None:
        finding = self.current()
        if finding is not None:
            signal.emit(finding)

    def _fix_clicked(self) -> None:
        self._request(self.fix_requested)

    def _override_clicked(self) -> None:
        self._request(self.override_requested)

    def _describe(self, item: QTreeWidgetItem | None, *_previous: object) -> None:
        finding = item.data(0, FINDING_ROLE) if item is not None else None
        self.fix_button.setEnabled(finding is not None and self.fixable(finding))
        self.override_button.setEnabled(
            finding is not None and str(finding.severity) == "error" and not finding.overridden
        )
        if finding is None:
            self.detail.clear()
            return
        parts = [f"<b>{escape(finding.rule)}</b> ({finding.severity}): {escape(finding.message)}"]
        parts.append(f"<i>Source:</i> {escape(finding.citation)}")
        if finding.fix:
            parts.append(f"<i>Fix:</i> {escape(finding.fix)}")
        if finding.overridden:
            parts.append(f"<i>Overridden:</i> {escape(finding.overridden)}")
        self.detail.setText("<br>".join(parts))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        finding = item.data(0, FINDING_ROLE)
        if finding is not None:
            self.finding_selected.emit(finding)


def _finding_of(item: QTreeWidgetItem | None) -> Finding | None:
    return item.data(0, FINDING_ROLE) if item is not None else None


def _item(finding: Finding) -> QTreeWidgetItem:
    text = finding.message
    if finding.overridden:
        text += f"  [overridden: {finding.overridden}]"
    item = QTreeWidgetItem([text])
    item.setData(0, FINDING_ROLE, finding)
    item.setToolTip(0, f"{finding.rule}\nSource: {finding.citation}\nFix: {finding.fix}")
    return item
