# SPDX-License-Identifier: GPL-3.0-or-later
"""The process `test_crash_durability` kills: it saves code sheets in a loop until killed.

Run by path: `python crash_worker.py WORKSPACE PATIENT_ID RUN CODE...`, with the
passphrase in `CODERDESK_PASSPHRASE` and the `CODERDESK_*_DIR` variables of the test. Each
save creates one encounter (type `save-RUN-I`) and then sets its diagnoses to CODE...; only
after both calls have returned is the label written to stdout and flushed: that line is
the acknowledgement the test holds the workspace to. The loop ends only by a signal or
when the reading end of stdout goes away (BrokenPipeError).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from coderdesk.core.services.codesheet import CodeSheetService
from coderdesk.core.services.encounters import EncounterInput, EncounterService
from coderdesk.core.store.workspace import Workspace

DATE_OF_SERVICE = dt.date(2024, 3, 1)


def save_forever(path: Path, patient_id: int, run: str, codes: list[str]) -> None:
    """Unlock `path` and save one encounter with its code sheet after another, forever."""
    workspace = Workspace.unlock(path, os.environ["CODERDESK_PASSPHRASE"])
    encounters = EncounterService(workspace)
    sheets = CodeSheetService(workspace)
    number = 0
    while True:
        label = f"save-{run}-{number}"
        encounter_id = encounters.create(EncounterInput(patient_id, DATE_OF_SERVICE, label))
        sheets.replace_diagnoses(encounter_id, codes)
        sys.stdout.write(label + "\n")
        sys.stdout.flush()
        number += 1


def main(argv: list[str]) -> int:
    """Parse the command line and save until killed."""
    if len(argv) < 4:
        sys.stderr.write("usage: crash_worker.py WORKSPACE PATIENT_ID RUN CODE...\n")
        return 2
    save_forever(Path(argv[0]), int(argv[1]), argv[2], argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
