# SPDX-License-Identifier: GPL-3.0-or-later
"""A library and search index built once per session: embedded ICD-10-CM, real indexes, HCPCS."""

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
