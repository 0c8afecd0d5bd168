# SPDX-License-Identifier: GPL-3.0-or-later
"""The code-set library: versions by date of service, atomic and idempotent imports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.codes.importers import import_release
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.codes.records import ImportFormatError
from coderdesk.core.errors import Cancelled, UsageError
from coderdesk.core.progress import CancelToken

if TYPE_CHECKING:
    from pathlib import Path

GOOD = "99213\tOffice visit fixture descriptor\n99214\tLonger visit fixture descriptor\n"


@pytest.fixture
def library(tmp_path: Path) -> CodeSetLibrary:
    """An empty library in a temporary file."""
    return CodeSetLibrary(tmp_path / "codesets.sqlite")


def _cpt(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version_in_force_follows_the_date_of_service(
    library: CodeSetLibrary, tmp_path: Path
) -> None:
    import_release(library, "cpt", _cpt(tmp_path, "a.txt", GOOD), effective=dt.date(2025, 1, 1))
    import_release(
        library,
        "cpt",
        _cpt(tmp_path, "b.txt", GOOD + "99215\tFixture\n"),
        effective=dt.date(2026, 1, 1),
    )
    assert library.version_for("cpt", dt.date(2025, 6, 1)).record_count == 2  # type: ignore[union-attr]
    assert library.version_for("cpt", dt.date(2026, 6, 1)).record_count == 3  # type: ignore[union-attr]
    # Before any version: the earliest one rather than nothing.
    assert library.version_for("cpt", dt.date(2020, 1, 1)).record_count == 2  # type: ignore[union-attr]


def test_same_file_twice_changes_nothing(library: CodeSetLibrary, tmp_path: Path) -> None:
    path = _cpt(tmp_path, "cpt.txt", GOOD)
    first = import_release(library, "cpt", path)
    again = import_release(library, "cpt", path)
    assert again.unchanged
    assert again.version_id == first.version_id
    assert len(library.versions("cpt")) == 1


def test_failed_import_leaves_the_previous_version(library: CodeSetLibrary, tmp_path: Path) -> None:
    import_release(library, "cpt", _cpt(tmp_path, "good.txt", GOOD))
    bad = _cpt(tmp_path, "bad.txt", GOOD + "ABCDE\tnot a code\n")
    with pytest.raises(ImportFormatError, match="line 3"):
        import_release(library, "cpt", bad, effective=dt.date(2030, 1, 1))
    assert [v.source_name for v in library.versions("cpt")] == ["good.txt"]
    rows = library.db.execute("SELECT count(*) FROM cpt_codes").fetchone()[0]
    assert rows == 2


def test_cancelled_import_leaves_nothing(library: CodeSetLibrary, tmp_path: Path) -> None:
    lines = "".join(f"{10000 + n}\tFixture {n}\n" for n in range(20_000))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        import_release(library, "cpt", _cpt(tmp_path, "big.txt", lines), cancel=token)
    assert library.versions() == []
    assert library.db.execute("SELECT count(*) FROM cpt_codes").fetchone()[0] == 0


def test_wrong_kind_or_file_is_a_clear_error(library: CodeSetLibrary, shared_data: Path) -> None:
    eindex = shared_data / "icd10cm-2025-index" / "icd-10-cm-eindex-2025.xml"
    with pytest.raises(ImportFormatError, match="eindex"):
        import_release(library, "icd10cm-index", eindex)
    with pytest.raises(UsageError, match="Unknown kind"):
        import_release(library, "snomed", eindex)
    with pytest.raises(UsageError, match="No file"):
        import_release(library, "cpt", shared_data / "missing.txt")


def test_ncci_and_mue_import_and_store(library: CodeSetLibrary, tmp_path: Path) -> None:
    ptp = tmp_path / "ptp.txt"
    ptp.write_text(
        "CMS NCCI practitioner PTP edits (test fixture)\n"
        "Column 1\tColumn 2\t* = in existence prior to 1996\tEffective Date\tDeletion Date\t"
        "Modifier\tPTP Edit Rationale\n"
        "J3301\tG0438\t\t20200101\t*\t1\tFixture rationale\n"
        "11111\t22222\t*\t19960101\t20191231\t0\tFixture rationale\n",
        encoding="utf-8",
    )
    summary = import_release(library, "ncci-ptp", ptp)
    assert summary.records == 2
    row = library.db.execute("SELECT * FROM ncci_ptp WHERE column1 = 'J3301'").fetchone()
    assert row["modifier_indicator"] == 1
    assert row["deletion"] is None


def test_an_older_library_has_its_note_references_read_again(tmp_path: Path) -> None:
    path = tmp_path / "codesets.sqlite"
    library = CodeSetLibrary(path)
    with library.transaction():
        version = library.add_version("icd10cm", "old", (dt.date(2025, 10, 1), None), ("f", "x"))
        stale = '[["excludes1", "uveitis in diabetes (E08-E09 with .39)", [["E08", "E09", true]]]]'
        library.db.execute(
            "INSERT INTO icd_nodes VALUES (?, 'H20.0', 'subcategory', 't', 'H20', 0, 1, ?, '{}')",
            (version, stale),
        )
        library.activate(version, 1)
    library.db.execute("PRAGMA user_version = 1")
    library.close()
    reopened = CodeSetLibrary(path)
    notes = reopened.db.execute("SELECT notes FROM icd_nodes").fetchone()[0]
    assert '["E08.39", null, true]' in notes
    assert '"E08", "E09"' not in notes
    assert reopened.db.execute("PRAGMA user_version").fetchone()[0] == 2
    reopened.close()
