# SPDX-License-Identifier: GPL-3.0-or-later
"""Libraries and search indexes built once per session: the embedded ICD-10-CM with the real
indexes and HCPCS, and the embedded ICD-10-CM alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from coderdesk.core.codes.importers import ensure_default_icd10cm, import_release
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.search.bench import SHARED_IMPORTS
from coderdesk.core.search.engine import SearchEngine

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def loaded_library(
    tmp_path_factory: pytest.TempPathFactory, shared_data_session: Path
) -> Iterator[CodeSetLibrary]:
    """The embedded tabular plus the CDC indexes and HCPCS from ../shared/data."""
    shared = shared_data_session
    library = CodeSetLibrary(tmp_path_factory.mktemp("library") / "codesets.sqlite")
    ensure_default_icd10cm(library)
    for kind, relative in SHARED_IMPORTS:
        import_release(library, kind, shared / relative)
    yield library
    library.close()


@pytest.fixture(scope="session")
def engine(
    loaded_library: CodeSetLibrary, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchEngine]:
    """A search engine over the loaded library (index built once)."""
    opened = SearchEngine.open(loaded_library, tmp_path_factory.mktemp("index") / "ix")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def tabular_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    """A search engine over the embedded tabular alone, as a fresh install has it."""
    library = CodeSetLibrary(tmp_path_factory.mktemp("tabular") / "codesets.sqlite")
    ensure_default_icd10cm(library)
    opened = SearchEngine.open(library, tmp_path_factory.mktemp("tabular-index") / "ix")
    yield opened
    opened.close()
    library.close()
