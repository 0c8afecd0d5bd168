# SPDX-License-Identifier: GPL-3.0-or-later
"""The code sheet: an encounter's diagnoses in sequence and its service lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete

from coderdesk.core.errors import UsageError
from coderdesk.core.services.base import WorkspaceService, get_or_raise
from coderdesk.core.store.audit import AuditAction
from coderdesk.core.store.models import Diagnosis, Encounter, ServiceLine

if TYPE_CHECKING:
    import datetime as dt

MAX_DIAGNOSES = 12
MAX_MODIFIERS = 4


@dataclass(frozen=True)
class LineInput:
    """A service line as the coder enters it."""

    code: str
    date_from: dt.date
    units: int = 1
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = (1,)
    charge_cents: int = 0
    date_to: dt.date | None = None
    place_of_service: str = "11"


def _normalise_code(code: str) -> str:
    return code.strip().upper()


def _check_line(line: LineInput) -> None:
    if len(line.modifiers) > MAX_MODIFIERS:
        raise UsageError("A service line takes at most 4 modifiers.")
    if line.units < 1:
        raise UsageError("Units must be 1 or more.")


class CodeSheetService(WorkspaceService):
    """Saves diagnoses and service lines; each save is one audited transaction."""

    def replace_diagnoses(self, encounter_id: int, codes: list[str]) -> None:
        """Set the encounter's diagnoses, first-listed first."""
        self._replace(encounter_id, codes, None)

    def replace_lines(self, encounter_id: int, lines: list[LineInput]) -> None:
        """Set the encounter's service lines, in order."""
        self._replace(encounter_id, None, lines)

    def replace_sheet(self, encounter_id: int, codes: list[str], lines: list[LineInput]) -> None:
        """Set diagnoses and lines together: one transaction, so one edit never half-lands."""
        self._replace(encounter_id, codes, lines)

    def _replace(
        self, encounter_id: int, codes: list[str] | None, lines: list[LineInput] | None
    ) -> None:
        if codes is not None and len(codes) > MAX_DIAGNOSES:
            raise UsageError("A claim holds at most 12 diagnoses (A-L).")
        for line in lines or []:
            _check_line(line)
        with self.workspace.session() as session:
            get_or_raise(session, Encounter, encounter_id, "Encounter")
            if codes is not None:
                session.execute(delete(Diagnosis).where(Diagnosis.encounter_id == encounter_id))
                for position, code in enumerate(codes, start=1):
                    session.add(
                        Diagnosis(
                            encounter_id=encounter_id,
                            position=position,
                            code=_normalise_code(code),
                        )
                    )
            if lines is not None:
                session.execute(delete(ServiceLine).where(ServiceLine.encounter_id == encounter_id))
                for position, line in enumerate(lines, start=1):
                    session.add(_line_row(encounter_id, position, line))
            self._audit(session, AuditAction.UPDATE, "code_sheet", encounter_id)


def _line_row(encounter_id: int, position: int, line: LineInput) -> ServiceLine:
    return ServiceLine(
        encounter_id=encounter_id,
        position=position,
        code=_normalise_code(line.code),
        modifiers=[m.strip().upper() for m in line.modifiers],
        units=line.units,
        diagnosis_pointers=list(line.pointers),
        charge_cents=line.charge_cents,
        date_from=line.date_from,
        date_to=line.date_to or line.date_from,
        place_of_service=line.place_of_service,
    )
