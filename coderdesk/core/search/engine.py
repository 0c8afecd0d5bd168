# SPDX-License-Identifier: GPL-3.0-or-later
"""The encoder's search: codes by prefix from memory, words through Whoosh, then re-ranked.

Code look-ups never touch Whoosh: a sorted in-memory list answers a prefix with two
bisections. Text goes through abbreviation expansion and spelling correction, a BM25F
query over the weighted fields, and a re-ranking that prefers the code whose own words
cover the query (what a coder means) over one that merely mentions many of them.
"""

from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from coderdesk.core import paths
from coderdesk.core.codes.importers import ensure_default_icd10cm
from coderdesk.core.progress import CancelToken, ProgressCallback, no_progress
from coderdesk.core.search import index as search_index
from coderdesk.core.search.analysis import (
    SpellingCorrector,
    broader_phrases,
    is_code_query,
    load_dictionary,
    normalise_code,
    stem,
    stems,
    without_side_after_laterality,
    words,
)
from coderdesk.core.search.impacts import GENERIC_STEMS
from coderdesk.core.search.index import SYSTEM_NUMBERS
from coderdesk.core.search.rerank import (
    OTHER_STEM,
    RERANK_DEPTH,
    SIDE_STEMS,
    SPECIFIED_STEM,
    UNSPECIFIED_STEM,
    adjustment,
    query_sense,
    read_sense,
)

if TYPE_CHECKING:
    from pathlib import Path

    from whoosh.searching import Searcher

    from coderdesk.core.codes.library import CodeSetLibrary
    from coderdesk.core.search.impacts import Impacts, ScoredDocs
    from coderdesk.core.search.rerank import Sense


# How far an Index path holding the whole query quiets the second look (1 = silences it).
INDEX_PATH_DAMPING = 0.5
TITLE_SENSES = 20_000  # titles whose sense is kept between queries (about 10 MB)
WHOLE_QUERY = 0.99  # an Index path's share of the query that counts as all of it
MIN_COMPOUND_PREFIX, MIN_COMPOUND_HEAD = 3, 6  # letters before a compound's head; in it
DEFAULT_BELOW_HEADER = 0.0001  # a header's default code ranks this far below it
OTHER_ABOVE_UNSPECIFIED = 0.001  # an "other specified" code over its "unspecified" one
DISTINCT_FIRST = 5  # results that are different codes (see `distinct_codes_first`)
SIDES_BELOW = 10  # results before the other sides of a code (see `sides_after_others`)
# The parts of a code's relevance (see `relevance`). Covering every word the coder typed,
# anywhere in the code's documents, weighs most: BM25 rewards a word said often, which
# says little of which code is meant (measured on the dev set and on all 4,915 Alphabetic
# Index main terms that carry a code).
BM25_WEIGHT = 0.5
COVERAGE_WEIGHT = 4.0
TITLE_COVER_WEIGHT = 1.0
PRECISION_WEIGHT = 1.0


@dataclass(frozen=True)
class SearchResult:
    """One code found, as the encoder and the CLI show it."""

    code: str
    title: str
    system: str
    billable: bool
    score: float
    kind: str = "code"


@dataclass(frozen=True)
class SearchResponse:
    """Results for one query, with the spelling it was run with when corrected."""

    query: str
    results: tuple[SearchResult, ...]
    corrected: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class CodeEntry:
    """A code in the in-memory list (every ICD-10-CM node incl. 7th characters, HCPCS, CPT)."""

    plain: str
    code: str
    system: str
    title: str
    billable: bool
    kind: str

    def as_result(self, score: float) -> SearchResult:
        """The code as a search result with `score`."""
        return SearchResult(self.code, self.title, self.system, self.billable, score, self.kind)


_CODE_LIST_QUERIES = {
    "icd10cm": "SELECT replace(code, '.', ''), code, title, billable, kind FROM icd_nodes"
    " WHERE version_id = ? AND kind != 'chapter'",
    "hcpcs": "SELECT code, code, long_description, 1, 'code' FROM hcpcs_codes"
    " WHERE version_id = ? AND is_modifier = 0",
    "cpt": "SELECT code, code, descriptor, 1, 'code' FROM cpt_codes WHERE version_id = ?",
}
_Row = tuple[str, str, str, str, int, str]  # plain, system, code, title, billable, kind
_ROW_COLUMNS = 6
_COLUMNS = _ROW_COLUMNS + 1  # and each header's default code
CODE_LIST_FILE = "coderdesk-codes.json"


class CodeList:
    """All codes sorted by their dot-less form, for prefix look-ups in microseconds.

    The codes are kept as columns (dot-less code, system, code, title, billable, kind,
    and a header's default code): 105,000 of them load in under a tenth of a second, a
    third of the time rows took; a `CodeEntry` is made only for the codes a look-up
    returns.
    """

    def __init__(self, columns: list[list[Any]]) -> None:
        self.keys: list[str] = columns[0]
        self.columns = columns

    @classmethod
    def from_rows(cls, rows: list[_Row]) -> CodeList:
        """A list of the given codes, sorted, with each header's default code."""
        ordered = sorted(rows)
        columns = [list(column) for column in zip(*ordered, strict=True)]
        columns = columns or [[] for _ in range(_ROW_COLUMNS)]
        return cls([*columns, _default_codes(columns)])

    @classmethod
    def from_library(cls, library: CodeSetLibrary) -> CodeList:
        """Load the codes of every system in force today."""
        cursor = library.db.cursor()
        cursor.row_factory = None
        rows: list[_Row] = []
        for system, sql in _CODE_LIST_QUERIES.items():
            version = library.version_for(system)
            if version is not None:
                rows.extend(
                    (p.upper(), system, c, t, b, k)
                    for p, c, t, b, k in cursor.execute(sql, (version.id,))
                )
        return cls.from_rows(rows)

    def save(self, folder: Path) -> None:
        """Write the columns beside the index (the library scan is slow for a cold start)."""
        (folder / CODE_LIST_FILE).write_text(json.dumps(self.columns), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> CodeList:
        """Read what `save` wrote (already sorted)."""
        columns = json.loads((folder / CODE_LIST_FILE).read_text("utf-8"))
        if len(columns) != _COLUMNS or len({len(column) for column in columns}) > 1:
            raise ValueError("The code list beside the index is damaged.")
        return cls(columns)

    def _entry(self, number: int) -> CodeEntry:
        plain, system, code, title, billable, kind = (
            c[number] for c in self.columns[:_ROW_COLUMNS]
        )
        return CodeEntry(plain, code, system, title, bool(billable), kind)

    def __len__(self) -> int:
        return len(self.keys)

    def entries(self, system: str | None = None) -> list[CodeEntry]:
        """Every entry (of one system), in code order."""
        systems = self.columns[1]
        return [self._entry(n) for n in range(len(self)) if system is None or systems[n] == system]

    def with_prefix(
        self,
        prefix: str,
        system: str = "all",
        billable_only: bool = False,
        limit: int | None = None,
    ) -> list[CodeEntry]:
        """Entries whose dot-less code starts with `prefix`, in code order, filtered."""
        start = bisect.bisect_left(self.keys, prefix)
        end = bisect.bisect_left(self.keys, prefix + "\uffff", lo=start)
        systems, billables = self.columns[1], self.columns[4]
        found: list[CodeEntry] = []
        for number in range(start, end):
            if (system == "all" or systems[number] == system) and (
                billables[number] or not billable_only
            ):
                found.append(self._entry(number))
                if limit is not None and len(found) >= limit:
                    break
        return found

    def get(self, code: str, system: str = "all") -> CodeEntry | None:
        """The entry for one exact code, if it exists."""
        number = self._number(code, system)
        return None if number is None else self._entry(number)

    def default_under(self, header: str) -> CodeEntry | None:
        """The ICD-10-CM code under `header` that is the header itself (see
        `_default_codes`), if it has one."""
        number = self._number(header, "icd10cm")
        default = "" if number is None else self.columns[_ROW_COLUMNS][number]
        return self.get(default, "icd10cm") if default else None

    def _number(self, code: str, system: str) -> int | None:
        plain = normalise_code(code)
        systems = self.columns[1]
        start = bisect.bisect_left(self.keys, plain)
        for number in range(start, bisect.bisect_right(self.keys, plain, lo=start)):
            if system in ("all", systems[number]):
                return number
        return None


def _default_codes(columns: list[list[Any]]) -> list[str]:
    """For each ICD-10-CM header, the code under it nearest the header that says what the
    header says, or leaves it unsaid, and nothing more: M24.6 "Ankylosis of joint" has
    M24.60 "Ankylosis, unspecified joint", E11 has E11.9 "... without complications".
    The Alphabetic Index leads a bare condition to that code."""
    keys, systems, codes, titles, billables, kinds = columns[:_ROW_COLUMNS]
    defaults = [""] * len(keys)
    depths: dict[int, int] = {}
    headers: list[tuple[int, frozenset[str]]] = []  # the headers the current code is under
    awaiting_seventh = "\0"  # the last code that needs its 7th character
    for number, key in enumerate(keys):
        if systems[number] != "icd10cm":
            continue
        # A code with its 7th character is never a default: the code above it says the
        # same without the encounter, nearer any header (and skipping them halves the time).
        if key.startswith(awaiting_seventh):
            continue
        if kinds[number] == "code" and not billables[number]:
            awaiting_seventh = key
        while headers and not key.startswith(keys[headers[-1][0]]):
            headers.pop()
        sense = read_sense(titles[number])
        if not (billables[number] or kinds[number] == "code"):
            headers.append((number, sense.said))
            continue
        for header, header_said in headers:
            depth = len(key) - len(keys[header])
            says_no_more = sense.said <= header_said <= sense.stems
            if says_no_more and depth < depths.get(header, len(key)):
                defaults[header], depths[header] = codes[number], depth
    return defaults


def build(
    library: CodeSetLibrary,
    folder: Path | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> search_index.BuildReport:
    """Build the Whoosh index, its impacts and the code list (`coderdesk index build`)."""
    code_list = CodeList.from_library(library)
    return search_index.build_index(library, folder, progress, cancel, extras=code_list.save)


def _code_results(entries: list[CodeEntry], limit: int) -> tuple[SearchResult, ...]:
    return tuple(e.as_result(100.0 - i * 0.01) for i, e in enumerate(entries[:limit]))


class SearchEngine:
    """Answers encoder queries over the library's code sets."""

    def __init__(
        self,
        code_list: CodeList,
        searcher: Searcher,
        impacts: Impacts,
        corrector: SpellingCorrector,
    ) -> None:
        self.code_list = code_list
        self.searcher = searcher
        self.impacts = impacts
        self.variants = impacts.variants()
        self.corrector = corrector
        self.dictionary = load_dictionary()

    @classmethod
    def open(
        cls,
        library: CodeSetLibrary,
        folder: Path | None = None,
        progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> SearchEngine:
        """Open the index, building the default code sets and the index first when needed."""
        ensure_default_icd10cm(library, progress)
        target = folder or paths.search_index_dir()
        if not search_index.is_current(library, target):
            build(library, target, progress, cancel)
        try:
            ix, impacts, vocabulary = search_index.open_index(target)
            code_list = CodeList.load(target)
        except (search_index.IndexStale, OSError, ValueError, KeyError):
            build(library, target, progress, cancel)
            ix, impacts, vocabulary = search_index.open_index(target)
            code_list = CodeList.load(target)
        return cls(code_list, ix.searcher(), impacts, SpellingCorrector(vocabulary))

    def close(self) -> None:
        """Release the index files."""
        self.searcher.close()

    # -- queries --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        system: str = "all",
        limit: int = 20,
        billable_only: bool = False,
    ) -> SearchResponse:
        """Search by code or by words; results best first."""
        text = query.strip()
        if not text:
            return SearchResponse(query, ())
        if is_code_query(text):
            # Only ICD-10-CM codes carry a dot; without one, E1140 (HCPCS) and E11.40 both fit.
            scope = "icd10cm" if "." in text and system == "all" else system
            entries = self.code_list.with_prefix(normalise_code(text), scope, billable_only, limit)
            if entries:
                return SearchResponse(query, _code_results(entries, limit))
        return self._text_search(query, system, limit, billable_only)

    def _correct(self, tokens: list[str], partial: bool) -> tuple[list[str], bool]:
        corrected, changed = [], False
        for number, token in enumerate(tokens):
            typing = partial and number == len(tokens) - 1
            # A word still being typed is completed, not corrected, while it begins a word;
            # a word whose stem the index holds is a form of a known word ("excessively",
            # "fungus" in a synonym), not a misspelling; nor is a narrower word the
            # dictionary knows a broader one for ("pinky", which titles never say).
            known = stem(token) in self.variants.ids or self.dictionary.has_broader(token)
            begun = typing and self.corrector.begins_a_word(token)
            fixed = None if known or begun else self.corrector.correct(token)
            corrected.append(fixed or token)
            changed = changed or fixed is not None
        return corrected, changed

    def _stems(self, tokens: list[str]) -> list[str]:
        return list(dict.fromkeys(stems(" ".join(tokens))))

    def _text_search(
        self, query: str, system: str, limit: int, billable_only: bool
    ) -> SearchResponse:
        # A last word with no space after it may still be being typed: complete it.
        partial = not query.endswith(" ")
        tokens = without_side_after_laterality(self.dictionary.expand(words(query)))
        corrected_tokens, changed = self._correct(tokens, partial)
        query_stems = self._stems(corrected_tokens)
        last = words(corrected_tokens[-1])[-1:] if corrected_tokens else []
        last_word = last[0] if last else ""
        # After a word searched for none ("hepatitis a"), the word before it is finished.
        partial = partial and bool(stems(last_word))
        whole = last_word if self.corrector.known(last_word) else ""
        groups = self.variants.groups(query_stems, partial_last=partial, typed=whole)
        wording = " ".join(corrected_tokens)
        renamed = self._add_other_endings(groups, corrected_tokens)
        # A compound still names something no title says: it stays in the query's sense.
        headed = self._add_compound_heads(groups, corrected_tokens, renamed)
        typed = len(groups)
        self._add_joined_words(groups, corrected_tokens)
        alternatives = self._add_synonyms(groups, wording, typed)
        fallbacks = self._fallbacks(groups, wording, headed)
        # A word being typed that no word of the index begins is as good as finished.
        typing = partial and bool(query_stems and self.variants.completions(query_stems[-1], whole))
        finished = [s for s in (query_stems[:-1] if typing else query_stems) if s not in renamed]
        sense = self._sense(wording, groups[:typed], finished, fallbacks)
        ranked = self._rank(groups, fallbacks, alternatives, sense, system, billable_only, limit)
        corrected = " ".join(corrected_tokens) if changed else None
        return SearchResponse(
            query, ranked, corrected=corrected, suggestion=corrected if not ranked else None
        )

    def _sense(
        self,
        wording: str,
        typed: list[list[str]],
        finished: list[str],
        fallbacks: dict[int, list[list[str]]],
    ) -> Sense:
        """The query's sense over the groups of the words typed (with their one-word
        synonyms, not the optional phrases added); a finished word the index does not know
        is a group of its own: it still says the coder wants something specific."""
        unknown = [[stem] for stem in finished if not self.variants.near_forms(stem)]
        broader = {n: [s for phrase in found for s in phrase] for n, found in fallbacks.items()}
        return query_sense(wording, [*typed, *unknown], broader)

    def _add_other_endings(self, groups: list[list[str]], tokens: list[str]) -> set[str]:
        """The same word with the ending the titles use ("actinomycotic" finds
        "actinomycosis"), as one more form of it; a word the code sets hold only in another
        form ("anovulatory": "anovulation") is searched by those forms. Returns the stems
        of such words."""
        renamed: set[str] = set()
        for token in tokens:
            forms = [f for f in self.dictionary.other_endings(token) if self.corrector.known(f)]
            if forms and _group_of(groups, self._stems([token])) is None:
                renamed.update(self._stems([token]))
                _add_unless_searched(groups, self._stems(forms))
            elif forms:
                self._add_forms(groups, token, forms)
        return renamed

    def _add_compound_heads(
        self, groups: list[list[str]], tokens: list[str], renamed: set[str]
    ) -> set[str]:
        """A compound the code sets never say is searched by its head, the longest word
        they do say that ends it ("ailurophobia": "phobia", "actinoneuritis": "neuritis"):
        a medical compound names a kind of its last part. Returns the compounds' stems."""
        headed: set[str] = set()
        for token in tokens:
            stemmed = self._stems([token])
            if not token.isalpha() or not stemmed or set(stemmed) & renamed:
                continue
            head = None if _group_of(groups, stemmed) is not None else self._compound_head(token)
            head_stems = self._stems([head]) if head else []
            if head_stems:
                headed.update(stemmed)
                _add_unless_searched(groups, head_stems)
        return headed

    def _compound_head(self, word: str) -> str | None:
        """The longest word of the index that ends `word`, after a few letters of it."""
        for start in range(MIN_COMPOUND_PREFIX, len(word) - MIN_COMPOUND_HEAD + 1):
            if self.corrector.known(word[start:]):
                return word[start:]
        return None

    def _add_joined_words(self, groups: list[list[str]], tokens: list[str]) -> None:
        """Two words the code sets write as one ("heat stroke" -> "heatstroke"): the one
        word is a form of each of them."""
        for first, second in zip(tokens, tokens[1:], strict=False):
            joined = first + second
            if first.isalpha() and second.isalpha() and self.corrector.known(joined):
                self._add_forms(groups, first, [joined])
                self._add_forms(groups, second, [joined])

    def _add_forms(self, groups: list[list[str]], word: str, forms: list[str]) -> None:
        """`forms` join the group of `word` (if it has one) as more forms of it."""
        number = _group_of(groups, self._stems([word]))
        if number is not None:
            groups[number] = list(dict.fromkeys([*groups[number], *self._stems(forms)]))

    def _add_synonyms(
        self, groups: list[list[str]], wording: str, typed: int
    ) -> dict[int, list[int]]:
        """A one-word synonym is one more form of its word ("newborn" / "neonatal"); a
        phrase ("heart attack" / "myocardial infarction") is one more group, standing for
        the typed words it rephrases (by group number), which it returns."""
        standing_for: dict[int, list[int]] = {}
        for phrase, other in self.dictionary.synonym_pairs(wording):
            said, others = self._stems(words(phrase)), self._stems(words(other))
            number = _group_of(groups, said)
            if len(said) == 1 and len(others) == 1 and number is not None:
                groups[number] = [*groups[number], *others]
                continue
            if others not in groups:  # "anomaly, anomalous" add "congenital malformation" once
                groups.append(others)
            targets = [_group_of(groups[:typed], [s]) for s in said]
            if targets and None not in targets:
                found = standing_for.setdefault(groups.index(others), [])
                found += [t for t in targets if t is not None and t not in found]
        return standing_for

    def _fallbacks(
        self, groups: list[list[str]], wording: str, headed: set[str]
    ) -> dict[int, list[list[str]]]:
        """Broader phrases (as stems) for the query words that have some, keyed by the
        word's group; a word no title holds ("pinky") becomes a group of its own, found by
        them alone. `headed`: the stems of compounds searched by their head."""
        fallbacks: dict[int, list[list[str]]] = {}
        for narrower, wider in self.dictionary.broader_pairs(wording):
            said = self._stems(words(narrower))
            number = _group_of(groups, said)
            # Only a listed narrower word, or a compound beginning with a part ("glosso-"
            # in "glossoplegia"), not one read from its ending alone ("epiglottiditis" is
            # no kind of "inflammatory polyneuropathy"); nor one a word of the index ends.
            if number is None and said and self._may_stand_alone(narrower, said, headed):
                groups.append(said[-1:])
                number = len(groups) - 1
            if number is not None:
                fallbacks.setdefault(number, []).extend(list(p) for p in broader_stems(wider))
        return fallbacks

    def _may_stand_alone(self, narrower: str, said: list[str], headed: set[str]) -> bool:
        """Whether a narrower word no title holds is searched by its broader words alone:
        it is listed, or it is a compound beginning with a part and no word ends it."""
        if self.dictionary.has_broader(narrower):
            return True
        return self.dictionary.begins_with_a_part(narrower) and not set(said) & headed

    def _rank(
        self,
        groups: list[list[str]],
        fallbacks: dict[int, list[list[str]]],
        alternatives: dict[int, list[int]],
        sense: Sense,
        system: str,
        billable_only: bool,
        limit: int,
    ) -> tuple[SearchResult, ...]:
        scored = self.impacts.score(groups, fallbacks, alternatives)
        if scored.wanted == 0:
            return ()
        found = (scored.covered > 0) & self.impacts.ranked
        per_doc = np.where(found, relevance(scored, self.impacts), -np.inf)
        scores = self.impacts.per_code(per_doc.astype(np.float32))
        allowed = np.isfinite(scores)
        codes = self.impacts.owners_start
        if system != "all":
            allowed &= self.impacts.systems[codes] == SYSTEM_NUMBERS[system]
        if billable_only:
            allowed &= self.impacts.billable[codes]
        candidates = np.flatnonzero(allowed)
        depth = max(limit, RERANK_DEPTH)
        if len(candidates) > depth:
            best = np.argpartition(-scores[candidates], depth)[:depth]
            candidates = candidates[best]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return self._second_look(ordered, scores, scored, sense, limit)

    def _second_look(
        self,
        ordered: npt.NDArray[np.intp],
        scores: npt.NDArray[np.float32],
        scored: ScoredDocs,
        sense: Sense,
        limit: int,
    ) -> tuple[SearchResult, ...]:
        """The best candidates again, with their titles' sense (see `rerank`); a code
        one of whose inclusion terms is the query fits it as its title would."""
        rescored = []
        anchored: set[str] = set()
        for code in ordered:
            found = self._result(int(code), float(scores[code]))
            # An Index path that holds the whole query already says much of which code is
            # meant (though not with / without): the second look counts for less there.
            index_fit, named = code_fit(scored, self.impacts, int(code))
            damping = 1.0 - INDEX_PATH_DAMPING * index_fit
            change = adjustment(sense, title_sense(found.title), named) * damping
            rescored.append(replace(found, score=round(found.score + change, 4)))
            if index_fit >= WHOLE_QUERY:
                anchored.add(found.code)
        rescored = self._with_default_codes(rescored, sense)
        rescored = self._with_other_specified(rescored, sense)
        rescored.sort(key=lambda r: -r.score)
        arranged = headers_after_a_child(rescored, anchored)
        return distinct_codes_first(arranged, sense)[:limit]

    def _with_default_codes(self, results: list[SearchResult], query: Sense) -> list[SearchResult]:
        """The default code of each header whose title says every word of the query ranks
        as high as the header (just below it): what the coder said fits the code that is
        the header saying nothing more. A header saying less than the query leaves the
        code under it that says the rest to rank by its own words."""
        found = {(r.system, r.code): r for r in results}
        for header in results:
            if _is_code(header) or header.system != "icd10cm":
                continue
            if not _says_the_query(header, query, generic_unsaid=False):
                continue
            default = self.code_list.default_under(header.code)
            if default is None:
                continue
            score = round(header.score - DEFAULT_BELOW_HEADER, 4)
            key = (default.system, default.code)
            if key not in found or found[key].score < score:
                found[key] = default.as_result(score)
        return list(found.values())

    def _with_other_specified(
        self, results: list[SearchResult], query: Sense
    ) -> list[SearchResult]:
        """For a query saying "specified", the "other specified" sibling of each
        "unspecified" code found ranks just above it: "alopecia specified" is L65.8 "Other
        specified nonscarring hair loss", beside L65.9 "Nonscarring hair loss, unspecified",
        which its inclusion term "alopecia" found (the Index's "specified NEC")."""
        if SPECIFIED_STEM not in query.stems:
            return results
        found = {(r.system, r.code): r for r in results}
        for unspecified in results:
            for sibling in self._other_specified_siblings(unspecified):
                score = round(unspecified.score + OTHER_ABOVE_UNSPECIFIED, 4)
                key = (sibling.system, sibling.code)
                if key not in found or found[key].score < score:
                    found[key] = sibling.as_result(score)
        return list(found.values())

    def _other_specified_siblings(self, found: SearchResult) -> list[CodeEntry]:
        """The codes beside an "unspecified" ICD-10-CM code whose title is its own with
        "other (specified)" for "unspecified"."""
        title = title_sense(found.title).stems
        if found.system != "icd10cm" or not _is_code(found) or UNSPECIFIED_STEM not in title:
            return []
        wanted = title - {UNSPECIFIED_STEM}
        parent = normalise_code(found.code)[:-1]
        siblings = self.code_list.with_prefix(parent, "icd10cm")
        return [
            sibling
            for sibling in siblings
            if len(normalise_code(sibling.code)) == len(parent) + 1
            and OTHER_STEM in (said := title_sense(sibling.title).stems)
            and said - {OTHER_STEM, SPECIFIED_STEM} == wanted
        ]

    def _result(self, doc: int, score: float) -> SearchResult:
        fields = self.searcher.stored_fields(doc)
        return SearchResult(
            fields["code"],
            fields["display_title"],
            fields["system"],
            fields["billable"],
            round(score, 4),
            fields["kind"],
        )


@functools.cache
def broader_stems(wider: str) -> tuple[tuple[str, ...], ...]:
    """A broader value's alternatives as stems ("lower limb" -> ("lower", "limb")), read
    once per value: the dictionary holds a few thousand, and queries ask for the same."""
    alternatives = (tuple(dict.fromkeys(stems(" ".join(p)))) for p in broader_phrases(wider))
    return tuple(phrase for phrase in alternatives if phrase)


@functools.lru_cache(maxsize=TITLE_SENSES)
def title_sense(title: str) -> Sense:
    """A title's sense, with the stems of its other names in the dictionary; kept, as
    the candidates of one query are mostly those of the last (the coder is typing)."""
    renamings = tuple(
        (phrase_stems(phrase), phrase_stems(other))
        for phrase, other in load_dictionary().renamings_of(title)
    )
    also_named = frozenset().union(*(other for _phrase, other in renamings))
    return replace(read_sense(title), also_named=also_named, renamings=renamings)


@functools.cache
def phrase_stems(phrase: str) -> frozenset[str]:
    """The stems of one of the dictionary's phrases (a few thousand, read once each)."""
    return frozenset(stems(" ".join(words(phrase))))


def headers_after_a_child(
    results: list[SearchResult], anchored: set[str]
) -> tuple[SearchResult, ...]:
    """Each header found with a code under it moves to just after that code (after the
    narrower headers already there), unless an Index path holding the whole
    query leads to the header itself (`anchored`).

    Words alone lead to the most specific code they support (the Index's default is
    usually the unspecified child); the header stays in the list, under it, for context.
    """
    ordered = list(results)
    moved: set[str] = set()
    index = 0
    while index < len(ordered):
        header = ordered[index]
        keep = _is_code(header) or header.code in moved or header.code in anchored
        child = None if keep else _first_code_under(ordered, index)
        if child is None:
            index += 1
            continue
        moved.add(header.code)
        ordered.pop(index)
        place = child  # just after the child, which moved up one
        while place < len(ordered) and _is_narrower_header(ordered[place], header):
            place += 1
        ordered.insert(place, header)
    return tuple(ordered)


def distinct_codes_first(
    results: tuple[SearchResult, ...], query: Sense
) -> tuple[SearchResult, ...]:
    """The first `DISTINCT_FIRST` results are different codes: the other sides of a code,
    and a header that says no more than a code under it, wait below them. A coder sees
    more of the codes the words may mean, and picks a side or reads the header from the
    code's place."""
    return headers_after_different_codes(sides_after_others(results, query), query)


def headers_after_different_codes(
    results: tuple[SearchResult, ...], query: Sense
) -> tuple[SearchResult, ...]:
    """A header after a code under it (see `headers_after_a_child`) waits below the first
    `DISTINCT_FIRST` results, unless its title says every word of the query: then the
    header is what the coder named ("acidosis" is E87.2, whose default E87.20 is first)."""
    first: list[SearchResult] = []
    later: list[SearchResult] = []
    for found in results:
        says_less = not _is_code(found) and any(_is_under(code, found) for code in first)
        if says_less and len(first) < DISTINCT_FIRST and not _says_the_query(found, query):
            later.append(found)
        else:
            first.append(found)
    return (*first[:DISTINCT_FIRST], *later, *first[DISTINCT_FIRST:])


def _says_the_query(found: SearchResult, query: Sense, *, generic_unsaid: bool = True) -> bool:
    """Whether the title says every word of the query, in any of its forms or in the
    dictionary's other names for its phrases; `generic_unsaid`: but "other", "disease"
    and the like, which it may leave unsaid."""
    title = title_sense(found.title)
    said = title.stems | title.also_named
    return all(
        group & said or (generic_unsaid and group <= GENERIC_STEMS) for group in query.word_groups()
    )


def sides_after_others(results: tuple[SearchResult, ...], query: Sense) -> tuple[SearchResult, ...]:
    """Codes that differ only by side ("..., right foot", "..., left foot", "...,
    unspecified foot"), for a query naming no side: one of them stands for them all where
    the first of them ranked (the one leaving the side open, the Index's default, when it
    was found), and the others wait below the first `SIDES_BELOW` results."""
    if query.stems & SIDE_STEMS:
        return results
    keys, sided = [], []
    for found in results:
        title = title_sense(found.title).stems
        keys.append((found.system, title - SIDE_STEMS - {UNSPECIFIED_STEM}))
        sided.append(bool(title & SIDE_STEMS))
    families: dict[tuple[str, frozenset[str]], list[int]] = {}
    for number, key in enumerate(keys):
        families.setdefault(key, []).append(number)
    first: list[SearchResult] = []
    later: list[SearchResult] = []
    for number, key in enumerate(keys):
        family = families[key]
        if not any(sided[member] for member in family):
            first.append(results[number])
            continue
        lead = next((m for m in family if not sided[m] and _is_code(results[m])), family[0])
        if number == family[0]:
            first.append(results[lead])
        if number != lead:
            later.append(results[number])
    return (*first[:SIDES_BELOW], *later, *first[SIDES_BELOW:])


def _is_under(found: SearchResult, header: SearchResult) -> bool:
    """Whether `found` is a code below `header` in the same code system."""
    code, prefix = found.code.replace(".", ""), header.code.replace(".", "")
    return found.system == header.system and code != prefix and code.startswith(prefix)


def _is_code(found: SearchResult) -> bool:
    """A code, not a header: billable, or needing only its 7th character."""
    return found.billable or found.kind == "code"


def _is_narrower_header(found: SearchResult, header: SearchResult) -> bool:
    return not _is_code(found) and _is_under(found, header)


def _first_code_under(results: list[SearchResult], start: int) -> int | None:
    header = results[start]
    return next(
        (
            position
            for position in range(start + 1, len(results))
            if _is_code(results[position]) and _is_under(results[position], header)
        ),
        None,
    )


def _add_unless_searched(groups: list[list[str]], forms: list[str]) -> None:
    """`forms` as a group of their own, unless a group holds one of them already ("ataxia
    ataxy": a word already searched in one of its forms is not searched twice)."""
    if not any(set(forms) & set(group) for group in groups):
        groups.append(forms)


def _group_of(groups: list[list[str]], stems: list[str]) -> int | None:
    """The group holding the last of `stems` (the head word of a phrase)."""
    if not stems:
        return None
    return next((n for n, group in enumerate(groups) if stems[-1] in group), None)


def code_fit(scored: ScoredDocs, impacts: Impacts, code: int) -> tuple[float, bool]:
    """For one code: the largest share of the query one of its Alphabetic Index paths
    holds; and whether one of its inclusion terms says the whole query and nothing more
    but its nonessential words ("Bursitis NOS" for "bursitis")."""
    starts = impacts.owners_start
    end = int(starts[code + 1]) if code + 1 < len(starts) else impacts.documents
    others = slice(int(starts[code]) + 1, end)  # its own document comes first
    paths = impacts.paths[others]
    cover = np.minimum(scored.covered[others][paths] / scored.wanted, 1.0)
    whole = scored.in_title[others] >= WHOLE_QUERY * scored.wanted
    nothing_more = scored.title_words[others] >= impacts.title_lengths[others]
    named = whole & nothing_more & impacts.exact[others]
    return float(cover.max(initial=0.0)), bool(named.any())


def relevance(scored: ScoredDocs, impacts: Impacts) -> npt.NDArray[np.float32]:
    """Final score: BM25F, plus how much of the query the code covers, in title and overall.

    A coder types the words of the condition they mean; the code whose own title holds
    those words, and few others, is the one they mean. Billable codes edge out headers.
    """
    top = float(scored.bm25.max()) or 1.0
    coverage = np.minimum(scored.covered / scored.wanted, 1.0)
    title_cover = np.minimum(scored.in_title / scored.wanted, 1.0)
    precision = np.minimum(scored.title_words / np.maximum(impacts.title_lengths, 1), 1.0)
    score = (
        BM25_WEIGHT * scored.bm25 / top
        + COVERAGE_WEIGHT * coverage
        + TITLE_COVER_WEIGHT * title_cover
        + PRECISION_WEIGHT * precision
    )
    final: npt.NDArray[np.float32] = (score + 0.05 * impacts.billable).astype(np.float32)
    return final
