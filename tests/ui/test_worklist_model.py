# SPDX-License-Identifier: GPL-3.0-or-later
"""The worklist table model: Qt's model contract, headers, and sorting by real dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QSortFilterProxyModel, Qt

from coderdesk.core.demo import DEMO_CHARTS
from coderdesk.core.services.encounters import EncounterService, WorklistRow
from coderdesk.core.store.models import EncounterStatus
from coderdesk.ui.models.worklist_model import (
    DUE_COLUMN,
    ENCOUNTER_ID_ROLE,
    SORT_ROLE,
    WorklistModel,
)

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

    from coderdesk.core.store.workspace import Workspace

HEADERS = [
    "Patient",
    "Account",
    "Date of service",
    "Type",
    "Specialty",
    "Payer",
    "Status",
    "Due",
    "Priority",
    "Docs",
    "Queries",
]

_ROW = WorklistRow(
    encounter_id=1,
    patient_name="Example, Pat",
    account_number="ACC-1",
    date_of_service=dt.date(2025, 12, 1),
    encounter_type="Office visit",
    specialty="Family medicine",
    payer="Example Payer",
    status=EncounterStatus.NEW,
    due_date=None,
    priority=3,
    document_count=0,
)


def _row(encounter_id: int, due: dt.date | None) -> WorklistRow:
    return dataclasses.replace(_ROW, encounter_id=encounter_id, due_date=due)


def test_demo_worklist_passes_the_model_tester(
    qtmodeltester: ModelTester, demo_workspace: Workspace
) -> None:
    rows = EncounterService(demo_workspace).worklist()
    model = WorklistModel()
    model.set_rows(rows)
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == len(DEMO_CHARTS)
    assert model.columnCount() == len(HEADERS)
    ids = {model.index(r, 0).data(ENCOUNTER_ID_ROLE) for r in range(model.rowCount())}
    assert ids == {row.encounter_id for row in rows}
    # The tester keeps watching: a reset to empty and back must also stay consistent.
    model.clear()
    assert model.rowCount() == 0
    model.set_rows(rows)
    assert model.rowCount() == len(DEMO_CHARTS)


def test_empty_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = WorklistModel()
    qtmodeltester.check(model)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 0
    assert model.columnCount() == len(HEADERS)


def test_headers() -> None:
    model = WorklistModel()
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(c, horizontal) for c in range(model.columnCount())] == HEADERS
    assert model.headerData(DUE_COLUMN, horizontal) == "Due"
    assert model.headerData(len(HEADERS), horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_sort_role_orders_due_dates_chronologically() -> None:
    dues = {
        1: dt.date(2026, 2, 1),
        2: None,
        3: dt.date(2025, 12, 31),
        4: dt.date(2026, 1, 2),
        5: dt.date(2024, 6, 15),
    }
    model = WorklistModel()
    model.set_rows([_row(encounter_id, due) for encounter_id, due in dues.items()])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)

    def order() -> list[int]:
        return [proxy.index(r, DUE_COLUMN).data(ENCOUNTER_ID_ROLE) for r in range(proxy.rowCount())]

    # The displayed text (MM/DD/YYYY) would sort 01/02/2026 before 12/31/2025 ...
    proxy.sort(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
    assert order() != [5, 3, 4, 1, 2]
    # ... the sort role sorts by the date itself, with no due date last.
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
    assert order() == [5, 3, 4, 1, 2]
    assert proxy.index(0, DUE_COLUMN).data() == "06/15/2024"
    assert proxy.index(4, DUE_COLUMN).data() == ""
    proxy.sort(DUE_COLUMN, Qt.SortOrder.DescendingOrder)
    assert order() == [2, 1, 4, 3, 5]


def test_data_outside_the_rows_is_none() -> None:
    model = WorklistModel()
    model.set_rows([_row(1, None)])
    assert model.data(model.index(1, 0)) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None
