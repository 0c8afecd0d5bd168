# SPDX-License-Identifier: GPL-3.0-or-later
"""Query analysis: code patterns, abbreviations, synonyms and spelling correction.

Everything here works on plain words; the Whoosh analyzer does stemming on both sides.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from whoosh.lang.porter import stem as porter_stem

from coderdesk.core.paths import cache_dir, codesets_dir, ensure_private_dir

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

ABBREVIATIONS_FILE = "abbreviations.toml"
TERMS_FILE = "clinical_terms.toml"  # more synonym groups: eponyms, old terms, lay terms
BROADER_FILE = "broader_terms.toml"
# The files the index's documents are written with (an edit means a rebuild).
DOCUMENT_DICTIONARIES = (ABBREVIATIONS_FILE, TERMS_FILE)
DICTIONARY_FILES = (*DOCUMENT_DICTIONARIES, BROADER_FILE)
SNAPSHOT_FOLDER = "dictionary"
SNAPSHOT_FORMAT = 1  # the snapshot's layout; a new one means a new snapshot
MIN_STEM_BEFORE_SUFFIX = 3
MIN_STEM_BEFORE_ENDING = 2  # "an-emia"
MIN_REST_OF_COMPOUND = 5  # "rectovaginal" -> "vaginal" (shorter rests are rarely words)
# Decimal numbers stay whole ("29.0-29.9" in a BMI title), as the index's tokenizer keeps them.
_WORD = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+(?:['/-][a-z0-9]+)*|[a-z]/")
# ICD-10-CM (A00, E11.40, S72.001A, E114), HCPCS (J3301), CPT (99213, 0001F, 0042T).
_CODE_QUERY = re.compile(
    r"^\s*(?:[a-tv-z]\d[0-9a-z]\.?[0-9a-z]{0,4}|[a-z]\d{4}|\d{4}[0-9ft]|\d{1,4})\s*$",
    re.IGNORECASE,
)
# Dropped by the search analyzer. "with", "without" and "not" stay: they change a code.
STOP_WORDS = frozenset("a an and are as at be by for from in into is it of on or the to".split())  # noqa: SIM905


# The index's tokens: Whoosh's default word pattern.
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")
# "bone(s)", "graft(s)": the plural's mark is no word of the title.
_PLURAL_MARK = re.compile(r"(?<=[a-z])\((?:e?s)\)", re.IGNORECASE)
# "40-49%" is "40-49 percent", as a coder types it (and as some titles write it).
_PERCENT_SIGN = re.compile(r"(?<=\d)\s*%")


def _marks_as_words(text: str) -> str:
    """`text` with the marks no word stands for read as words, or dropped."""
    return _PERCENT_SIGN.sub(" percent", _PLURAL_MARK.sub("", text))


@cache
def stem(word: str) -> str:
    """The Porter stem of one lower-case word."""
    return str(porter_stem(word))


def stems(text: str) -> list[str]:
    """The stems the index holds for `text`: its words, lower case, stop words out, Porter
    stemmed. The same as Whoosh's StemmingAnalyzer with our stop list, three times faster
    (the build analyses every document once), but for the letter A (`names_a_letter`)
    and the marks `_marks_as_words` reads."""
    found = [token.lower() for token in _TOKEN.findall(_marks_as_words(text))]
    return [
        stem(token)
        for place, token in enumerate(found)
        if token not in STOP_WORDS or names_a_letter(found, place)
    ]


def names_a_letter(tokens: Sequence[str], place: int) -> bool:
    """Whether the word at `place` is the letter A naming a kind ("hepatitis A", "vitamin A
    deficiency", "group A"), not the article, which follows a preposition ("fall from a
    ladder") or begins the text."""
    return tokens[place] == "a" and place > 0 and tokens[place - 1] not in STOP_WORDS


def is_code_query(text: str) -> bool:
    """Whether the whole query looks like a code or a code prefix (`E114`, `s72.0`, `992`)."""
    stripped = text.strip()
    if not _CODE_QUERY.match(stripped):
        return False
    # A bare number under three digits is more likely a word than a CPT prefix.
    return not (stripped.isdigit() and len(stripped) < 3)


def normalise_code(text: str) -> str:
    """A code query without dot or spaces, upper case: `e11.4` -> `E114`."""
    return text.strip().replace(".", "").upper()


def words(text: str) -> list[str]:
    """Lower-case words of `text`, keeping `s/p`, `w/o`, `a-fib` together; an eponym's
    possessive is the name ("Hanot's" -> "hanot")."""
    return [word.removesuffix("'s") for word in _WORD.findall(_marks_as_words(text.lower()))]


_LATERALITY = frozenset({"right", "left", "bilateral", "both"})
_SIDE = frozenset({"side", "sided", "sides"})


def without_side_after_laterality(tokens: list[str]) -> list[str]:
    """Drop "side" after right / left: "right side" says right, and a title holds "side"
    only to leave it open ("unspecified side"), which "right side" must not match."""
    return [
        token
        for number, token in enumerate(tokens)
        if not (token in _SIDE and number and tokens[number - 1] in _LATERALITY)
    ]


@dataclass(frozen=True)
class Dictionary:
    """The project's abbreviations, synonym groups and broader terms (codesets/)."""

    abbreviations: dict[str, str]
    synonyms: PhraseTable  # queries and documents (abbreviations.toml)
    broader: PhraseTable
    document_synonyms: PhraseTable  # documents only: abbreviations.toml + clinical_terms.toml
    suffixes: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    endings: tuple[tuple[str, str], ...] = ()

    def to_plain(self) -> dict[str, Any]:
        """The dictionary as JSON-ready lists and dicts (the cached snapshot)."""
        return {
            "abbreviations": self.abbreviations,
            "synonyms": self.synonyms.to_plain(),
            "broader": self.broader.to_plain(),
            "document_synonyms": self.document_synonyms.to_plain(),
            "suffixes": self.suffixes,
            "prefixes": self.prefixes,
            "endings": self.endings,
        }

    @classmethod
    def from_plain(cls, plain: dict[str, Any]) -> Dictionary:
        """The dictionary `to_plain` wrote."""
        return cls(
            dict(plain["abbreviations"]),
            PhraseTable.from_plain(plain["synonyms"]),
            PhraseTable.from_plain(plain["broader"]),
            PhraseTable.from_plain(plain["document_synonyms"]),
            dict(plain["suffixes"]),
            dict(plain["prefixes"]),
            tuple((str(a), str(b)) for a, b in plain["endings"]),
        )

    def expand(self, tokens: Iterable[str]) -> list[str]:
        """Replace each abbreviation by its expansion's words."""
        out: list[str] = []
        for token in tokens:
            out.extend(words(self.abbreviations[token]) if token in self.abbreviations else [token])
        return out

    def renamings_of(self, text: str) -> list[tuple[str, str]]:
        """(phrase found in a document's `text`, another phrasing of it), as `synonyms_of`."""
        return _pairs_in(text, self.document_synonyms)

    def synonyms_of(self, text: str) -> list[str]:
        """Other phrasings of the phrases found in a document's `text`, from every group
        (clinical_terms.toml too: a query naming the other phrasing finds the document;
        the query itself is not widened by them, or a title holding the query's own words
        would lose to the many holding the synonym)."""
        return [other for _phrase, other in _pairs_in(text, self.document_synonyms)]

    def synonym_pairs(self, text: str) -> list[tuple[str, str]]:
        """(phrase found in `text`, another phrasing of it); a plural finds the entry of
        its singular ("viruses" finds "virus")."""
        return _pairs_in(text, self.synonyms)

    def broader_pairs(self, text: str) -> list[tuple[str, str]]:
        """(narrower phrase in `text`, broader words titles use for it), query side only."""
        found = words(text)
        pairs = _pairs_in(text, self.broader)
        for word in found:
            pairs += [
                (word, meaning)
                for ending, meaning in self.suffixes.items()
                if word.endswith(ending) and len(word) >= len(ending) + MIN_STEM_BEFORE_SUFFIX
            ]
            pairs += self._combining_form_pairs(word)
        return pairs

    def has_broader(self, word: str) -> bool:
        """Whether the broader terms hold `word` (singular or plural) as a word of its own."""
        return bool(self.broader.phrases_in(word))

    def begins_with_a_part(self, word: str) -> bool:
        """Whether `word` is a compound beginning with a combining form ("glossoplegia")."""
        return bool(self._combining_form_pairs(word))

    def _combining_form_pairs(self, word: str) -> list[tuple[str, str]]:
        """A compound's first part as titles say it ("vesico-urethral" -> "bladder
        vesical"), and the rest when it is a word of its own ("urethral")."""
        pairs: list[tuple[str, str]] = []
        for length in self._prefix_lengths:
            meaning, rest = self.prefixes.get(word[:length]), word[length:]
            if meaning is not None and len(rest) >= MIN_STEM_BEFORE_SUFFIX:
                pairs.append((word, meaning))
                pairs += [(word, rest)] if len(rest) >= MIN_REST_OF_COMPOUND else []
        return pairs

    @cached_property
    def _prefix_lengths(self) -> tuple[int, ...]:
        """The lengths of the combining forms: a word's beginnings of those lengths are
        looked up, not every form tried against the word (a query's words each need it)."""
        return tuple(sorted({len(form) for form in self.prefixes}))

    def other_endings(self, word: str) -> list[str]:
        """The word with its ending swapped for one naming the same thing ("necrotic" ->
        "necrosis", "anemia" -> "anemic"); the caller keeps the forms the code sets use."""
        return [
            word[: -len(ending)] + other
            for ending, other in self.endings
            if word.endswith(ending) and len(word) >= len(ending) + MIN_STEM_BEFORE_ENDING
        ]


@cache
def singulars(word: str) -> frozenset[str]:
    """The word and the singulars it may be the plural of ("viruses", "arteries")."""
    found = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        found.add(word[:-1])
        if word.endswith("es"):
            found.add(word[:-2])
        if word.endswith("ies"):
            found.add(word[:-3] + "y")
    return frozenset(found)


PHRASE_END = ";"  # ends each phrase of a broader value that lists whole phrases
# Words that say which of a kind of part ("upper limb", "little finger"): in a broader
# value they go with the next word, and alone they name nothing.
_PART_MODIFIERS = frozenset(
    ["upper", "lower", "little", "middle", "ring", "index", "great", "lesser", "inner", "outer"]
)


def broader_phrases(wider: str) -> list[list[str]]:
    """The alternatives a broader value names, each as its words: "thigh lower limb" is
    "thigh" or "lower limb"; a value listing phrases (see `_broader_value`) names each
    phrase whole."""
    if PHRASE_END in wider:
        return [found for phrase in wider.split(PHRASE_END) if (found := words(phrase))]
    phrases: list[list[str]] = []
    modifier: list[str] = []
    for word in words(wider):
        if word in _PART_MODIFIERS:
            modifier = [word]
            continue
        phrases.append([*modifier, word])
        modifier = []
    return phrases


def _pairs_in(text: str, table: PhraseTable) -> list[tuple[str, str]]:
    """(phrase of `table` found in `text`, singular or plural, each of its entries)."""
    return [(phrase, entry) for phrase in table.phrases_in(text) for entry in table.entries[phrase]]


@dataclass(frozen=True)
class PhraseTable:
    """Phrases and their entries, looked up by first word, length and last word:
    thousands of phrases share a first word, and many their second ("fracture of ...")."""

    entries: dict[str, tuple[str, ...]]
    lengths: dict[str, tuple[int, ...]]  # first word -> the lengths of its phrases
    by_ends: dict[tuple[str, int, str], list[tuple[str, tuple[str, ...]]]]

    def phrases_in(self, text: str) -> list[str]:
        """The table's phrases `text` holds, word for word, singular or plural."""
        forms = [singulars(word) for word in words(text)]
        found: dict[str, None] = {}
        for start, here in enumerate(forms):
            for first in here:
                for length in self.lengths.get(first, ()):
                    if start + length > len(forms):
                        break
                    for last in forms[start + length - 1]:
                        for phrase, middle in self.by_ends.get((first, length, last), ()):
                            inside = forms[start + 1 : start + length - 1]
                            if all(w in f for w, f in zip(middle, inside, strict=True)):
                                found.setdefault(phrase, None)
        return list(found)

    def to_plain(self) -> dict[str, Any]:
        """The table as JSON-ready lists and dicts."""
        return {
            "entries": self.entries,
            "lengths": self.lengths,
            "by_ends": [[*key, found] for key, found in self.by_ends.items()],
        }

    @classmethod
    def from_plain(cls, plain: dict[str, Any]) -> PhraseTable:
        """The table `to_plain` wrote."""
        return cls(
            {phrase: tuple(found) for phrase, found in plain["entries"].items()},
            {first: tuple(lengths) for first, lengths in plain["lengths"].items()},
            {
                (str(first), int(length), str(last)): [(str(p), tuple(m)) for p, m in found]
                for first, length, last, found in plain["by_ends"]
            },
        )

    @classmethod
    def of(cls, entries: dict[str, tuple[str, ...]]) -> PhraseTable:
        """Index `entries` (phrase -> entries) by first word, length and last word."""
        by_ends: dict[tuple[str, int, str], list[tuple[str, tuple[str, ...]]]] = {}
        lengths: dict[str, set[int]] = {}
        for phrase in entries:
            found = words(phrase) or [""]
            key = (found[0], len(found), found[-1])
            by_ends.setdefault(key, []).append((phrase, tuple(found[1:-1])))
            lengths.setdefault(found[0], set()).add(len(found))
        return cls(entries, {w: tuple(sorted(n)) for w, n in lengths.items()}, by_ends)


@cache
def load_dictionary() -> Dictionary:
    """Read the dictionary once per process. A snapshot of it, made from the same files,
    waits in the cache folder: it reads in a third of the time that parsing the TOML and
    building the tables again takes, which was most of the search engine's cold open."""
    sources = {name: (codesets_dir() / name).read_bytes() for name in DICTIONARY_FILES}
    snapshot = _snapshot_name(sources)
    try:
        path = cache_dir() / SNAPSHOT_FOLDER / snapshot
        return Dictionary.from_plain(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        pass  # no snapshot yet, or a damaged one: build from the files
    built = _read_dictionary({name: data.decode("utf-8") for name, data in sources.items()})
    _save_snapshot(snapshot, built.to_plain())
    return built


def _snapshot_name(sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256(str(SNAPSHOT_FORMAT).encode())
    for data in sources.values():
        digest.update(data)
    return f"{digest.hexdigest()[:16]}.json"


def _save_snapshot(name: str, plain: dict[str, Any]) -> None:
    """Write the snapshot by rename, dropping older ones; a cache that cannot be written
    only means the next process builds the dictionary again."""
    staging: Path | None = None
    try:
        folder = ensure_private_dir(cache_dir() / SNAPSHOT_FOLDER)
        for old in folder.glob("*.json"):
            old.unlink(missing_ok=True)
        staging = folder / f"{name}.{os.getpid()}.tmp"
        staging.write_text(json.dumps(plain), encoding="utf-8")
        os.replace(staging, folder / name)
    except OSError:
        if staging is not None:
            staging.unlink(missing_ok=True)


def _read_dictionary(texts: dict[str, str]) -> Dictionary:
    """Build the dictionary from the text of its files."""
    raw = tomllib.loads(texts[ABBREVIATIONS_FILE])
    terms_file = tomllib.loads(texts[TERMS_FILE])
    abbreviations = {k.lower(): v for k, v in raw.get("abbreviations", {}).items()}
    core_groups = raw.get("synonyms", {}).get("groups", [])
    synonyms = _synonym_table(core_groups)
    document_synonyms = _synonym_table([*core_groups, *terms_file.get("groups", [])])
    broader: dict[str, tuple[str, ...]] = {}
    terms = tomllib.loads(texts[BROADER_FILE])
    suffixes = {k.lower(): str(v) for k, v in terms.pop("suffixes", {}).items()}
    prefixes = {k.lower(): str(v) for k, v in terms.pop("prefixes", {}).items()}
    for table in terms.values():
        for narrower, wider in table.items():
            key = " ".join(words(narrower))
            broader[key] = (*broader.get(key, ()), _broader_value(wider))
    pairs = [(str(a), str(b)) for a, b in raw.get("endings", {}).items()]
    endings = tuple(dict.fromkeys([*pairs, *((b, a) for a, b in pairs)]))
    return Dictionary(
        abbreviations,
        synonyms,
        PhraseTable.of(broader),
        document_synonyms,
        suffixes,
        prefixes,
        endings,
    )


def _broader_value(wider: str | list[str]) -> str:
    """A broader value as the table keeps it: a string of alternative words, or a list of
    phrases each needing all its words ("malignant neoplasm adrenal gland": a title
    saying "malignant" alone does not name the adrenal tumour), each ended by
    `PHRASE_END`."""
    if isinstance(wider, list):
        return "".join(f"{phrase}{PHRASE_END}" for phrase in wider)
    return str(wider)


def _synonym_table(groups: list[list[str]]) -> PhraseTable:
    """Each phrase of the groups -> the other phrasings of every group it stands in."""
    synonyms: dict[str, tuple[str, ...]] = {}
    for group in groups:
        phrases = [" ".join(words(p)) for p in group]
        for phrase in phrases:
            merged = [*synonyms.get(phrase, ()), *(p for p in phrases if p != phrase)]
            synonyms[phrase] = tuple(dict.fromkeys(merged))
    return PhraseTable.of(synonyms)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | transposes | replaces | inserts


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SpellingCorrector:
    """Corrects words missing from the code-set vocabulary to the most frequent near word.

    One edit is searched directly; two edits through a table of one-letter deletions of
    every vocabulary word (built on first need), which also catches swapped letters
    (`pnuemonia`) and a wrong plus a missing letter.
    """

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies = frequencies
        self._sorted = sorted(frequencies)
        self._by_deletion: dict[str, list[str]] | None = None

    def begins_a_word(self, prefix: str) -> bool:
        """Whether some vocabulary word starts with `prefix`."""
        at = bisect.bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)

    def known(self, word: str) -> bool:
        """Whether `word` occurs in the vocabulary."""
        return word in self.frequencies

    def _deletion_table(self) -> dict[str, list[str]]:
        if self._by_deletion is None:
            table: dict[str, list[str]] = {}
            for word in self.frequencies:
                if len(word) >= 4:
                    for variant in _deletes(word):
                        table.setdefault(variant, []).append(word)
            self._by_deletion = table
        return self._by_deletion

    def correct(self, word: str) -> str | None:
        """The best correction within two edits, or None (numbers and short words are kept)."""
        if word in self.frequencies or len(word) < 4 or not word.isalpha():
            return None
        near = [w for w in _edits1(word) if w in self.frequencies]
        if not near:
            table = self._deletion_table()
            near = [w for variant in _deletes(word) for w in table.get(variant, [])]
        if not near:
            return None
        return max(near, key=lambda w: (self.frequencies[w], w))
