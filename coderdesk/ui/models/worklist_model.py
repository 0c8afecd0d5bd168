# SPDX-License-Identifier: GPL-3.0-or-later
"""The worklist as a Qt table model over frozen `WorklistRow` snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from coderdesk.core.store.models import EncounterStatus

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from coderdesk.core.services.encounters import WorklistRow

AnyIndex = QModelIndex | QPersistentModelIndex

STATUS_LABELS = {
    EncounterStatus.NEW: "New",
    EncounterStatus.IN_PROGRESS: "In progress",
    EncounterStatus.QUERY_PENDING: "Query pending",
    EncounterStatus.READY: "Ready",
    EncounterStatus.EXPORTED: "Exported",
    EncounterStatus.REWORK: "Rework",
}


def _date(value: dt.date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def _sortable_date(value: dt.date | None) -> str:
    return value.isoformat() if value else "9999-12-31"


def _queries(row: WorklistRow) -> str:
    if not row.open_queries:
        return ""
    late = f", {row.overdue_queries} overdue" if row.overdue_queries else ""
    return f"{row.open_queries} open{late}"


# (header, display value, sort key) per column.
_COLUMNS: tuple[tuple[str, Callable[[WorklistRow], Any], Callable[[WorklistRow], Any]], ...] = (
    ("Patient", lambda r: r.patient_name, lambda r: r.patient_name.lower()),
    ("Account", lambda r: r.account_number, lambda r: r.account_number),
    (
        "Date of service",
        lambda r: _date(r.date_of_service),
        lambda r: _sortable_date(r.date_of_service),
    ),
    ("Type", lambda r: r.encounter_type, lambda r: r.encounter_type),
    ("Specialty", lambda r: r.specialty, lambda r: r.specialty),
    ("Payer", lambda r: r.payer, lambda r: r.payer),
    ("Status", lambda r: STATUS_LABELS[r.status], lambda r: list(STATUS_LABELS).index(r.status)),
    ("Due", lambda r: _date(r.due_date), lambda r: _sortable_date(r.due_date)),
    ("Priority", lambda r: r.priority, lambda r: r.priority),
    ("Docs", lambda r: r.document_count, lambda r: r.document_count),
    ("Queries", lambda r: _queries(r), lambda r: (r.overdue_queries, r.open_queries)),
)

ENCOUNTER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
DUE_COLUMN = 7


class WorklistModel(QAbstractTableModel):
    """Read-only table of encounters; replace the rows wholesale on refresh."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[WorklistRow, ...] = ()

    def set_rows(self, rows: Sequence[WorklistRow]) -> None:
        """Show a new snapshot of the worklist."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row (on lock: no PHI may stay in a model)."""
        self.set_rows(())

    def row_at(self, row: int) -> WorklistRow:
        """The snapshot shown at `row`."""
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[index.column()][1](row)
        if role == ENCOUNTER_ID_ROLE:
            return row.encounter_id
        if role == SORT_ROLE:
            return _COLUMNS[index.column()][2](row)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 8:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_COLUMNS):
            return _COLUMNS[section][0]
        return None
