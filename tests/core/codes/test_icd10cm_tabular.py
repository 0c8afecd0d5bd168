# SPDX-License-Identifier: GPL-3.0-or-later
"""The FY2026 ICD-10-CM tabular: every node, billable flags, 7th characters, inherited notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from coderdesk.core.codes.icd10cm import (
    BLOCK,
    CodeRef,
    Tabular,
    embedded_tabular_path,
    parse_refs,
    parse_tabular,
    seventh_exceptions,
    with_seventh,
)
from coderdesk.core.codes.records import ImportFormatError

if TYPE_CHECKING:
    from pathlib import Path

FY2026_BILLABLE = 74_719  # the CDC's FY2026 code count


@pytest.fixture(scope="module")
def tabular() -> Tabular:
    """The embedded FY2026 tabular, parsed once for the module."""
    return parse_tabular(embedded_tabular_path())


def test_billable_count_matches_the_release(tabular: Tabular) -> None:
    assert sum(1 for _ in tabular.billable_codes()) == FY2026_BILLABLE


def test_every_code_of_the_release_list_is_a_node(tabular: Tabular) -> None:
    listed = (embedded_tabular_path().parent / "code-list-April-2026.txt").read_text().split()
    plain = {n.code.replace(".", "") for n in tabular.nodes.values()}
    missing = [c for c in listed if not c.isdigit() and c not in plain]
    assert missing == []


def test_one_category_blocks_are_one_node(tabular: Tabular) -> None:
    for code in ("B10", "B20", "C7A"):
        assert tabular.nodes[code].kind == "category"
        assert tabular.nodes[tabular.nodes[code].parent or ""].kind == "chapter"
    assert all(n.kind != BLOCK or "-" in n.code for n in tabular.nodes.values())


def test_headers_are_not_billable(tabular: Tabular) -> None:
    assert not tabular.nodes["E11"].billable
    assert not tabular.nodes["E11.4"].billable
    assert tabular.nodes["E11.40"].billable
    assert tabular.nodes["I10"].billable


def test_seventh_character_from_the_category_applies_below(tabular: Tabular) -> None:
    assert not tabular.nodes["S72.001"].billable
    assert tabular.seven_chr_for("S72.001")["A"] == "initial encounter for closed fracture"
    assert tabular.nodes["S72.001A"].billable
    assert tabular.nodes["S72.001A"].parent == "S72.001"
    assert "initial encounter for closed fracture" in tabular.nodes["S72.001A"].title


def test_placeholder_x_fills_short_codes(tabular: Tabular) -> None:
    assert with_seventh("T15.00", "A") == "T15.00XA"
    assert with_seventh("S00.83", "D") == "S00.83XD"
    assert with_seventh("T71", "A") == "T71.XXXA"
    assert "T15.00XA" in tabular.nodes
    assert "T36.0X1A" in tabular.nodes


def test_seventh_exceptions_follow_the_tabular_note(tabular: Tabular) -> None:
    assert "S06.1X7A" in tabular.nodes
    assert "S06.1X7D" not in tabular.nodes
    assert "S06.1X6D" in tabular.nodes
    notes = [n.text for owner, n in tabular.inherited_notes("S06.1X7")]
    for rule in seventh_exceptions():
        assert any(text.startswith(rule.note_starts) for text in notes), rule


def test_notes_are_inherited_with_their_level(tabular: Tabular) -> None:
    notes = tabular.inherited_notes("E11.40")
    excludes1 = [(owner.code, n) for owner, n in notes if n.kind == "excludes1"]
    assert any(code == "E11" and CodeRef("E10", None, True) in n.refs for code, n in excludes1)
    assert any(owner.kind == "chapter" for owner, _ in notes)
    kinds = {n.kind for _, n in tabular.inherited_notes("E11.621")}
    assert "useAdditionalCode" in kinds


@pytest.mark.parametrize(
    ("text", "refs"),
    [
        ("type 1 diabetes mellitus (E10.-)", (CodeRef("E10", None, True),)),
        ("fracture of femur (S72.0-)", (CodeRef("S72.0", None, True),)),
        ("perinatal (P35-P39)", (CodeRef("P35", "P39", True),)),
        ("neonatal diabetes mellitus (P70.2)", (CodeRef("P70.2", None, False),)),
        ("hypertension (I10, I11.9)", (CodeRef("I10"), CodeRef("I11.9"))),
        (
            "uveitis in diabetes mellitus (E08-E10 with .39)",
            tuple(CodeRef(f"E{n:02d}.39", None, True) for n in (8, 9, 10)),
        ),
        (
            "(F10, F13 with .26, .96)",
            tuple(CodeRef(c, None, True) for c in ("F10.26", "F10.96", "F13.26", "F13.96")),
        ),
        (
            "(E08-E09 with .51-.52) or E10.-",
            (
                CodeRef("E08.51", "E08.52", True),
                CodeRef("E09.51", "E09.52", True),
                CodeRef("E10", None, True),
            ),
        ),
    ],
)
def test_code_references_in_notes(text: str, refs: tuple[CodeRef, ...]) -> None:
    assert parse_refs(text) == refs


def test_code_ref_coverage() -> None:
    assert CodeRef("E10", None, True).covers("E10.9")
    assert not CodeRef("E10", None, False).covers("E10.9")
    assert CodeRef("P35", "P39", True).covers("P37.1")
    assert not CodeRef("P35", "P39", True).covers("P40")


@pytest.mark.parametrize(
    "content",
    [
        b"<ICD10CM.index/>",
        b"not xml",
        b'<!DOCTYPE a [<!ENTITY x "y">]><ICD10CM.tabular/>',
        b"<ICD10CM.tabular><version>2026</version></ICD10CM.tabular>",
    ],
)
def test_bad_tabular_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tabular.xml"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError):
        parse_tabular(path)
