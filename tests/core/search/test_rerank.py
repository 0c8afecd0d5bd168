# SPDX-License-Identifier: GPL-3.0-or-later
"""The second look at the best candidates: with / without / not, unspecified or other,
open axes; broader words standing in for narrower ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from coderdesk.core.search.analysis import broader_phrases, load_dictionary, stem, stems
from coderdesk.core.search.engine import SearchResult, headers_after_a_child
from coderdesk.core.search.impacts import StemVariants, same_root_runs
from coderdesk.core.search.rerank import EXACT_TITLE, adjustment, query_sense, read_sense

if TYPE_CHECKING:
    from coderdesk.core.search.engine import SearchEngine


def test_markers_give_the_next_word_its_polarity() -> None:
    sense = read_sense("Migraine without aura, not intractable, with status migrainosus")
    assert sense.marked == {"aura": False, "intract": False, "statu": True, "migrainosu": True}
    icd9 = read_sense("Rheumatic chorea without mention of heart involvement")
    assert icd9.marked == {"heart": False, "involv": False}  # "mention" carries nothing
    bracketed = read_sense("Bronchiectasis with (acute) exacerbation")
    assert bracketed.marked == {"acut": True, "exacerb": True}


def _prefers(query: str, better: str, worse: str) -> bool:
    """Whether the second look ranks title `better` above title `worse` for `query`."""
    sense = read_sense(query)
    return adjustment(sense, read_sense(better)) > adjustment(sense, read_sense(worse))


def test_the_query_word_for_word_is_the_best_title() -> None:
    assert _prefers("Paratyphoid fever A", "Paratyphoid fever A", "Paratyphoid fever, unspecified")


def test_a_title_saying_the_opposite_loses_to_one_that_agrees() -> None:
    query = read_sense("migraine with aura intractable without status migrainosus")
    agrees = read_sense("Migraine with aura, intractable, without status migrainosus")
    opposite = read_sense("Migraine without aura, not intractable, with status migrainosus")
    assert adjustment(query, agrees) > 0 > adjustment(query, opposite)


def test_a_title_excepting_what_the_query_says_does_not_fit_it() -> None:
    assert _prefers(
        "burn first degree right thumb",
        "Burn of first degree of right thumb (nail)",
        "Burn of first degree of multiple right fingers (nail), not including thumb",
    )
    query = read_sense("burn first degree right thumb")
    excepting = read_sense("Burn of first degree of single right finger (nail) except thumb")
    assert adjustment(query, excepting) < 0


def test_a_query_word_the_title_says_unmarked_does_not_ask_for_with() -> None:
    # "hepatitis" and "hepatic" share a stem; the coder named the hepatitis, not the coma.
    assert _prefers(
        "hepatitis a", "Hepatitis A without hepatic coma", "Hepatitis A with hepatic coma"
    )


def test_unasked_with_is_the_index_default_without() -> None:
    assert _prefers(
        "diverticulosis of large intestine",
        "Diverticulosis of large intestine without bleeding",
        "Diverticulosis of large intestine with bleeding",
    )


@pytest.mark.parametrize(
    ("query", "better", "worse"),
    [
        ("anemia", "Anemia, unspecified", "Other anemias"),
        ("anemia specified", "Other specified anemias", "Anemia, unspecified"),
        ("anemia unspecified", "Anemia, unspecified", "Other anemias"),
    ],
)
def test_unspecified_when_nothing_more_is_said_other_when_specified(
    query: str, better: str, worse: str
) -> None:
    assert _prefers(query, better, worse)


def test_a_title_holding_one_form_of_each_query_word_says_nothing_more() -> None:
    # The Index's "Ataxia, ataxy, ataxic": three forms of one word, not three words.
    groups = [["ataxia", "atax", "ataxi"], ["follow"], ["cerebrovascular"], ["diseas"]]
    query = query_sense("ataxia ataxy ataxic following cerebrovascular disease", groups)
    unspecified = read_sense("Ataxia following unspecified cerebrovascular disease")
    other = read_sense("Ataxia following other cerebrovascular disease")
    assert adjustment(query, unspecified) > adjustment(query, other)
    # A word the title cannot hold asks for more than it says: the "other" code.
    unknown = query_sense("gambian trypanosomiasis", [["trypanosomiasi"], ["gambian"]])
    assert adjustment(unknown, read_sense("Trypanosomiasis, unspecified")) < 0


def test_a_word_naming_no_particular_condition_does_not_ask_for_other() -> None:
    unspecified = "Congenital malformation of nose, unspecified"
    other = "Other congenital malformations of nose"
    assert _prefers("deformity nose congenital", unspecified, other)
    assert _prefers("disorder of nose congenital", unspecified, other)


def test_forms_of_one_word_run_together_even_when_one_is_short() -> None:
    assert same_root_runs(["failur", "fail", "ventricular", "left"]) == [
        ["failur", "fail"],
        ["ventricular"],
        ["left"],
    ]
    assert same_root_runs(["atax", "ataxia"]) == [["atax", "ataxia"]]
    assert same_root_runs(["arm", "armpit"]) == [["arm"], ["armpit"]]  # too short to tell
    assert same_root_runs(["aorta", "aortic"]) == [["aorta", "aortic"]]
    # Sharing a beginning is not enough: these are two words.
    assert same_root_runs(["malposit", "malpresent"]) == [["malposit"], ["malpresent"]]


def test_near_forms_reach_one_letter_shorter_not_another_word() -> None:
    stems = sorted(["intra", "intract", "intractabl", "mycobacteri", "mycobacterium"])
    ids = {s: n for n, s in enumerate(stems)}
    variants = StemVariants(stems, np.ones(len(stems), dtype=np.float32), ids)
    assert variants.near_forms("intract") == ["intract", "intractabl"]  # not "intra"
    assert variants.near_forms("mycobacteria") == ["mycobacteri"]


def _variants(stems: list[str]) -> StemVariants:
    ordered = sorted(stems)
    ids = {s: n for n, s in enumerate(ordered)}
    return StemVariants(ordered, np.ones(len(ordered), dtype=np.float32), ids)


def test_a_whole_word_typed_completes_only_to_words_going_on_from_it() -> None:
    variants = _variants(["heart", "heartburn", "hepat", "hepatica", "hepatoma", "hepatomegali"])
    # "hepatitis" stems to "hepat", but the coder is not typing "hepatomegaly".
    assert variants.completions("hepat", "hepatitis") == []
    assert variants.completions("heart", "heart") == ["heart", "heartburn"]
    # Part of a word completes to every word its stem begins.
    assert set(variants.completions("hepat")) == {"hepat", "hepatica", "hepatoma", "hepatomegali"}
    # Nor is a tumour of the organ a near form of its stem.
    assert variants.near_forms("hepat") == ["hepat", "hepatica"]


def test_the_process_finds_what_works_by_it() -> None:
    assert "inflammatory" in load_dictionary().other_endings("inflammation")
    assert "respiration" in load_dictionary().other_endings("respiratory")


def test_a_query_that_fills_an_axis_does_not_mean_the_code_leaving_it_open() -> None:
    assert _prefers(
        "vascular dementia moderate with anxiety",
        "Vascular dementia, moderate, with anxiety",
        "Vascular dementia, unspecified severity, with anxiety",
    )
    assert _prefers("pain in right knee", "Pain in right knee", "Pain in unspecified knee")


def test_an_axis_the_query_says_nothing_of_is_left_open() -> None:
    # The query says more than the title ("pregnancy complicated by"), yet the code that
    # leaves the trimester open is the Index's default, not a trimester picked at random.
    assert _prefers(
        "pregnancy complicated by preterm labor with term delivery",
        "Term delivery with preterm labor, unspecified trimester",
        "Term delivery with preterm labor, second trimester",
    )


def test_broader_words_are_one_way() -> None:
    dictionary = load_dictionary()
    assert ("femur", "thigh lower limb") in dictionary.broader_pairs("anomaly of femur")
    assert not any(n == "lower limb" for n, _ in dictionary.broader_pairs("lower limb femur"))


def test_a_broader_phrase_counts_only_whole(tabular_engine: SearchEngine) -> None:
    assert broader_phrases("thigh lower limb") == [["thigh"], ["lower", "limb"]]
    # "limb" alone is not "lower limb": the upper limb's cellulitis is not the leg's.
    found = tabular_engine.search("cellulitis of left leg ", limit=3, system="icd10cm")
    assert found.results[0].code == "L03.116"  # Cellulitis of left lower limb
    assert "L03.114" not in [r.code for r in found.results]  # ... of left upper limb


def test_a_compound_stands_for_its_parts() -> None:
    pairs = load_dictionary().broader_pairs("fistula vesicourethral")
    assert pairs == [("vesicourethral", "bladder vesical"), ("vesicourethral", "urethral")]
    assert load_dictionary().broader_pairs("vesical") == []  # the form alone is no compound


def test_a_compound_finds_the_code_naming_its_part(engine: SearchEngine) -> None:
    codes = [r.code for r in engine.search("fistula vesicourethral", limit=5).results]
    assert "N32.2" in codes  # Vesical fistula, not elsewhere classified


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("migraine with aura intractable without status migrainosus", "G43.119"),
        ("migraine without aura not intractable without status migrainosus", "G43.009"),
        ("vascular dementia moderate with anxiety", "F01.B4"),
        ("fracture of body of mandible right side", "S02.601"),
    ],
)
def test_the_code_that_says_what_the_query_says_comes_first(
    engine: SearchEngine, query: str, expected: str
) -> None:
    [first, *_] = engine.search(query, limit=5, system="icd10cm").results
    assert first.code == expected


def test_a_narrower_body_part_finds_the_region_title(engine: SearchEngine) -> None:
    codes = [r.code for r in engine.search("anomaly femur", limit=5, system="icd10cm").results]
    assert "Q74.2" in codes  # Other congenital malformations of lower limb(s)


def test_a_query_in_another_name_of_the_title_asks_for_the_unspecified_code(
    tabular_engine: SearchEngine,
) -> None:
    # "Irritable colon" is another name of irritable bowel syndrome, not a specified kind.
    [first, *_] = tabular_engine.search("irritable colon", limit=5, system="icd10cm").results
    assert first.code == "K58.9"  # Irritable bowel syndrome, unspecified


def test_a_word_no_title_holds_is_found_by_its_broader_words(
    tabular_engine: SearchEngine,
) -> None:
    # No title says "supraorbital" or "pinky": neither is a misspelling of a word they say.
    response = tabular_engine.search("contusion supraorbital ", system="icd10cm")
    assert response.corrected is None
    assert response.results[0].code == "S00.83"  # Contusion of other part of head
    # Still being typed, it is as good as finished: no word of the index begins so.
    typing = tabular_engine.search("contusion supraorbital", system="icd10cm")
    assert typing.results[0].code == "S00.83"
    pinky = tabular_engine.search("laceration pinky ", limit=3, system="icd10cm")
    assert pinky.corrected is None
    assert all("finger" in r.title for r in pinky.results)
    # A word read only from its ending ("-itis": inflammation) is not found that way alone.
    itis = tabular_engine.search("epiglottitis epiglottiditis ", limit=1, system="icd10cm")
    assert itis.results[0].code.startswith("J05.1")  # Acute epiglottitis


def test_the_words_after_due_to_name_the_cause() -> None:
    assert read_sense("Chyluria due to Wuchereria, with fever").cause == {"wuchereria"}
    assert read_sense("Arthritis in Lyme disease").cause == {"lyme", "diseas"}
    assert read_sense("Melanoma in situ of thigh").cause == set()
    # Its forms, and the broader words searched for it, name it too.
    groups = [["dermat"], ["due"], ["milk"]]
    sense = query_sense("dermatitis due to milk", groups, {2: ["food"]})
    assert sense.cause == {"milk", "food"}


def test_a_title_that_does_not_name_the_cause_loses() -> None:
    assert _prefers(
        "chyluria due to wuchereria", "Filariasis due to Wuchereria bancrofti", "Chyluria"
    )


def test_a_title_with_a_cause_of_its_own_must_name_the_querys() -> None:
    # "Chemical" is in the title, but the title's cause is anesthesia.
    groups = [["pneumon"], ["due"], ["nitrogen"], ["dioxid"]]
    sense = query_sense("pneumonitis due to nitrogen dioxide", groups, {3: ["chemic", "gase"]})
    gases = read_sense("Bronchitis and pneumonitis due to chemicals, gases, fumes and vapors")
    anesthesia = read_sense("Chemical pneumonitis due to anesthesia")
    assert adjustment(sense, gases) > adjustment(sense, anesthesia)


def test_the_code_of_the_cause_comes_first(tabular_engine: SearchEngine) -> None:
    [first, *_] = tabular_engine.search("diarrhea due to schistosoma japonicum ").results
    assert first.code == "B65.2"  # Schistosomiasis due to Schistosoma japonicum


def _result(code: str, billable: bool, kind: str = "") -> SearchResult:
    return SearchResult(code, code, "icd10cm", billable, 1.0, kind or _kind(billable))


def _kind(billable: bool) -> str:
    return "code" if billable else "subcategory"


def test_a_header_follows_its_first_child_unless_an_index_path_leads_to_it() -> None:
    found = [_result("K04.0", False), _result("K04.01", True), _result("K04.02", True)]
    assert [r.code for r in headers_after_a_child(found, set())] == ["K04.01", "K04.0", "K04.02"]
    assert [r.code for r in headers_after_a_child(found, {"K04.0"})] == [
        "K04.0",
        "K04.01",
        "K04.02",
    ]
    lone = [_result("E87.2", False), _result("E88.1", False)]
    assert [r.code for r in headers_after_a_child(lone, set())] == ["E87.2", "E88.1"]


def test_headers_follow_the_billable_code_under_them_narrowest_first() -> None:
    # J45 and J45.90 are headers; J45.909 is the first billable code under both.
    found = [
        _result("J45", False),
        _result("J45.90", False),
        _result("J45.9", False),
        _result("J45.909", True),
        _result("J45.998", True),
    ]
    assert [r.code for r in headers_after_a_child(found, set())] == [
        "J45.909",
        "J45.90",
        "J45.9",
        "J45",
        "J45.998",
    ]
    # A code that needs its 7th character is a code, not a header.
    fracture = [_result("S12.04", False), _result("S12.040", False, "code")]
    assert [r.code for r in headers_after_a_child(fracture, set())] == ["S12.040", "S12.04"]


def test_what_a_title_leaves_unspecified_need_not_be_said() -> None:
    sense = query_sense("pneumonia", [["pneumonia"]])
    default = read_sense("Pneumonia, unspecified organism")
    congenital = read_sense("Congenital pneumonia, unspecified")
    assert adjustment(sense, default) > adjustment(sense, congenital)
    migraine = read_sense("Migraine, unspecified, not intractable, without status migrainosus")
    assert adjustment(query_sense("migraine", [["migrain"]]), migraine) >= EXACT_TITLE
    assert adjustment(sense, congenital, named_exactly=True) >= EXACT_TITLE


def test_a_title_joining_two_conditions_is_either_of_them() -> None:
    hyponatremia = query_sense("hyponatremia", [["hyponatremia"]])
    joined = read_sense("Hypo-osmolality and hyponatremia")
    assert adjustment(hyponatremia, joined) >= EXACT_TITLE
    # Two conditions of a part are not one condition of it.
    atresia = query_sense("atresia of vagina", [["atresia"], ["vagina"]])
    assert adjustment(atresia, read_sense("Stricture and atresia of vagina")) < EXACT_TITLE


def test_an_unspecified_part_with_a_side_is_named_and_an_unspecified_eye_is_not() -> None:
    # "unspecified wrist" leaves the side open but names the wrist; the eye of
    # "blepharitis, unspecified eye" is the condition's own organ.
    assert read_sense("Osteophyte, unspecified wrist").said == {stem("osteophyte"), "wrist"}
    assert read_sense("Osteophyte, unspecified joint").said == {stem("osteophyte")}
    blepharitis = read_sense("Unspecified blepharitis unspecified eye, unspecified eyelid")
    assert blepharitis.said == {stem("blepharitis")}


def test_a_title_naming_the_opposite_state_loses() -> None:
    query = "anemia due to loss of blood acute"
    chronic = "Iron deficiency anemia secondary to blood loss (chronic)"
    assert _prefers(query, "Acute posthemorrhagic anemia", chronic)
    assert _prefers("tonsillitis chronic", "Chronic tonsillitis", "Acute tonsillitis")
    # A title saying both states is either of them.
    sense = read_sense("bronchitis acute")
    assert adjustment(sense, read_sense("Acute and chronic bronchitis")) >= 0


def test_a_with_clause_the_query_never_asked_for_counts_once() -> None:
    # "with simple partial seizures" is one thing more than "epilepsy", not three.
    sense = read_sense("epilepsy")
    longer = adjustment(sense, read_sense("Epilepsy with simple partial seizures"))
    assert longer == adjustment(sense, read_sense("Epilepsy with seizures")) < 0


def test_a_hyphenated_word_is_read_as_its_parts_as_the_index_holds_it() -> None:
    wording = "aromatic amino-acid metabolism disorder"
    query = query_sense(wording, [[found] for found in stems(wording)])
    unspecified = "Disorder of aromatic amino-acid metabolism, unspecified"
    assert adjustment(query, read_sense(unspecified)) >= EXACT_TITLE
    assert _prefers(
        "aromatic amino-acid metabolism disorder",
        unspecified,
        "Other disorders of aromatic amino-acid metabolism",
    )


def test_a_stem_said_once_is_said_though_left_unsaid_elsewhere() -> None:
    # Porter stems "esophageal" and "esophagitis" alike.
    title = read_sense("Gastro-esophageal reflux disease without esophagitis")
    assert stem("esophageal") in title.said


def test_including_says_with_and_not_including_says_without() -> None:
    query = "burn multiple fingers with thumb"
    including = "Burn of multiple fingers (nail), including thumb"
    assert _prefers(query, including, "Burn of multiple fingers (nail), not including thumb")
    # What a title includes is its scope, not one thing more the query must ask for.
    sense = read_sense("melanoma in situ lower limb")
    hip = read_sense("Melanoma in situ of lower limb, including hip")
    with_hip = read_sense("Melanoma in situ of lower limb, with hip")
    assert adjustment(sense, hip) == 0 > adjustment(sense, with_hip)


def test_a_condition_in_a_disease_is_coded_by_the_disease() -> None:
    wording = "myopathy in metabolic disease"
    query = query_sense(wording, [[found] for found in stems(wording)])
    unspecified = read_sense("Metabolic disorder, unspecified")
    assert adjustment(query, unspecified) > adjustment(
        query, read_sense("Other specified metabolic disorders")
    )
    # "in diseases classified elsewhere" names no disease: not the cause the coder named.
    assert adjustment(query, read_sense("Myopathy in diseases classified elsewhere")) < 0


def test_an_inflammation_is_not_its_organ_though_porter_stems_them_alike() -> None:
    assert stem("prostatitis") == stem("prostate")
    query = "prostatitis unspecified"
    inflammatory = "Inflammatory disease of prostate, unspecified"
    assert _prefers(query, inflammatory, "Disorder of prostate, unspecified")
    assert _prefers("disorder of prostate", "Disorder of prostate", "Prostatitis")
