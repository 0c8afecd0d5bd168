# SPDX-License-Identifier: GPL-3.0-or-later
"""Rules fixtures: a code-set library holding the embedded tabular, and a claim builder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.codes.importers import ensure_default_icd10cm
from coderdesk.core.codes.library import CodeSetLibrary

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ClaimBuilder = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def icd_library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library file with the embedded FY2026 tabular, built once per session."""
    path = tmp_path_factory.mktemp("icd-library") / "codesets.sqlite"
    library = CodeSetLibrary(path)
    ensure_default_icd10cm(library)
    library.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    library.close()
    return path


def copy_library(source: Path, folder: Path) -> CodeSetLibrary:
    """A private copy of a library file, for tests that import more releases into it."""
    target = folder / "codesets.sqlite"
    shutil.copyfile(source, target)
    return CodeSetLibrary(target)


@pytest.fixture(scope="module")
def module_library(
    icd_library_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CodeSetLibrary]:
    """This module's own copy of the tabular library."""
    library = copy_library(icd_library_file, tmp_path_factory.mktemp("library"))
    yield library
    library.close()


def build_claim(
    diagnoses: list[str], lines: list[dict[str, Any]] | None = None, **changes: Any
) -> dict[str, Any]:
    """A complete, valid claim: a 1950-born woman seen 2026-03-14 at the office."""
    default_line = {
        "code": "99213",
        "modifiers": [],
        "units": 1,
        "pointers": [1],
        "charge": 90.0,
        "pos": "11",
        "from": "2026-03-14",
        "to": "2026-03-14",
    }
    data: dict[str, Any] = {
        "date_of_service": "2026-03-14",
        "patient": {"dob": "1950-02-01", "sex": "F", "name": "Fixture, Pat", "account": "A1"},
        "subscriber": {"id": "S1", "name": "Fixture, Pat"},
        "payer": {"name": "Fixture Health", "id": "P1"},
        "billing_provider": {"name": "Clinic", "npi": "1234567893", "tax_id": "123456789"},
        "rendering_provider": {"npi": "1234567893"},
        "diagnoses": diagnoses,
        "lines": [{**default_line, **line} for line in (lines or [{}])],
    }
    data.update(changes)
    return data


@pytest.fixture(scope="session")
def make_claim() -> ClaimBuilder:
    """`build_claim`, for tests: make_claim(["E11.9"], lines=[{"code": "99213"}], ...)."""
    return build_claim
