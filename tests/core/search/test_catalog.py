# SPDX-License-Identifier: GPL-3.0-or-later
"""Tabular detail and the Alphabetic Index walk, on the real FY2026 tabular and FY2025 index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coderdesk.core.codes.catalog import Catalog

if TYPE_CHECKING:
    from coderdesk.core.codes.library import CodeSetLibrary


def test_code_detail_has_path_notes_children(loaded_library: CodeSetLibrary) -> None:
    detail = Catalog(loaded_library).detail("e11.40")
    assert detail.code == "E11.40"
    assert detail.billable
    assert [p["code"] for p in detail.path] == ["chapter-4", "E08-E13", "E11", "E11.4"]
    e10 = [
        n
        for n in detail.notes
        if n.kind == "excludes1"
        and n.source == "E11"
        and any(r.start == "E10" and r.children for r in n.refs)
    ]
    assert e10
    assert e10[0].level == "category"
    assert any(n.level == "chapter" for n in detail.notes)


def test_seventh_characters_are_offered_with_placeholder(loaded_library: CodeSetLibrary) -> None:
    catalog = Catalog(loaded_library)
    detail = catalog.detail("S72.001")
    assert not detail.billable
    assert detail.requires_seventh
    chars = {s.char: s.code for s in detail.seventh_characters}
    assert chars["A"] == "S72.001A"
    assert "S" in chars
    assert {s.code for s in catalog.detail("T15.00").seventh_characters} >= {"T15.00XA"}
    assert [s.char for s in catalog.detail("S06.1X7").seventh_characters] == ["A"]
    assert catalog.detail("E11.40").seventh_characters == ()


def test_hcpcs_detail(loaded_library: CodeSetLibrary) -> None:
    detail = Catalog(loaded_library).detail("j3301")
    assert detail.system == "hcpcs"
    assert "triamcinolone" in detail.title.lower()


def test_index_walk_main_term_subterms_code(loaded_library: CodeSetLibrary) -> None:
    catalog = Catalog(loaded_library)
    aberrant = next(t for t in catalog.main_terms("Aberrant") if t.title == "Aberrant")
    assert aberrant.see_also == "Malposition, congenital"
    artery = next(t for t in catalog.subterms(aberrant.id) if t.title == "artery")
    assert artery.code == "Q27.8"
    assert artery.has_children
    assert any(t.title == "coronary" and t.code == "Q24.5" for t in catalog.subterms(artery.id))


def test_see_references_are_followed(loaded_library: CodeSetLibrary) -> None:
    catalog = Catalog(loaded_library)
    target = catalog.follow("Pain, abdominal")
    assert target is not None
    assert target.title == "abdominal"
    assert target.level == 1


def test_neoplasm_table_row_by_column(loaded_library: CodeSetLibrary) -> None:
    catalog = Catalog(loaded_library)
    neoplasm = catalog.main_terms("Neoplasm", system="icd10cm-neoplasm")[0]
    abdomen = next(
        t
        for t in catalog.subterms(neoplasm.id, system="icd10cm-neoplasm")
        if t.title.startswith("abdomen")
    )
    assert abdomen.cells["2"] == "C76.2"
    assert abdomen.cells["3"] == "C79.8-"
