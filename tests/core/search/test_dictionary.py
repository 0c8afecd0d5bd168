# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's own dictionaries: every synonym group reaches the tabular, the clinical
terms widen documents and not queries, and codes are found by their other names."""

from __future__ import annotations

import json
import tomllib
from typing import TYPE_CHECKING

import pytest

from coderdesk.core.paths import codesets_dir
from coderdesk.core.search.analysis import (
    SNAPSHOT_FOLDER,
    TERMS_FILE,
    PhraseTable,
    load_dictionary,
    words,
)
from coderdesk.core.search.documents import load_icd_rows

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.search.engine import SearchEngine


def _clinical_groups() -> list[list[str]]:
    raw = tomllib.loads((codesets_dir() / TERMS_FILE).read_text(encoding="utf-8"))
    groups: list[list[str]] = raw["groups"]
    return groups


def test_every_clinical_group_names_wording_the_tabular_uses(
    loaded_library: CodeSetLibrary,
) -> None:
    # A group none of whose phrases a title or inclusion term holds reaches no code.
    groups = _clinical_groups()
    table = PhraseTable.of({" ".join(words(p)): () for group in groups for p in group})
    version = loaded_library.version_for("icd10cm")
    assert version is not None
    held: set[str] = set()
    for row in load_icd_rows(loaded_library, version).values():
        held.update(table.phrases_in(" | ".join([row.title, *row.inclusion])))
    unreached = [g for g in groups if not {" ".join(words(p)) for p in g} & held]
    assert len(groups) > 1000
    assert unreached == []


def test_clinical_terms_widen_documents_not_queries() -> None:
    dictionary = load_dictionary()
    assert "hashimoto thyroiditis" in dictionary.synonyms_of("Autoimmune thyroiditis")
    assert "pott disease" in dictionary.synonyms_of("Tuberculosis of spine")
    # The query keeps its own words: a title holding them is not outnumbered.
    assert not any("thyroiditis" in o for _, o in dictionary.synonym_pairs("hashimoto"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hashimoto's disease", "E06.3"),  # Autoimmune thyroiditis
        ("lockjaw", "A35"),  # Other tetanus
        ("os calcis fracture", "S92.0"),  # Fracture of calcaneus
        ("lazy eye", "H53.00"),  # Unspecified amblyopia
    ],
)
def test_a_code_is_found_by_its_other_names(
    engine: SearchEngine, query: str, expected: str
) -> None:
    codes = [r.code for r in engine.search(query, limit=5, system="icd10cm").results]
    assert any(code.startswith(expected) for code in codes), codes


def test_a_snapshot_of_the_dictionary_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODERDESK_CACHE_DIR", str(tmp_path))
    load_dictionary.cache_clear()
    try:
        built = load_dictionary()  # no snapshot yet: built from the files, then saved
        [snapshot] = (tmp_path / SNAPSHOT_FOLDER).glob("*.json")
        load_dictionary.cache_clear()
        assert load_dictionary() == built
        snapshot.write_text('{"abbreviations": ', encoding="utf-8")  # damaged
        load_dictionary.cache_clear()
        assert load_dictionary() == built
        assert json.loads(snapshot.read_text(encoding="utf-8"))["abbreviations"]
        wrong_shape = {"abbreviations": {}, "synonyms": {"entries": [], "lengths": {}}}
        snapshot.write_text(json.dumps(wrong_shape), encoding="utf-8")
        load_dictionary.cache_clear()
        assert load_dictionary() == built
    finally:
        load_dictionary.cache_clear()
