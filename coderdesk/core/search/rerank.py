# SPDX-License-Identifier: GPL-3.0-or-later
"""A second look at the best candidates, reading the words' sense in their titles.

Bag-of-words scoring cannot tell "with status migrainosus" from "without status
migrainosus", nor "unspecified" from "other". Coders, and the Alphabetic Index, rely on
both: a subterm "with X" leads to the code that says "with X", and when the coder says
nothing about X the Index's default is the code "without X" (or the one that does not
mention X at all). "Specified" in a query asks for the "other (specified)" code; a query
whose words the code's title holds entirely, and says nothing more specific, means the
"unspecified" one. A query saying what the condition is due to (or in) means a code
whose title names that cause. Nor can stems tell "acute" from a title saying "chronic",
or "prostatitis" from "Disorder of prostate" (Porter stems both "prostat"). The
adjustments are small: they order codes the words already found, they do not find new
ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING

from coderdesk.core.search.analysis import STOP_WORDS, names_a_letter, stem, words
from coderdesk.core.search.impacts import GENERIC_STEMS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

RERANK_DEPTH = 30  # candidates looked at again; the rest keep their order below them
# "including thumb" says the thumb is part of it, as "with thumb" does; "not including"
# says it is not.
INCLUDING = "including"
POSITIVE_MARKERS = frozenset({"with", INCLUDING})
NEGATIVE_MARKERS = frozenset({"without", "not", "no", "except"})
MARKERS = POSITIVE_MARKERS | NEGATIVE_MARKERS
# Words that do not carry a polarity themselves (a marker looks past them): "without
# mention of" is the ICD-9 way to say "without".
_PASS_OVER = STOP_WORDS | {
    "other",
    "unspecified",
    "specified",
    "any",
    "current",
    "mention",
    "so",
    "stated",
}
MARKED_WORDS = 2  # a marker reaches this many words, or the end of its clause
# Brackets do not end a clause: "with (acute) exacerbation" is with acute exacerbation.
_CLAUSES = re.compile(r"[,;]")
# The index holds a hyphenated word as its parts ("amino-acid": "amino", "acid"); so
# does the sense, or a title would never say the query's "amino".
_WORD_PARTS = re.compile(r"[-/]")


EXACT_TITLE = 0.5  # the query is the title, word for word
AGREE = 0.15  # the title says "with X" / "without X" as the query does
CONFLICT = 1.0  # the title says the opposite of the query
# The title adds "with X" the query never said; once, however many words X has ("with
# simple partial seizures" is one thing more).
UNASKED_WITH = 0.1
SPECIFIED = 0.15  # "other" when specified, "unspecified" when not
# "X due to Y": the Index leads to the code of Y (with X), seldom to X's own code; its
# subterm "in" ("pyelonephritis in leukemia") reads the same way.
CAUSE_UNNAMED = 0.4
CAUSE_WORDS = frozenset({"in"})  # besides "due to"
_PLACES = frozenset({"situ", "utero"})  # "in situ", "in utero" say where, not why
UNSPECIFIED_STEM, SPECIFIED_STEM, OTHER_STEM = "unspecifi", "specifi", "other"
_UNSPECIFIED_WORD = "unspecified"
# Words saying the title leaves the condition as the coder left it.
_SAYS_NOTHING = frozenset({_UNSPECIFIED_WORD, "uncomplicated"})
# Axes a title leaves open with "unspecified <axis>", and the words that fill them: a
# query that fills the axis does not mean the code that leaves it open. Named axes
# ("unspecified trimester") say nothing of whether the condition itself is specified; a
# part with a side ("unspecified knee") leaves the side open but names the part.
_SIDES = ("right", "left", "bilater")
SIDE_STEMS = frozenset(_SIDES)
NAMED_AXES = {
    "sever": ("mild", "moder", "sever"),
    "trimest": ("first", "second", "third"),
    "degre": ("first", "second", "third"),
    "side": _SIDES,
    "later": _SIDES,
}
# "unspecified eye" leaves only the side open: the condition ("blepharitis", "otitis")
# already names the organ, so the title says no more than the condition.
_ORGANS_NAMED_BY_THE_CONDITION = frozenset({"eye", "ear", "eyelid"})
_PARTS_WITH_A_SIDE = (
    "eye ear eyelid breast kidney ovary lung orbit arm forearm hand wrist finger thumb"
    " shoulder elbow humerus radius ulna clavicle scapula leg thigh knee ankle foot toe hip"
    " femur tibia fibula patella calcaneus talus acetabulum buttock limb upper lower great"
    " lesser"
)
AXES = {**NAMED_AXES, **{stem(part): _SIDES for part in _PARTS_WITH_A_SIDE.split()}}
# Words naming opposite states: a title saying one of them is not the condition the
# query names by the other ("... blood loss (chronic)" is not acute anemia).
_OPPOSITE_WORDS = (
    ("acute", "chronic"),
    ("benign", "malignant"),
    ("congenital", "acquired"),
    ("primary", "secondary"),
    ("open", "closed"),
    ("upper", "lower"),
    ("male", "female"),
    ("active", "inactive"),
    ("superficial", "deep"),
    ("anterior", "posterior"),
    ("internal", "external"),
    ("proximal", "distal"),
    ("partial", "complete"),
    ("unilateral", "bilateral"),
)
OPPOSITE_SAID = 0.3
# "Disorder of prostate" is not prostatitis, nor the other way round: the title for the
# organ excludes its inflammation, which has a code of its own.
INFLAMMATION_UNSAID = 0.5
_INFLAMMATION_ENDING = "itis"
_INFLAMMATION_STEMS = frozenset({"inflamm", "inflammatori", "inflam"})
AXIS_FILLED = 0.8
AXIS_LEFT_OPEN = 0.15  # the query says nothing of the axis: the Index's default leaves it open
# Words naming no particular condition: a query saying only these of the condition does
# not ask for the "other" code ("deformity of nose" is the unspecified malformation).
_ANY_CONDITION = frozenset(
    [
        "disease",
        "disorder",
        "deformity",
        "anomaly",
        "abnormality",
        "lesion",
        "condition",
        "defect",
        "malformation",
        "disturbance",
    ]
)


@dataclass(frozen=True)
class Sense:
    """What a text says about each word: its stems, those marked with / without, and the
    axes it leaves open ("unspecified severity"). A query also carries its words' groups:
    the forms each word was searched by ("ataxia", "ataxic"), any one of which a title
    may hold."""

    stems: frozenset[str]
    marked: dict[str, bool]  # stem -> True after "with", False after "without" / "not"
    open_axes: frozenset[str] = frozenset()
    groups: tuple[frozenset[str], ...] = ()
    # A title's other names in the dictionary ("irritable colon" for "irritable bowel
    # syndrome"): a query in those words asks for the title's condition itself.
    also_named: frozenset[str] = frozenset()
    # The same, phrase by phrase: (stems of a phrase of the title, stems of another
    # phrasing of it) ("alcohol dependence", "alcoholism").
    renamings: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    # The words naming what the condition is due to, or in ("chyluria due to wuchereria").
    cause: frozenset[str] = frozenset()
    # The words after "in" ("myopathy in metabolic disease"): the disease a condition is
    # in, which the Index codes first.
    host: frozenset[str] = frozenset()
    # Stems of words naming an inflammation ("prostatitis"): Porter stems them as the
    # organ ("prostat"), which a title naming the organ alone does not mean.
    inflamed: frozenset[str] = frozenset()
    # Words that leave something unsaid ("unspecified organism", "without perforation"):
    # a coder who says nothing of it means this title as much as one without them.
    unsaid: frozenset[str] = frozenset()
    # Stems said outside any with / without ("Hepatitis A with hepatic coma": "hepat").
    unmarked: frozenset[str] = frozenset()
    # Two words joined by "and" ("Hypo-osmolality and hyponatremia"): a title naming two
    # conditions is either one of them as much as both.
    joined: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    # Stems after "including" ("lower limb, including hip"): the title says what it
    # covers, not one thing more the query must ask for.
    included: frozenset[str] = frozenset()

    @property
    def said(self) -> frozenset[str]:
        """The stems the text says, not those it leaves unsaid."""
        return self.stems - self.unsaid

    def word_groups(self) -> tuple[frozenset[str], ...]:
        """The query's words, each as the set of its forms (one stem each without groups)."""
        return self.groups or tuple(frozenset([s]) for s in self.stems)


def read_sense(text: str) -> Sense:
    """The stems of `text` and the polarity a with / without / not gives the next word."""
    stems: list[str] = []
    marked: dict[str, bool] = {}
    open_axes: set[str] = set()
    cause: set[str] = set()
    unsaid: set[str] = set()
    unmarked: set[str] = set()
    joined: list[tuple[frozenset[str], frozenset[str]]] = []
    affirmed: set[str] = set()  # stems said somewhere, not only where left unsaid
    host: set[str] = set()
    inflamed: set[str] = set()
    included: set[str] = set()
    for number, clause in enumerate(_CLAUSES.split(text)):
        polarity: bool | None = None
        reach = 0
        including = False
        clause_words = [part for word in words(clause) for part in _WORD_PARTS.split(word) if part]
        cause |= _cause_in(clause_words)
        host |= _cause_in(clause_words, only_in=True)
        joined += _joined_by_and(words(clause))
        # "Pneumonia, unspecified organism": a later clause that leaves something
        # unspecified says nothing the coder must say.
        leaves_open = number > 0 and _UNSPECIFIED_WORD in clause_words
        for place, word in enumerate(clause_words):
            names_a_part = opens_an_axis = False
            if stems and stems[-1] == UNSPECIFIED_STEM and stem(word) in AXES:
                # "unspecified trimester" leaves an axis open; it says nothing of whether
                # the condition itself is specified. "unspecified wrist" leaves the side
                # open, and names the wrist.
                open_axes.add(stem(word))
                if stem(word) in NAMED_AXES:
                    stems.pop()
                opens_an_axis = stem(word) in NAMED_AXES or word in _ORGANS_NAMED_BY_THE_CONDITION
                names_a_part = not opens_an_axis
            if word in MARKERS:
                if not (word == INCLUDING and polarity is False):
                    polarity, reach = word in POSITIVE_MARKERS, MARKED_WORDS
                    including = word == INCLUDING
                continue
            stemmed = stem(word)
            if word.endswith(_INFLAMMATION_ENDING):
                inflamed.add(stemmed)
            if word not in STOP_WORDS or names_a_letter(clause_words, place):
                stems.append(stemmed)
                leaves_unsaid = (leaves_open and not names_a_part) or opens_an_axis
                if leaves_unsaid or word in _SAYS_NOTHING or polarity is False:
                    unsaid.add(stemmed)
                else:
                    affirmed.add(stemmed)
                if polarity is None:
                    unmarked.add(stemmed)
            if word in _PASS_OVER or polarity is None:
                continue
            marked.setdefault(stemmed, polarity)
            if including:
                included.add(stemmed)
            reach -= 1
            polarity = polarity if reach else None
    return Sense(
        frozenset(stems),
        marked,
        frozenset(open_axes),
        cause=frozenset(cause),
        host=frozenset(host),
        inflamed=frozenset(inflamed),
        # "Gastro-esophageal reflux disease without esophagitis" says "esophag".
        unsaid=frozenset(unsaid - affirmed),
        unmarked=frozenset(unmarked),
        joined=tuple(joined),
        included=frozenset(included),
    )


def _joined_by_and(clause: list[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The stems of a clause that is two words joined by "and", and nothing more ("Stricture
    and atresia of vagina" is not atresia of any part); a hyphenated word is one of the
    two ("Hypo-osmolality and hyponatremia")."""
    if len(clause) == 3 and clause[1] == "and":
        return [(_part_stems(clause[0]), _part_stems(clause[2]))]
    return []


def _part_stems(word: str) -> frozenset[str]:
    return frozenset(stem(part) for part in _WORD_PARTS.split(word) if part)


def _cause_in(clause: list[str], only_in: bool = False) -> set[str]:
    """The stems after "due to" (or "in"; only "in" if `only_in`), up to a with / without
    or the clause's end."""
    found: set[str] = set()
    naming = False
    for number, word in enumerate(clause):
        pair = clause[number : number + 2]
        if word in MARKERS:
            naming = False
        elif _names_a_cause(pair) and not (only_in and pair[0] not in CAUSE_WORDS):
            naming = True
        elif naming and word not in STOP_WORDS and word not in _PASS_OVER:
            found.add(stem(word))
    return found


def _names_a_cause(pair: list[str]) -> bool:
    """Whether the words begin a cause: "due to", or "in" but not "in situ", "in utero"."""
    first, *rest = pair
    return pair == ["due", "to"] or (first in CAUSE_WORDS and not set(rest) & _PLACES)


def query_sense(
    wording: str,
    groups: Sequence[Sequence[str]],
    broader: Mapping[int, Sequence[str]] | None = None,
) -> Sense:
    """The query's sense, with the forms each of its words was searched by; the words
    naming a cause stand for all their forms, and the broader words searched for them
    ("food" for "milk"), by number of their group."""
    sense = read_sense(wording)
    cause = set(sense.cause)
    for number, group in enumerate(groups):
        if sense.cause & set(group):
            cause.update([*group, *(broader or {}).get(number, ())])
    return replace(sense, groups=tuple(frozenset(g) for g in groups if g), cause=frozenset(cause))


def _same_words(query: Sense, title: Sense) -> bool:
    """The title says every word of the query, in one of its forms, and nothing else but
    what it leaves unsaid ("Psoriasis, unspecified" for "psoriasis"), or but one of two
    conditions it joins by "and" ("Dizziness and giddiness" for "dizziness")."""
    groups = query.word_groups()
    forms = query.stems.union(*groups)
    # A letter the query names that no group searched for ("A") must be said too.
    letters = {s for s in query.stems.difference(*groups) if len(s) == 1}
    whole = title.said
    readings = chain(
        [whole],
        (whole - side for pair in title.joined for side in pair),
        # "Alcohol dependence, uncomplicated" is "alcoholism" in other words. Only a
        # phrase whose rest of the title the query says can make it so (titles have many).
        (
            (whole - phrase) | other
            for phrase, other in title.renamings
            if phrase <= whole and whole - phrase <= forms
        ),
    )
    return any(
        said <= forms and all(g & said for g in groups) and letters <= said for said in readings
    )


def adjustment(query: Sense, title: Sense, named_exactly: bool = False) -> float:
    """How much better (or worse) the title fits the query's sense than its words show;
    `named_exactly`: one of the code's inclusion terms is the query, word for word."""
    change = EXACT_TITLE if named_exactly or _same_words(query, title) else 0.0
    # A title naming a cause of its own must name the query's there ("Chemical pneumonitis
    # due to anesthesia" is not the code of nitrogen dioxide, a chemical).
    # Only words naming a particular condition count: "Myopathy in diseases classified
    # elsewhere" does not name "metabolic disease".
    cause = query.cause - GENERIC_STEMS - _any_condition()
    if cause and not cause & ((title.cause or title.stems) | title.also_named):
        change -= CAUSE_UNNAMED
    unasked = False  # the title adds a "with X" the query never said
    for stemmed, polarity in title.marked.items():
        said = query.marked.get(stemmed)
        if said is None and stemmed in query.stems and stemmed not in title.unmarked:
            # The coder named X without a marker: they mean "with X", unless the title
            # names their word elsewhere too ("hepatitis" is not "with hepatic coma").
            said = True
        if said is None:
            unasked = unasked or (polarity and stemmed not in title.included)
        elif said == polarity:
            change += AGREE
        else:
            change -= CONFLICT
    change -= UNASKED_WITH if unasked else 0.0
    change -= OPPOSITE_SAID * len(_opposites_said(query, title))
    unsaid_inflammations = _inflammation_unsaid(query, title) + _inflammation_unsaid(title, query)
    change -= INFLAMMATION_UNSAID * unsaid_inflammations
    for axis in title.open_axes:
        if any(value in query.stems for value in AXES[axis]):
            change -= AXIS_FILLED
        elif axis in NAMED_AXES:
            change += AXIS_LEFT_OPEN
    return change + _specificity(query, title)


def _inflammation_unsaid(one: Sense, other: Sense) -> int:
    """How many inflammations `one` names ("prostatitis", in any of its forms searched)
    whose organ `other` names without its inflammation ("Disorder of prostate")."""
    if _INFLAMMATION_STEMS & other.stems:
        return 0
    unsaid = 0
    for inflamed in one.inflamed:
        forms = {inflamed}.union(*(g for g in one.word_groups() if inflamed in g))
        unsaid += bool(forms & other.stems) and not forms & other.inflamed
    return unsaid


def _opposites_said(query: Sense, title: Sense) -> list[tuple[str, str]]:
    """(query word, title word) pairs naming opposite states, where the title does not
    also say the query's word ("acute and chronic" is either)."""
    asked = {s for s in query.stems if query.marked.get(s) is not False}
    if not asked & _opposite_set():
        return []
    return [
        (word, other)
        for first, second in _opposite_stems()
        for word, other in ((first, second), (second, first))
        if word in asked and other in title.said and word not in title.stems
    ]


@cache
def _opposite_stems() -> tuple[tuple[str, str], ...]:
    return tuple((stem(first), stem(second)) for first, second in _OPPOSITE_WORDS)


@cache
def _opposite_set() -> frozenset[str]:
    return frozenset(word for pair in _opposite_stems() for word in pair)


def _specificity(query: Sense, title: Sense) -> float:
    unspecified = UNSPECIFIED_STEM in title.stems
    other = OTHER_STEM in title.stems
    if not (unspecified or other):
        return 0.0
    if UNSPECIFIED_STEM in query.stems:
        wants_unspecified = True
    elif SPECIFIED_STEM in query.stems:
        wants_unspecified = False
    else:
        generic = _generic_stems()
        content = [
            group
            for group in query.word_groups()
            if not (group <= generic or group & _any_condition())
            and not any(s in query.marked for s in group)
        ]
        named = title.stems | title.also_named
        # "Myopathy in metabolic disease" is coded by the metabolic disease: a title
        # naming it is meant for it, whatever the condition in it.
        host = query.host - GENERIC_STEMS - _any_condition()
        if host & named:
            content = [group for group in content if group & query.cause]
        wants_unspecified = all(group & named for group in content)
    if unspecified:
        return SPECIFIED if wants_unspecified else -SPECIFIED
    return -SPECIFIED if wants_unspecified else SPECIFIED


@cache
def _generic_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in _PASS_OVER | MARKERS)


@cache
def _any_condition() -> frozenset[str]:
    return frozenset(stem(w) for w in _ANY_CONDITION)
