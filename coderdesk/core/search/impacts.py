# SPDX-License-Identifier: GPL-3.0-or-later
"""Precomputed BM25F impacts: the encoder's fast path for scoring words.

Whoosh's matcher tree took 80-120 ms per multi-word query here (pure-Python matchers,
five weighted fields). The impacts are computed once, when the index is built, from the
same analyzed text Whoosh indexes: for every stem, the documents that contain it with
their summed BM25F contribution, and whether the stem is in the document's title. A query
then costs a few vectorised additions (NumPy), well under a millisecond per term.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

FIELD_WEIGHTS = {
    "title": 3.0,
    "index_terms": 2.5,
    "inclusion": 2.0,
    "synonyms": 1.5,
    "context": 1.0,
}
K1 = 1.2
B = 0.75
FILE = "coderdesk-impacts.npz"
GENERIC_WEIGHT = 0.6
FALLBACK_SHARE = 0.7  # of a query word earned by a broader word standing in for it
# Words of a title that say little about the condition ("other", "site", "disorder"); they
# do not count against a code, and count little in a query.
GENERIC_STEMS = frozenset(
    [
        "unspecifi",
        "specifi",
        "other",
        "nec",
        "not",
        "elsewher",
        "classifi",
        "site",
        "type",
        "part",
        "without",
        "with",
        "due",
        "unspecified",
        "specified",
        "elsewhere",
        "classified",
        "diseas",
        "disord",
        "lesion",
        "condit",
    ]
)
STEMS_FILE = "coderdesk-stems.json"


def words_that_count(title: Sequence[str]) -> int:
    """A title's length: its different stems, "other" and "specified" left out."""
    return len(set(title) - GENERIC_STEMS)


class ImpactCollector:
    """Gathers (stem, document, field, frequency) while documents are indexed."""

    def __init__(self) -> None:
        self.stem_ids: dict[str, int] = {}
        self.rows: list[npt.NDArray[np.int32]] = []
        self.field_lengths: dict[str, list[int]] = {f: [] for f in FIELD_WEIGHTS}
        self.title_lengths: list[int] = []
        self.billable: list[bool] = []
        self.systems: list[int] = []
        self.owners: list[int] = []
        self.paths: list[bool] = []
        self.exact: list[bool] = []
        self.ranked: list[bool] = []
        self.documents = 0

    def add(
        self,
        fields: Mapping[str, Sequence[str]],
        billable: bool,
        system: int,
        owner: int,
        *,
        path: bool = False,
        title_length: int | None = None,
        exact: bool = False,
        ranked: bool = True,
    ) -> None:
        """Record one document's analyzed fields (stems in order, repeats kept).

        `owner` is the code document it stands for: itself, or for an Alphabetic Index
        path (`path`) or an inclusion term scored as a title, the code it leads to. Add
        those right after the code's own document. `title_length` replaces the count of
        the title's words where some of them need not be said. `exact`: the title is an
        inclusion term's essential words, which a query holding them all names exactly.
        A document not `ranked` only says that: it scores nothing.
        """
        doc = self.documents
        for number, name in enumerate(FIELD_WEIGHTS):
            stems = fields.get(name, ())
            self.field_lengths[name].append(len(stems))
            counts: dict[str, int] = {}
            for stem in stems:
                counts[stem] = counts.get(stem, 0) + 1
            if counts:
                ids = [self.stem_ids.setdefault(s, len(self.stem_ids)) for s in counts]
                block = np.empty((len(counts), 4), dtype=np.int32)
                block[:, 0] = ids
                block[:, 1] = doc
                block[:, 2] = number
                block[:, 3] = list(counts.values())
                self.rows.append(block)
        if title_length is None:
            title_length = words_that_count(fields.get("title", ()))
        self.title_lengths.append(title_length)
        self.billable.append(billable)
        self.systems.append(system)
        self.owners.append(owner)
        self.paths.append(path)
        self.exact.append(exact)
        self.ranked.append(ranked)
        self.documents += 1

    def finish(self) -> Impacts:
        """Turn the gathered counts into per-stem postings with BM25F weights."""
        rows = np.concatenate(self.rows) if self.rows else np.zeros((0, 4), dtype=np.int32)
        stems, docs, fields, freqs = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
        idf = self._idf(stems, docs)
        weights = self._bm25(docs, fields, freqs) * idf[stems]
        order = np.lexsort((docs, stems))
        keys = stems[order].astype(np.int64) * (self.documents + 1) + docs[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        summed = np.add.reduceat(weights[order], starts) if len(starts) else weights[:0]
        title_rows = (fields[order] == 0).astype(np.int8)
        in_title = np.maximum.reduceat(title_rows, starts) if len(starts) else title_rows[:0]
        posting_stems = stems[order][starts]
        offsets = np.searchsorted(posting_stems, np.arange(len(self.stem_ids) + 1))
        return Impacts(
            stem_ids=self.stem_ids,
            offsets=offsets.astype(np.int64),
            docs=docs[order][starts].astype(np.int32),
            weights=summed.astype(np.float32),
            in_title=in_title.astype(bool),
            title_lengths=np.asarray(self.title_lengths, dtype=np.int16),
            billable=np.asarray(self.billable, dtype=bool),
            systems=np.asarray(self.systems, dtype=np.int8),
            idf=idf.astype(np.float32),
            owners=np.asarray(self.owners, dtype=np.int32),
            paths=np.asarray(self.paths, dtype=bool),
            exact=np.asarray(self.exact, dtype=bool),
            ranked=np.asarray(self.ranked, dtype=bool),
        )

    def _idf(
        self, stems: npt.NDArray[np.int32], docs: npt.NDArray[np.int32]
    ) -> npt.NDArray[np.float64]:
        # Document frequency counts a document once however many fields hold the stem.
        pairs = np.unique(stems.astype(np.int64) * (self.documents + 1) + docs)
        df = np.bincount(
            (pairs // (self.documents + 1)).astype(np.int64), minlength=len(self.stem_ids)
        )
        n = max(self.documents, 1)
        return np.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _bm25(
        self,
        docs: npt.NDArray[np.int32],
        fields: npt.NDArray[np.int32],
        freqs: npt.NDArray[np.int32],
    ) -> npt.NDArray[np.float64]:
        """The field-weighted BM25 term-frequency part of each row (idf applied by the caller)."""
        result = np.zeros(len(docs))
        for number, (name, weight) in enumerate(FIELD_WEIGHTS.items()):
            lengths = np.asarray(self.field_lengths[name], dtype=np.float64)
            average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
            mask = fields == number
            tf = freqs[mask].astype(np.float64)
            norm = K1 * (1 - B + B * lengths[docs[mask]] / average)
            result[mask] = weight * tf * (K1 + 1) / (tf + norm)
        return result


@dataclass
class Impacts:
    """Postings per stem: document numbers, BM25F weights, title membership; per-doc facts."""

    stem_ids: dict[str, int]
    offsets: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]
    in_title: npt.NDArray[np.bool_]
    title_lengths: npt.NDArray[np.int16]
    billable: npt.NDArray[np.bool_]
    systems: npt.NDArray[np.int8]
    idf: npt.NDArray[np.float32]
    owners: npt.NDArray[np.int32]
    paths: npt.NDArray[np.bool_]  # per document: is it an Alphabetic Index path?
    exact: npt.NDArray[np.bool_]  # per document: an inclusion term's essential words?
    ranked: npt.NDArray[np.bool_]  # per document: does it score (or only say `exact`)?

    @property
    def documents(self) -> int:
        """How many documents the postings refer to (codes, index paths, inclusion terms)."""
        return len(self.billable)

    @property
    def codes(self) -> int:
        """How many code documents there are (the Whoosh index's documents)."""
        return int(self.owners[-1]) + 1 if len(self.owners) else 0

    @functools.cached_property
    def owners_start(self) -> npt.NDArray[np.intp]:
        """Index of each code's own document (the first of its group)."""
        return np.flatnonzero(np.r_[True, self.owners[1:] != self.owners[:-1]])

    def per_code(self, values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The best value among each code's own document, its index paths and inclusion terms."""
        starts = self.owners_start
        return np.maximum.reduceat(values, starts) if len(starts) else values[:0]

    def save(self, folder: Path) -> None:
        """Write the arrays and the stem table beside the Whoosh index."""
        np.savez(
            folder / FILE,
            offsets=self.offsets,
            docs=self.docs,
            weights=self.weights,
            in_title=self.in_title,
            title_lengths=self.title_lengths,
            billable=self.billable,
            systems=self.systems,
            idf=self.idf,
            owners=self.owners,
            paths=self.paths,
            exact=self.exact,
            ranked=self.ranked,
        )
        (folder / STEMS_FILE).write_text(json.dumps(self.stem_ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Impacts:
        """Read what `save` wrote."""
        with np.load(folder / FILE) as data:
            arrays = {name: data[name] for name in data.files}
        stem_ids = json.loads((folder / STEMS_FILE).read_text(encoding="utf-8"))
        return cls(stem_ids=stem_ids, **arrays)

    def score(
        self,
        groups: Sequence[Sequence[str]],
        fallbacks: Mapping[int, Sequence[Sequence[str]]] | None = None,
        alternatives: Mapping[int, Sequence[int]] | None = None,
    ) -> ScoredDocs:
        """Score documents for a query given as groups of interchangeable stems.

        Each group is one query word with its variants (a stem, a longer or shorter form,
        the completions of a word being typed); a document scores the best variant of each
        group. Coverage is weighted by idf, so rare words count more than common ones.
        `fallbacks` gives some groups broader phrases ("hand" for "finger", "lower limb"
        for "leg"): a document without the word itself earns part of the group with one of
        them; a group no document holds ("pinky") counts by them alone. `alternatives`
        makes some groups other phrasings of the query's words ("high blood pressure" for
        group 0, "hypertension"): a document holding every word of one says those words,
        and one holding the words themselves needs nothing of it.
        """
        standing_for = dict(alternatives or {})
        parts = [
            self._part(group, (fallbacks or {}).get(n, ()), whole=n in standing_for)
            for n, group in enumerate(groups)
        ]
        scored = ScoredDocs.empty(self.documents)
        units = _units(standing_for)
        taken = {n for unit in units for n in (*unit.said, *unit.others)}
        for number, part in enumerate(parts):
            if part is not None and number not in taken:
                scored.add(part)
        for unit in units:
            said = [part for n in unit.said if (part := parts[n]) is not None]
            others = [part for n in unit.others if (part := parts[n]) is not None]
            if said:
                scored.add(_either(said, others))
            else:  # words no document holds ("pinkeye") count by their phrasings alone
                for other in others:
                    scored.add(other)
        return scored

    def _part(
        self, group: Sequence[str], fallbacks: Sequence[Sequence[str]], *, whole: bool = False
    ) -> _Part | None:
        """What one query word (or, `whole`, a phrase needing all its words) earns each
        document; None when no document holds it."""
        terms = [self.stem_ids[s] for s in group if s in self.stem_ids]
        broader = [
            [self.stem_ids[s] for s in phrase]
            for phrase in fallbacks
            if all(s in self.stem_ids for s in phrase)
        ]
        # A word no document holds counts only through its broader words ("pinky").
        if (not terms and not broader) or (whole and len(terms) < len(group)):
            return None
        generic = all(s in GENERIC_STEMS for s in group)
        # "other", "specified", "site" say little: they count, but only a little.
        rarest = float(max(self.idf[t] for t in terms or [t for p in broader for t in p]))
        best, present, in_title = self._phrases([terms]) if whole else self._group(terms)
        if broader:
            wide = self._phrases(broader)
            best = np.maximum(best, FALLBACK_SHARE * wide[0])
            present = np.maximum(present, FALLBACK_SHARE * wide[1])
            in_title = np.maximum(in_title, FALLBACK_SHARE * wide[2])
        weight = rarest * (GENERIC_WEIGHT if generic else 1.0)
        content = 0 if generic else 1
        words = in_title.astype(np.int16) * np.int16(content)
        return _Part(best, present * weight, in_title * weight, words, weight, content)

    def variants(self) -> StemVariants:
        """A helper that finds other forms of a stem in this vocabulary."""
        return StemVariants(sorted(self.stem_ids), self.idf, self.stem_ids)

    def _phrases(
        self, phrases: list[list[int]]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The best of `phrases` per document; a phrase counts where it has every word
        ("lower limb", not "limb" alone), with its words' mean weight."""
        # One-word phrases are interchangeable words: one pass over their postings.
        best, present, in_title = self._group([p[0] for p in phrases if len(p) == 1])
        for phrase in (p for p in phrases if len(p) > 1):
            found = [self._group([term]) for term in phrase]
            whole = np.minimum.reduce([f[1] for f in found])
            weight = np.mean([f[0] for f in found], axis=0) * whole
            best = np.maximum(best, weight.astype(np.float32))
            present = np.maximum(present, whole)
            in_title = np.maximum(in_title, np.minimum.reduce([f[2] for f in found]))
        return best, present, in_title

    def _group(
        self, terms: list[int]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        best = np.zeros(self.documents, dtype=np.float32)
        present = np.zeros(self.documents, dtype=np.float32)
        in_title = np.zeros(self.documents, dtype=np.float32)
        for term in terms:
            start, end = self.offsets[term], self.offsets[term + 1]
            docs = self.docs[start:end]
            best[docs] = np.maximum(best[docs], self.weights[start:end])
            present[docs] = 1.0
            in_title[docs] = np.maximum(in_title[docs], self.in_title[start:end])
        return best, present, in_title


@dataclass
class _Part:
    """What one query word earns each document: BM25F, the idf mass it covers overall and
    in titles, how many of its content words titles hold; and the mass it asks for."""

    bm25: npt.NDArray[np.float32]
    covered: npt.NDArray[np.float32]
    in_title: npt.NDArray[np.float32]
    title_words: npt.NDArray[np.int16]
    weight: float
    content: int  # how many content words (not "other", "site") it stands for


@dataclass(frozen=True)
class _Unit:
    """Query words (`said`, by group) and the phrasings standing for them together."""

    said: tuple[int, ...]
    others: tuple[int, ...]


def _units(standing_for: Mapping[int, Sequence[int]]) -> list[_Unit]:
    """Phrasings grouped by the query words they stand for; phrasings that share a word
    they stand for go together, as one unit of the query."""
    units: list[tuple[set[int], set[int]]] = []
    for other, said in standing_for.items():
        joined = [u for u in units if u[0] & set(said)]
        merged = (set(said).union(*(u[0] for u in joined)), {other}.union(*(u[1] for u in joined)))
        units = [u for u in units if u not in joined] + [merged]
    return [_Unit(tuple(sorted(said)), tuple(sorted(others))) for said, others in units]


def _either(said: list[_Part], others: list[_Part]) -> _Part:
    """Query words and their other phrasings as one: a document earns the better of the
    words themselves and a phrasing holding all its words, which counts as all of them."""
    weight = sum(part.weight for part in said)
    content = sum(part.content for part in said)
    bm25 = np.sum([part.bm25 for part in said], axis=0)
    covered = np.sum([part.covered for part in said], axis=0)
    in_title = np.sum([part.in_title for part in said], axis=0)
    title_words = np.sum([part.title_words for part in said], axis=0).astype(np.int16)
    for other in others:
        share = weight / other.weight
        bm25 = np.maximum(bm25, other.bm25)
        covered = np.maximum(covered, other.covered * share)
        in_title = np.maximum(in_title, other.in_title * share)
        title_words = np.maximum(title_words, (other.title_words > 0) * np.int16(content))
    return _Part(bm25, covered, in_title, title_words, weight, content)


@dataclass
class ScoredDocs:
    """Per-document sums for one query: BM25F, and the idf mass covered overall and in titles."""

    bm25: npt.NDArray[np.float32]
    covered: npt.NDArray[np.float32]
    in_title: npt.NDArray[np.float32]
    title_words: npt.NDArray[np.int16]
    wanted: float

    @classmethod
    def empty(cls, documents: int) -> ScoredDocs:
        """Nothing scored yet."""
        return cls(
            np.zeros(documents, dtype=np.float32),
            np.zeros(documents, dtype=np.float32),
            np.zeros(documents, dtype=np.float32),
            np.zeros(documents, dtype=np.int16),
            0.0,
        )

    def add(self, part: _Part) -> None:
        """Count one query word (or words with their other phrasings)."""
        self.bm25 += part.bm25
        self.covered += part.covered
        self.in_title += part.in_title
        self.title_words += part.title_words
        self.wanted += part.weight


MAX_COMPLETIONS = 40


class StemVariants:
    """Other forms of a query stem present in the index: `mycobacteria` ~ `mycobacteri`."""

    def __init__(self, stems: list[str], idf: npt.NDArray[np.float32], ids: dict[str, int]) -> None:
        self.stems = stems
        self.idf = idf
        self.ids = ids

    def _with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.stems, prefix)
        end = bisect.bisect_left(self.stems, prefix + "\uffff", lo=start)
        return self.stems[start:end]

    def near_forms(self, stem: str) -> list[str]:
        """The stem, longer forms of it (up to 3 more letters) and the stem one letter
        shorter: two fewer reach other words ("intract" -> "intra", "strangul" -> "strang")."""
        found = [stem] if stem in self.ids else []
        if len(stem) >= 5:
            found += [
                s
                for s in self._with_prefix(stem)
                if s != stem and len(s) - len(stem) <= 3 and not _names_a_tumour(s, stem)
            ]
            if len(stem) > 5 and stem[:-1] in self.ids:
                found.append(stem[:-1])
        return found

    def completions(self, prefix: str, typed: str = "") -> list[str]:
        """Stems starting with `prefix` (the stem of the word being typed), most common
        first; when a whole word was `typed`, those going on from it ("heart" may be
        "heartburn" being typed, but "hepatitis" is not "hepatomegaly", though both
        stems begin "hepat")."""
        found = self._with_prefix(prefix)
        if typed:
            found = [s for s in found if s.startswith(typed)]
        found.sort(key=lambda s: float(self.idf[self.ids[s]]))
        return found[:MAX_COMPLETIONS]

    def groups(self, stems: list[str], *, partial_last: bool, typed: str = "") -> list[list[str]]:
        """One group of interchangeable stems per query word; the forms of one word typed
        one after another (the Index's "Ulcer, ulcerated, ulcerative") make one group.
        `typed` is the last word, when it is a whole word, which `partial_last` completes."""
        runs = same_root_runs(stems)
        groups = [
            list(dict.fromkeys(form for stem in run for form in self.near_forms(stem)))
            for run in runs
        ]
        if partial_last and stems and len(stems[-1]) >= 2:
            completed = self.completions(stems[-1], typed)
            groups[-1] = list(dict.fromkeys([*groups[-1], *completed]))
        return [g for g in groups if g]


# "-oma" makes a tumour of the organ a stem names: "hepatoma" is no form of "hepat".
TUMOUR_ENDING = "oma"


def _names_a_tumour(longer: str, stem: str) -> bool:
    return longer.endswith(TUMOUR_ENDING) and not stem.endswith(TUMOUR_ENDING)


ROOT_LETTERS = 5  # forms of one word share at least this many first letters
SHARED_SHARE = 0.75  # or they share this much of the shorter one
SHORT_ROOT = 4  # or one is this long at least and begins the other ("atax", "ataxia")


def same_root_runs(stems: list[str]) -> list[list[str]]:
    """Stems in query order, neighbours that share their first letters run together."""
    runs: list[list[str]] = []
    for stem in stems:
        if runs and _same_root(stem, runs[-1][0]):
            runs[-1].append(stem)
        else:
            runs.append([stem])
    return runs


def _same_root(stem: str, previous: str) -> bool:
    if len(stem) >= ROOT_LETTERS and stem[:ROOT_LETTERS] == previous[:ROOT_LETTERS]:
        return True
    shorter, longer = sorted((stem, previous), key=len)
    if len(shorter) < SHORT_ROOT:
        return False
    # "aorta, aortic" and "atresia, atretic" differ only in their last letters.
    shared = len(os.path.commonprefix([shorter, longer]))
    return longer.startswith(shorter) or shared >= SHARED_SHARE * len(shorter)
