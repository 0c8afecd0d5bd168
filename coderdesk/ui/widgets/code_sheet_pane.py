# SPDX-License-Identifier: GPL-3.0-or-later
"""The code sheet pane: the open encounter's diagnoses in sequence and its service lines.

Editing is keyboard-first: Alt+Up / Alt+Down move the current diagnosis or line, Delete
removes it, F2 (or a double click) edits a line's modifiers, units, pointers, charge or
place of service. Each change is checked cell by cell; a valid one is announced as a
whole new sheet (`sheet_edited`), which the window saves at once and can undo.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from coderdesk.core.services.codesheet import LineInput

if TYPE_CHECKING:
    from coderdesk.core.services.encounters import EncounterDetail

_POINTER_LETTERS = "ABCDEFGHIJKL"
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MODIFIERS_COLUMN, UNITS_COLUMN, POINTERS_COLUMN, CHARGE_COLUMN, POS_COLUMN = 2, 3, 4, 5, 6
FROM_COLUMN, TO_COLUMN = 7, 8
_MODIFIER = re.compile(r"[0-9A-Z]{2}")


def pointer_letters(pointers: tuple[int, ...]) -> str:
    """Diagnosis pointers as the claim prints them (1 -> A)."""
    return "".join(_POINTER_LETTERS[p - 1] for p in pointers if 1 <= p <= len(_POINTER_LETTERS))


@dataclass(frozen=True)
class Sheet:
    """A whole code sheet: what one edit changes and one undo restores."""

    diagnoses: tuple[str, ...]
    lines: tuple[LineInput, ...]


def sheet_of(detail: EncounterDetail) -> Sheet:
    """The code sheet of an opened encounter."""
    return Sheet(
        tuple(d.code for d in detail.diagnoses),
        tuple(
            LineInput(
                code=line.code,
                date_from=line.date_from,
                units=line.units,
                modifiers=line.modifiers,
                pointers=line.pointers,
                charge_cents=line.charge_cents,
                date_to=line.date_to,
                place_of_service=line.place_of_service,
            )
            for line in detail.service_lines
        ),
    )


# -- one cell at a time -----------------------------------------------------------------


def parse_modifiers(text: str) -> tuple[str, ...]:
    """'25 59' or '25,59' -> ('25', '59'); at most four two-character modifiers."""
    found = tuple(m for m in re.split(r"[\s,;]+", text.strip().upper()) if m)
    bad = [m for m in found if not _MODIFIER.fullmatch(m)]
    if bad:
        raise ValueError(f"'{bad[0]}' is not a modifier (two letters or digits).")
    if len(found) > MAX_MODIFIERS:
        raise ValueError("A line takes at most 4 modifiers.")
    return found


def parse_units(text: str) -> int:
    """A whole number of units, 1 or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError("Units must be a whole number, 1 or more.")
    return int(text)


def parse_pointers(text: str, diagnoses: int) -> tuple[int, ...]:
    """'AB', 'A,B' or 'a b' -> (1, 2): one to four letters of listed diagnoses."""
    letters = [c for c in text.upper() if not c.isspace() and c not in ",;"]
    if not letters:
        raise ValueError("Point the line to at least one diagnosis (A-L).")
    if len(letters) > MAX_POINTERS:
        raise ValueError("A line points to at most 4 diagnoses.")
    pointers = []
    for letter in letters:
        position = _POINTER_LETTERS.find(letter) + 1
        if position == 0 or position > diagnoses:
            raise ValueError(f"'{letter}' is not a listed diagnosis (A-{_last_letter(diagnoses)}).")
        pointers.append(position)
    return tuple(dict.fromkeys(pointers))


def _last_letter(diagnoses: int) -> str:
    return _POINTER_LETTERS[max(0, min(diagnoses, len(_POINTER_LETTERS)) - 1)]


def parse_charge(text: str) -> int:
    """'150', '$1,250.50' -> cents; never negative."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount.") from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("The charge is dollars and cents, not negative.")
    return int(amount * 100)


def parse_day(text: str) -> dt.date:
    """'03/14/2026' or '2026-03-14'."""
    cleaned = text.strip()
    for layout in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(cleaned, layout).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (MM/DD/YYYY).")


def parse_place(text: str) -> str:
    """A two-digit place-of-service code."""
    code = text.strip()
    if len(code) != 2 or not code.isdigit():
        raise ValueError("The place of service is a two-digit code (11 for the office).")
    return code


# -- moving and removing ------------------------------------------------------------------


def move_diagnosis(sheet: Sheet, index: int, offset: int) -> Sheet:
    """Move diagnosis `index` by `offset`; the lines' pointers follow the codes."""
    target = index + offset
    if not (0 <= index < len(sheet.diagnoses) and 0 <= target < len(sheet.diagnoses)):
        return sheet
    order = list(range(len(sheet.diagnoses)))
    order.insert(target, order.pop(index))
    new_position = {old + 1: new + 1 for new, old in enumerate(order)}
    return Sheet(
        tuple(sheet.diagnoses[old] for old in order),
        tuple(
            replace(line, pointers=tuple(new_position[p] for p in line.pointers))
            for line in sheet.lines
        ),
    )


def remove_diagnosis(sheet: Sheet, index: int) -> Sheet:
    """Remove diagnosis `index`; pointers to it go, later ones shift up."""
    removed = index + 1

    def shifted(pointers: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(p - (p > removed) for p in pointers if p != removed)

    return Sheet(
        sheet.diagnoses[:index] + sheet.diagnoses[index + 1 :],
        tuple(replace(line, pointers=shifted(line.pointers)) for line in sheet.lines),
    )


def move_line(sheet: Sheet, index: int, offset: int) -> Sheet:
    """Move service line `index` by `offset`."""
    target = index + offset
    if not (0 <= index < len(sheet.lines) and 0 <= target < len(sheet.lines)):
        return sheet
    lines = list(sheet.lines)
    lines.insert(target, lines.pop(index))
    return Sheet(sheet.diagnoses, tuple(lines))


def remove_line(sheet: Sheet, index: int) -> Sheet:
    """Remove service line `index`."""
    return Sheet(sheet.diagnoses, sheet.lines[:index] + sheet.lines[index + 1 :])


def edit_line_cell(sheet: Sheet, index: int, column: int, text: str) -> Sheet:
    """The sheet with one line cell changed; ValueError says what is wrong with the text."""
    line = sheet.lines[index]
    if column == MODIFIERS_COLUMN:
        line = replace(line, modifiers=parse_modifiers(text))
    elif column == UNITS_COLUMN:
        line = replace(line, units=parse_units(text))
    elif column == POINTERS_COLUMN:
        line = replace(line, pointers=parse_pointers(text, len(sheet.diagnoses)))
    elif column == CHARGE_COLUMN:
        line = replace(line, charge_cents=parse_charge(text))
    elif column == POS_COLUMN:
        line = replace(line, place_of_service=parse_place(text))
    elif column == FROM_COLUMN:
        line = replace(line, date_from=parse_day(text))
    elif column == TO_COLUMN:
        line = replace(line, date_to=parse_day(text))
    else:
        raise ValueError("This column cannot be edited here.")
    if line.date_to is not None and line.date_to < line.date_from:
        raise ValueError("The service cannot end before it starts.")
    return Sheet(sheet.diagnoses, sheet.lines[:index] + (line,) + sheet.lines[index + 1 :])


# -- the pane --------------------------------------------------------------------------------


class CodeSheetPane(QWidget):
    """The open encounter's code sheet, editable from the keyboard."""

    sheet_edited = Signal(object, str)  # the new Sheet, and what changed (for undo)
    problem = Signal(str)  # a cell's text was refused: why

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.sheet: Sheet | None = None
        self._filling = False
        self.diagnoses = QTreeWidget(self)
        self.diagnoses.setHeaderLabels(["", "Diagnosis", "Description"])
        self.diagnoses.setRootIsDecorated(False)
        self.diagnoses.setColumnWidth(0, 28)
        self.lines = QTreeWidget(self)
        self.lines.setHeaderLabels(
            ["#", "Code", "Modifiers", "Units", "Pointers", "Charge", "POS", "From", "To"]
        )
        self.lines.setRootIsDecorated(False)
        self.lines.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.lines.itemChanged.connect(self._cell_changed)
        for tree in (self.diagnoses, self.lines):
            tree.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Diagnoses (first-listed first; Alt+Up/Down to sequence)", self))
        layout.addWidget(self.diagnoses)
        layout.addWidget(QLabel("Service lines (F2 edits a cell)", self))
        layout.addWidget(self.lines)
        self.clear()

    def show_encounter(self, detail: EncounterDetail) -> None:
        """Show `detail`'s code sheet."""
        self.heading.setText(f"Code sheet: encounter of {detail.date_of_service:%m/%d/%Y}")
        descriptions = {d.code: d.description for d in detail.diagnoses}
        self._fill(sheet_of(detail), descriptions)

    def _fill(self, sheet: Sheet, descriptions: dict[str, str]) -> None:
        self._filling = True
        try:
            self.sheet = sheet
            self.diagnoses.clear()
            self.lines.clear()
            for position, code in enumerate(sheet.diagnoses):
                item = QTreeWidgetItem(
                    [_POINTER_LETTERS[position], code, descriptions.get(code, "")]
                )
                if position == 0:
                    item.setToolTip(1, "first-listed diagnosis")
                    font = item.font(1)
                    font.setBold(True)
                    item.setFont(1, font)
                self.diagnoses.addTopLevelItem(item)
            for number, line in enumerate(sheet.lines, start=1):
                self.lines.addTopLevelItem(_line_item(number, line))
        finally:
            self._filling = False

    def current_diagnosis(self) -> str:
        """The selected diagnosis code ('' when none)."""
        item = self.diagnoses.currentItem()
        return item.text(1) if item is not None else ""

    def select(self, codes: tuple[str, ...], lines: tuple[int, ...]) -> None:
        """Select the line (by number) or the diagnosis (by code) a finding is about."""
        line = self.lines.topLevelItem(lines[0] - 1) if lines and lines[0] > 0 else None
        if line is not None:
            self.lines.setCurrentItem(line)
            self.lines.setFocus()
            return
        wanted = {c.replace(".", "") for c in codes}
        for row in range(self.diagnoses.topLevelItemCount()):
            item = self.diagnoses.topLevelItem(row)
            if item is not None and item.text(1).replace(".", "") in wanted:
                self.diagnoses.setCurrentItem(item)
                self.diagnoses.setFocus()
                return

    def clear(self) -> None:
        """Empty the sheet (on lock or before another encounter)."""
        self.heading.setText("Code sheet")
        self.sheet = None
        self._filling = True
        self.diagnoses.clear()
        self.lines.clear()
        self._filling = False

    # -- editing -------------------------------------------------------------------------

    def _cell_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or self.sheet is None:
            return
        index = self.lines.indexOfTopLevelItem(item)
        try:
            changed = edit_line_cell(self.sheet, index, column, item.text(column))
        except ValueError as exc:
            self.problem.emit(f"Line {index + 1}: {exc}")
            self._filling = True
            item.setText(column, _line_values(index + 1, self.sheet.lines[index])[column])
            self._filling = False
            return
        heading = self.lines.headerItem().text(column).lower()
        self.sheet_edited.emit(changed, f"edit line {index + 1} {heading}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Alt+Up/Down to move, Delete to remove, in either list."""
        if (
            self.sheet is None
            or event.type() != QEvent.Type.KeyPress
            or not isinstance(event, QKeyEvent)
            or watched not in (self.diagnoses, self.lines)
        ):
            return super().eventFilter(watched, event)
        tree = self.diagnoses if watched is self.diagnoses else self.lines
        current = tree.currentItem()
        index = tree.indexOfTopLevelItem(current) if current is not None else -1
        if index < 0:
            return super().eventFilter(watched, event)
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        key = event.key()
        if alt and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            offset = -1 if key == Qt.Key.Key_Up else 1
            self._move(tree, index, offset)
            return True
        if key == Qt.Key.Key_Delete:
            self._remove(tree, index)
            return True
        return super().eventFilter(watched, event)

    def _move(self, tree: QTreeWidget, index: int, offset: int) -> None:
        assert self.sheet is not None
        if tree is self.diagnoses:
            changed = move_diagnosis(self.sheet, index, offset)
            what = f"move {self.sheet.diagnoses[index]}"
        else:
            changed = move_line(self.sheet, index, offset)
            what = f"move line {index + 1}"
        if changed != self.sheet:
            self.sheet_edited.emit(changed, what)
            target = tree.topLevelItem(index + offset)
            if target is not None:
                tree.setCurrentItem(target)

    def _remove(self, tree: QTreeWidget, index: int) -> None:
        assert self.sheet is not None
        if tree is self.diagnoses:
            self.sheet_edited.emit(
                remove_diagnosis(self.sheet, index), f"remove {self.sheet.diagnoses[index]}"
            )
        else:
            self.sheet_edited.emit(remove_line(self.sheet, index), f"remove line {index + 1}")


def _line_values(number: int, line: LineInput) -> list[str]:
    return [
        str(number),
        line.code,
        " ".join(line.modifiers),
        str(line.units),
        pointer_letters(line.pointers),
        f"{line.charge_cents / 100:,.2f}",
        line.place_of_service,
        f"{line.date_from:%m/%d/%Y}",
        f"{(line.date_to or line.date_from):%m/%d/%Y}",
    ]


def _line_item(number: int, line: LineInput) -> QTreeWidgetItem:
    item = QTreeWidgetItem(_line_values(number, line))
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
    return item
