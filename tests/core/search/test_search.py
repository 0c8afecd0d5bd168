# SPDX-License-Identifier: GPL-3.0-or-later
"""Search behaviour: codes by prefix, words in any order, misspellings, abbreviations, filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from whoosh.analysis import StemmingAnalyzer

from coderdesk.core.search.analysis import (
    STOP_WORDS,
    broader_phrases,
    is_code_query,
    load_dictionary,
    stems,
    without_side_after_laterality,
    words,
)
from coderdesk.core.search.documents import IcdRow, default_children
from coderdesk.core.search.engine import (
    CODE_LIST_FILE,
    DISTINCT_FIRST,
    SIDES_BELOW,
    CodeList,
    SearchResult,
    headers_after_different_codes,
    sides_after_others,
)
from coderdesk.core.search.impacts import ImpactCollector, Impacts
from coderdesk.core.search.index import inclusion_term_documents
from coderdesk.core.search.rerank import query_sense

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.search.engine import SearchEngine


def _codes(engine: SearchEngine, query: str, **kw: object) -> list[str]:
    return [r.code for r in engine.search(query, **kw).results]  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["E114", "e11.4", "E11.4"])
def test_code_prefix_lists_the_code_and_children_in_order(engine: SearchEngine, query: str) -> None:
    codes = _codes(engine, query, limit=50, system="icd10cm")
    assert codes[:6] == ["E11.4", "E11.40", "E11.41", "E11.42", "E11.43", "E11.44"]
    assert all(c.startswith("E11.4") for c in codes)


def test_a_code_without_dot_may_be_hcpcs_too(engine: SearchEngine) -> None:
    results = engine.search("E1140", limit=5).results
    assert {(r.code, r.system) for r in results} >= {("E11.40", "icd10cm"), ("E1140", "hcpcs")}
    assert [r.system for r in engine.search("E11.40").results] == ["icd10cm"]


def test_code_prefix_reaches_seventh_characters(engine: SearchEngine) -> None:
    codes = _codes(engine, "S72.0", limit=500)
    assert codes[0] == "S72.0"
    assert "S72.001A" in codes
    assert codes == sorted(codes, key=lambda c: c.replace(".", ""))


def test_headers_are_marked_not_billable(engine: SearchEngine) -> None:
    results = engine.search("E11.4", limit=3).results
    assert results[0].billable is False
    assert results[1].billable is True


def test_hcpcs_codes_are_found_by_code_and_words(engine: SearchEngine) -> None:
    assert _codes(engine, "J3301")[0] == "J3301"
    assert "J3301" in _codes(engine, "triamcinolone acetonide injection", system="hcpcs", limit=10)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("diabetes type 2 with neuropathy", "E11.4"),
        ("neuropathy diabetes type 2", "E11.4"),
        ("fracture femur neck", "S72.0"),
        ("pnuemonia", "J1"),
        ("diabetis type 2", "E11"),
        ("chf", "I50"),
        ("htn", "I1"),
        ("heart attack", "I2"),
        ("Major depressive affective disorder, recurrent episode, moderate", "F33.1"),
        ("Trismus neonatorum", "A33"),
    ],
)
def test_text_queries_find_what_a_coder_means(
    engine: SearchEngine, query: str, expected: str
) -> None:
    assert any(c.startswith(expected) for c in _codes(engine, query, limit=5)), query


def test_misspelling_is_corrected_and_reported(engine: SearchEngine) -> None:
    response = engine.search("pnuemonia")
    assert response.corrected == "pneumonia"


def test_filters(engine: SearchEngine) -> None:
    assert all(r.billable for r in engine.search("fracture femur", billable_only=True).results)
    assert all(r.system == "hcpcs" for r in engine.search("wheelchair", system="hcpcs").results)
    assert engine.search("wheelchair", system="icd10cm").results


def test_nothing_found_gives_no_results(engine: SearchEngine) -> None:
    assert engine.search("zzzqqqxxy").results == ()
    assert engine.search("   ").results == ()


def test_code_pattern_detection() -> None:
    assert is_code_query("E114")
    assert is_code_query("s72.0")
    assert is_code_query("99213")
    assert is_code_query("J33")
    assert not is_code_query("flu")
    assert not is_code_query("12")


def test_dictionary_expands_abbreviations() -> None:
    dictionary = load_dictionary()
    assert dictionary.expand(["chf"]) == ["congestive", "heart", "failure"]
    assert "myocardial infarction" in dictionary.synonyms_of("heart attack")


def test_dictionary_phrases_match_plurals_and_keep_every_group() -> None:
    dictionary = load_dictionary()
    assert "viral" in dictionary.synonyms_of("diseases due to viruses")
    assert ("artery", "vascular circulatory") in dictionary.broader_pairs("arteries of arm")
    # "newborn" stands in two groups: it keeps the phrasings of both.
    assert {"neonatal", "infant"} <= set(dictionary.synonyms_of("newborn"))


def test_decimal_numbers_stay_whole() -> None:
    assert words("BMI 29.0-29.9, adult") == ["bmi", "29.0", "29.9", "adult"]


def test_the_adjective_finds_the_noun_and_back(engine: SearchEngine) -> None:
    dictionary = load_dictionary()
    assert "actinomycosis" in dictionary.other_endings("actinomycotic")
    assert "anemic" in dictionary.other_endings("anemia")
    assert "epileptic" in dictionary.other_endings("epilepsy")
    assert _codes(engine, "abdominal actinomycotic infection", limit=1) == ["A42.1"]
    # The noun typed, the adjective in the title ("Dysthymic disorder").
    assert _codes(engine, "persistent mood disorder dysthymia", limit=1) == ["F34.1"]
    # A part's adjective finds its noun: "hypopharyngeal" / "Posterior wall of hypopharynx".
    assert "hypopharynx" in dictionary.other_endings("hypopharyngeal")
    query = "Malignant neoplasm of posterior hypopharyngeal wall"
    assert _codes(engine, query, limit=1) == ["C13.2"]
    # A word the code sets hold only in its other form: N97.0 says "anovulation".
    assert _codes(engine, "anovulatory ", limit=1, system="icd10cm") == ["N97.0"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("hemimegalencephaly ", "Q04.5"),  # Megalencephaly
        ("hydropyonephrosis ", "N13.6"),  # Pyonephrosis
        # A kind of dermatitis no title names: the "other specified" one.
        ("acroangiodermatitis ", "L30.8"),
        # No word of the index ends it, but it begins with a part: "glosso-", the tongue.
        ("glossoplegia ", "K14.8"),
    ],
)
def test_a_compound_no_title_says_is_found_by_its_head(
    tabular_engine: SearchEngine, query: str, code: str
) -> None:
    assert _codes(tabular_engine, query, limit=1, system="icd10cm") == [code]


def test_a_form_of_a_known_word_is_not_misspelt(engine: SearchEngine) -> None:
    # Neither word is in the vocabulary, but their stems are: "anesthet", "tropic".
    assert engine.search("anesthetically ").corrected is None  # not "aesthetically"
    assert engine.search("tropically ").corrected is None  # not "topically"
    assert engine.search("pnuemonia ").corrected == "pneumonia"


def test_two_words_the_code_sets_write_as_one(engine: SearchEngine) -> None:
    assert _codes(engine, "heat stroke", limit=5, system="icd10cm")[0] == "T67.01"


def test_an_eponyms_possessive_is_the_name() -> None:
    assert words("Conn's syndrome") == ["conn", "syndrome"]


def test_a_plurals_mark_is_no_word() -> None:
    assert stems("Fracture of metatarsal bone(s)") == ["fractur", "metatars", "bone"]
    assert words("bypass graft(s), unspecified") == ["bypass", "graft", "unspecified"]
    assert stems("Disease(s) of the lips(es)") == ["diseas", "lip"]


def test_a_percent_sign_reads_as_the_word() -> None:
    # T31 titles write "40-49%", L49 titles "40-49 percent"; coders type either.
    assert stems("Burns involving 40-49% of body surface")[2:5] == ["40", "49", "percent"]
    assert stems("40-49 %") == stems("40-49 percent") == ["40", "49", "percent"]
    assert words("0% to 9%") == ["0", "percent", "to", "9", "percent"]


def test_a_title_with_a_plurals_mark_says_no_more_than_its_words(
    tabular_engine: SearchEngine,
) -> None:
    # "bone(s)" once read as one more word, "s", that no query says.
    query = "fracture traumatic metatarsal bone"
    assert _codes(tabular_engine, query, limit=1, system="icd10cm") == ["S92.309"]


@pytest.mark.parametrize(
    "text",
    [
        "Ménière's disease, right ear",
        "BMI 29.0-29.9, adult | Type 2 diabetes mellitus with (acute) exacerbation",
        "Salmonella enteritidis [S. enteritidis] of the 3rd cranial nerve: W44.B2XA",
    ],
)
def test_our_stems_are_whooshs(text: str) -> None:
    whoosh = StemmingAnalyzer(stoplist=STOP_WORDS, minsize=1)
    assert stems(text) == [token.text for token in whoosh(text)]


def test_side_after_right_or_left_says_nothing_more() -> None:
    assert without_side_after_laterality(words("fracture mandible right side")) == [
        "fracture",
        "mandible",
        "right",
    ]
    assert without_side_after_laterality(["side", "effect"]) == ["side", "effect"]


def _found(code: str, title: str, billable: bool = True) -> SearchResult:
    return SearchResult(code, title, "icd10cm", billable, 1.0, "code" if billable else "header")


def test_codes_differing_only_by_side_give_way_to_other_codes() -> None:
    sides = [
        _found("M87.144", "Osteonecrosis due to drugs, right finger(s)"),
        _found("M87.145", "Osteonecrosis due to drugs, left finger(s)"),
        _found("M87.146", "Osteonecrosis due to drugs, unspecified finger(s)"),
    ]
    others = [_found(f"M87.1{n}", f"Osteonecrosis due to drugs, site {n}") for n in range(12)]
    ordered = [r.code for r in sides_after_others((*sides, *others), query_sense("drugs", []))]
    # The one leaving the side open stands for the family where its first member ranked.
    assert ordered[:2] == ["M87.146", "M87.10"]
    assert ordered[SIDES_BELOW : SIDES_BELOW + 2] == ["M87.144", "M87.145"]
    assert len(ordered) == len(sides) + len(others)
    # A query naming a side keeps the order the words gave.
    said = sides_after_others((*sides, *others), query_sense("drugs right", []))
    assert [r.code for r in said][:3] == ["M87.144", "M87.145", "M87.146"]


def test_a_family_without_its_open_side_keeps_its_best_member_first() -> None:
    found = (
        _found("H35.3211", "Exudative age-related macular degeneration, right eye"),
        _found("H35.3221", "Exudative age-related macular degeneration, left eye"),
        _found("H35.32", "Exudative age-related macular degeneration", billable=False),
    )
    ordered = [r.code for r in sides_after_others(found, query_sense("exudative", []))]
    assert ordered == ["H35.3211", "H35.32", "H35.3221"]


def test_a_header_saying_no_more_than_its_code_waits_below_different_codes() -> None:
    found = (
        _found("E11.9", "Type 2 diabetes mellitus without complications"),
        _found("E11", "Type 2 diabetes mellitus", billable=False),
        *(_found(f"E13.{n}", f"Other specified diabetes mellitus {n}") for n in range(6)),
    )
    query = query_sense("diabetes without complications", [])
    ordered = [r.code for r in headers_after_different_codes(found, query)]
    assert ordered[:2] == ["E11.9", "E13.0"]
    assert ordered[DISTINCT_FIRST] == "E11"
    # A header whose title says the whole query is what the coder named: it stays.
    named = headers_after_different_codes(found, query_sense("type 2 diabetes mellitus", []))
    assert [r.code for r in named][:2] == ["E11.9", "E11"]


def test_the_other_sides_of_a_code_wait_below_different_codes(
    tabular_engine: SearchEngine,
) -> None:
    query = "displaced fracture first metatarsal bone"
    codes = _codes(tabular_engine, query, limit=DISTINCT_FIRST, system="icd10cm")
    assert codes[0] == "S92.313"  # ", unspecified foot"
    assert not {"S92.311", "S92.312"} & set(codes)
    assert _codes(tabular_engine, f"{query} right", limit=1, system="icd10cm") == ["S92.311"]


def test_a_broader_list_names_whole_phrases() -> None:
    wider = dict(load_dictionary().broader_pairs("sympathicoblastoma thigh"))
    assert broader_phrases(wider["sympathicoblastoma"]) == [["malignant", "neoplasm", "adrenal"]]
    assert ["lower", "limb"] in broader_phrases(wider["thigh"])


def test_a_tumour_named_by_its_kind_alone_leads_to_its_organ(
    tabular_engine: SearchEngine,
) -> None:
    # Not to any malignant neoplasm: the adrenal one.
    assert _codes(tabular_engine, "sympathicoblastoma", limit=1, system="icd10cm")[0][:3] == "C74"


def test_specified_leads_beside_the_unspecified_code_to_its_other_specified_one(
    tabular_engine: SearchEngine,
) -> None:
    # L65.9 "Nonscarring hair loss, unspecified" holds "alopecia"; L65.8 says no more.
    codes = _codes(tabular_engine, "alopecia specified", limit=2, system="icd10cm")
    assert codes == ["L65.8", "L65.9"]
    assert _codes(tabular_engine, "alopecia", limit=1, system="icd10cm") == ["L65.9"]


def test_a_disorder_is_a_disease(tabular_engine: SearchEngine) -> None:
    # Titles name a body system's catch-all either way: K92.9 "Disease of digestive system".
    assert _codes(tabular_engine, "disorder digestive", limit=1, system="icd10cm") == ["K92.9"]


def test_a_bmi_range_is_found_by_its_numbers(engine: SearchEngine) -> None:
    assert _codes(engine, "body mass index 34.0-34.9 adult", limit=1) == ["Z68.34"]


def test_an_inclusion_term_names_its_code_as_fully_as_the_title(
    tabular_engine: SearchEngine,
) -> None:
    # Without the Alphabetic Index, the tabular's inclusion terms are the other names:
    # B76.9 "Hookworm disease, unspecified" holds "Cutaneous larva migrans NOS".
    found = _codes(tabular_engine, "cutaneous larva migrans", limit=1, system="icd10cm")
    assert found == ["B76.9"]


def test_a_categorys_inclusion_terms_hold_for_the_codes_under_it(
    tabular_engine: SearchEngine,
) -> None:
    # G40.1 includes "Epilepsia partialis continua [Kozhevnikof]"; the intractable one is
    # a code under it, whose own title does not say so.
    found = _codes(tabular_engine, "kozhevnikof epilepsy intractable", limit=5)
    assert "G40.119" in found


def test_an_index_paths_nonessential_modifiers_do_not_lengthen_it(engine: SearchEngine) -> None:
    # "Fecalith (impaction)" and "Imperforate (congenital) ... vagina": the words in
    # parentheses may be said or not, so the path is as short as its main term.
    assert _codes(engine, "fecalith ", limit=1, system="icd10cm") == ["K56.41"]
    assert _codes(engine, "imperforate vagina ", limit=1, system="icd10cm") == ["Q52.4"]


def test_only_an_inclusion_terms_essential_words_can_be_the_query_exactly() -> None:
    collector = ImpactCollector()
    collector.add({"title": stems("Thromboembolism in pregnancy")}, True, 0, 0)
    inclusion_term_documents(collector, "Obstetric (pulmonary) embolism NOS", True, 0, 0)
    impacts = collector.finish()
    assert impacts.exact.tolist() == [False, False, True]  # the term, then its essentials
    assert impacts.ranked.tolist() == [True, True, False]
    assert impacts.title_lengths.tolist()[1:] == [2, 2]  # "obstetric", "embolism"


def test_only_alphabetic_index_paths_are_marked_as_paths(tmp_path: Path) -> None:
    collector = ImpactCollector()
    collector.add({"title": stems("Pharyngeal diphtheria")}, True, 0, 0)
    collector.add({"title": stems("Diphtheria faucial")}, True, 0, 0, path=True)
    collector.add({"title": stems("Tonsillar diphtheria")}, True, 0, 0)
    collector.finish().save(tmp_path)
    assert Impacts.load(tmp_path).paths.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("query", "default"),
    [
        # I10's "includes" note: "hypertension (arterial) (benign) (essential) ...".
        ("hypertension ", "I10"),
        # M71.9 "Bursopathy, unspecified" holds "Bursitis NOS".
        ("bursitis ", "M71.9"),
        # "Pneumonia, unspecified organism" leaves the organism unsaid.
        ("pneumonia ", "J18.9"),
        # CHF is congestive heart failure; I50.9 holds "Congestive heart failure NOS".
        ("chf ", "I50.9"),
        # E11 includes "diabetes NOS"; E11.9 is E11 saying nothing more ("without
        # complications").
        ("diabetes ", "E11.9"),
        # The header E05.9 holds "Hyperthyroidism NOS"; E05.90 is E05.9 saying nothing more.
        ("hyperthyroidism ", "E05.90"),
        # I26.99 holds "Pulmonary embolism NOS"; O88.2's "Obstetric (pulmonary) embolism
        # NOS" says "obstetric" too, which the query does not.
        ("pulmonary embolism ", "I26.99"),
        # No note marks these: the code under the header that says only what the header
        # says ("Osteophyte, unspecified joint"), not one naming a joint or a side.
        ("osteophyte ", "M25.70"),
        ("ankylosis ", "M24.60"),
        ("blepharitis ", "H01.009"),
        ("asthma ", "J45.909"),
        # The dictionary's other name for "alcohol dependence": F10.20 says nothing more.
        ("alcoholism ", "F10.20"),
    ],
)
def test_a_bare_condition_leads_to_its_default_code(
    tabular_engine: SearchEngine, query: str, default: str
) -> None:
    assert _codes(tabular_engine, query, limit=1, system="icd10cm") == [default]


def test_an_other_phrasing_of_the_query_is_not_asked_for_as_well() -> None:
    # "high blood pressure" rephrases "hypertension": a title with either says it all.
    collector = ImpactCollector()
    collector.add({"title": stems("Essential hypertension")}, True, 0, 0)
    collector.add({"title": stems("High blood pressure reading")}, True, 0, 1)
    collector.add({"title": stems("Blood pressure cuff")}, True, 0, 2)
    impacts = collector.finish()
    groups = [stems("hypertension"), stems("high blood pressure")]
    scored = impacts.score(groups, alternatives={1: [0]})
    assert scored.covered[0] == pytest.approx(scored.wanted)
    assert scored.covered[1] == pytest.approx(scored.wanted)
    assert scored.covered[2] == 0.0  # the phrasing counts only with all its words
    assert impacts.score(groups).covered[0] < impacts.score(groups).wanted


def test_a_word_typed_past_its_stem_is_not_completed_into_another(
    tabular_engine: SearchEngine,
) -> None:
    # "hepatitis" stems to "hepat": "hepatoma" and "hepatomegaly" are other conditions.
    # K75.9 holds "Hepatitis NOS".
    assert _codes(tabular_engine, "hepatitis", limit=1, system="icd10cm") == ["K75.9"]


def test_a_headers_includes_name_the_code_that_is_the_header_itself() -> None:
    rows = {
        "E11": IcdRow(
            "E11", "category", "Type 2 diabetes mellitus", None, False, (), (), ("diabetes NOS",)
        ),
        "E11.4": IcdRow(
            "E11.4",
            "subcategory",
            "Type 2 diabetes mellitus with neurological complications",
            "E11",
            False,
            (),
            (),
        ),
        "E11.40": IcdRow(
            "E11.40",
            "code",
            "Type 2 diabetes mellitus with diabetic neuropathy, unspecified",
            "E11.4",
            True,
            (),
            (),
        ),
        "E11.8": IcdRow(
            "E11.8",
            "code",
            "Type 2 diabetes mellitus with unspecified complications",
            "E11",
            True,
            (),
            (),
        ),
        "E11.9": IcdRow(
            "E11.9", "code", "Type 2 diabetes mellitus without complications", "E11", True, (), ()
        ),
        "F30": IcdRow(
            "F30",
            "category",
            "Manic episode",
            None,
            False,
            (),
            (),
            ("bipolar disorder, single manic episode",),
        ),
        "F30.8": IcdRow("F30.8", "code", "Other manic episodes", "F30", True, (), ()),
    }
    # "Other manic episodes" says more than "Manic episode": F30 has no such code.
    assert default_children(rows) == {"E11": "E11.9"}


def test_the_letter_a_names_a_kind_but_the_article_is_no_word(
    tabular_engine: SearchEngine,
) -> None:
    assert stems("Vitamin A deficiency") == ["vitamin", "a", "defici"]
    assert stems("Fall from a ladder") == ["fall", "ladder"]
    [first, *_] = _codes(tabular_engine, "hepatitis a ", limit=3, system="icd10cm")
    assert first.startswith("B15")  # Acute hepatitis A


@pytest.mark.parametrize(
    ("header", "default"),
    [
        ("E11", "E11.9"),  # "... without complications" leaves the complications unsaid
        ("M24.6", "M24.60"),  # "Ankylosis of joint": "Ankylosis, unspecified joint"
        ("H01.0", "H01.009"),  # "unspecified eye" leaves only the side open
        ("S72", "S72.90"),  # the nearest of the codes saying only "fracture of femur"
        ("E11.4", None),  # every code under it names a complication
    ],
)
def test_a_header_has_the_code_under_it_that_says_nothing_more(
    tabular_engine: SearchEngine, header: str, default: str | None
) -> None:
    found = tabular_engine.code_list.default_under(header)
    assert (found.code if found else None) == default


def test_the_code_list_reads_back_what_it_wrote_and_refuses_a_damaged_file(
    tmp_path: Path,
) -> None:
    listed = CodeList.from_rows(
        [
            ("E1140", "icd10cm", "E11.40", "Type 2 ... neuropathy, unspecified", 1, "code"),
            ("E114", "icd10cm", "E11.4", "Type 2 ... neurological complications", 0, "sub"),
            ("E1140", "hcpcs", "E1140", "Wheelchair, motorized", 1, "code"),
        ]
    )
    listed.save(tmp_path)
    again = CodeList.load(tmp_path)
    assert [e.code for e in again.with_prefix("E114")] == ["E11.4", "E1140", "E11.40"]
    assert [e.code for e in again.with_prefix("E114", "icd10cm", billable_only=True)] == ["E11.40"]
    (tmp_path / CODE_LIST_FILE).write_text('[["E114"], []]', encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        CodeList.load(tmp_path)
