# SPDX-License-Identifier: GPL-3.0-or-later
"""The Whoosh index over the code-set library: schema, build (progress, cancel), open.

The index holds public code-set text only, never anything from a workspace. It is built
into a fresh folder and swapped in by renames, so a cancelled build leaves the previous
index usable. A manifest records which library versions it was built from; when the
library changes the index is stale and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import BOOLEAN, ID, STORED, TEXT, Schema

from coderdesk.core import paths
from coderdesk.core.paths import codesets_dir
from coderdesk.core.progress import CancelToken, ProgressCallback, no_progress
from coderdesk.core.search.analysis import DOCUMENT_DICTIONARIES, stems, words
from coderdesk.core.search.documents import SearchDocument, all_documents
from coderdesk.core.search.impacts import ImpactCollector, Impacts, words_that_count

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from whoosh.index import Index

    from coderdesk.core.codes.library import CodeSetLibrary

MANIFEST = "coderdesk-manifest.json"
VOCABULARY = "coderdesk-vocabulary.json"
# Nonessential modifiers, "(benign) (essential)": the Index and the inclusion terms list
# them beside a term that means the same without them, so they do not make the term any
# less the query's. Nor does "NOS" ("Bursitis NOS"): it says the term is the default.
_NONESSENTIAL = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bNOS\b")
INDEX_FORMAT = 14  # 14: a plural's mark ("bone(s)") is no word; "%" reads "percent"
SEARCH_FIELDS = ("title", "inclusion", "index_terms", "context", "synonyms")


def _stems_field(stored: bool = False) -> TEXT:
    # Text arrives already analyzed (stems joined by spaces): analysed once, for both
    # Whoosh and the impacts, it indexes twice as fast.
    return TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False, stored=stored)


def build_schema() -> Schema:
    """The index's fields: stems of each searchable field; the title kept as written."""
    return Schema(
        code=ID(stored=True, unique=True),
        system=ID(stored=True),
        title=_stems_field(),
        inclusion=_stems_field(),
        index_terms=_stems_field(),
        context=_stems_field(),
        synonyms=_stems_field(),
        display_title=STORED,
        billable=BOOLEAN(stored=True),
        kind=STORED,
    )


def dictionary_fingerprint() -> str:
    """The dictionary the documents were written with: an edited one means a rebuild."""
    digest = hashlib.sha256()
    for name in DOCUMENT_DICTIONARIES:
        digest.update((codesets_dir() / name).read_bytes())
    return digest.hexdigest()[:16]


def library_fingerprint(library: CodeSetLibrary) -> list[int]:
    """The ids of every active library version: the index's source."""
    return sorted(v.id for v in library.versions())


SYSTEM_NUMBERS = {"icd10cm": 0, "hcpcs": 1, "cpt": 2}


def essential_length(term: str) -> int:
    """How many words of an Index path or inclusion term a query must say to be it."""
    return words_that_count(stems(_NONESSENTIAL.sub(" ", term)))


def inclusion_term_documents(
    collector: ImpactCollector, term: str, billable: bool, system: int, owner: int
) -> None:
    """An inclusion term scored as a title; with nonessential words, its essential words
    once more on their own: only they can be the query word for word ("Obstetric
    (pulmonary) embolism NOS" is not "pulmonary embolism")."""
    essential = _NONESSENTIAL.sub(" ", term)
    essential_stems = stems(essential)
    length = words_that_count(essential_stems)
    whole = essential.split() == term.split()
    collector.add({"title": stems(term)}, billable, system, owner, title_length=length, exact=whole)
    if not whole:
        only = {"title": essential_stems}
        collector.add(only, billable, system, owner, exact=True, ranked=False)


def analysed_fields(doc: SearchDocument) -> dict[str, list[str]]:
    """Each searchable field's stems, in order, as Whoosh indexes them."""
    return {name: stems(getattr(doc, name)) for name in SEARCH_FIELDS}


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    documents: int
    folder: Path


def _write_documents(
    ix: Index,
    library: CodeSetLibrary,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> tuple[int, Counter[str], ImpactCollector]:
    vocabulary: Counter[str] = Counter()
    collector = ImpactCollector()
    writer = ix.writer(limitmb=256)
    count = 0
    try:
        for doc in all_documents(library):
            fields = analysed_fields(doc)
            writer.add_document(
                code=doc.code,
                system=doc.system,
                display_title=doc.title,
                billable=doc.billable,
                kind=doc.kind,
                **{name: " ".join(stems) for name, stems in fields.items()},
            )
            system = SYSTEM_NUMBERS[doc.system]
            collector.add(fields, doc.billable, system, count)
            for path in doc.index_paths:
                collector.add(
                    {"title": stems(path)},
                    doc.billable,
                    system,
                    count,
                    path=True,
                    title_length=essential_length(path),
                )
            for inclusion in doc.inclusion_titles:
                inclusion_term_documents(collector, inclusion, doc.billable, system, count)
            vocabulary.update(words(f"{doc.title} {doc.inclusion} {doc.index_terms}"))
            count += 1
            if count % 2000 == 0:
                progress(count, 0, "Indexing codes")
                if cancel is not None:
                    cancel.raise_if_cancelled()
    except BaseException:
        writer.cancel()
        raise
    progress(count, count, "Writing the index")
    writer.commit()
    return count, vocabulary, collector


def build_index(
    library: CodeSetLibrary,
    folder: Path | None = None,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    extras: Callable[[Path], None] | None = None,
) -> BuildReport:
    """Build the index from the library into `folder` (the cache's search-index by default).

    `extras` writes further derived files into the new folder before it is swapped in.
    """
    target = folder or paths.search_index_dir()
    staging = target.with_name(target.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        ix = whoosh_index.create_in(str(staging), build_schema())
        count, vocabulary, collector = _write_documents(ix, library, progress, cancel)
        ix.close()
        collector.finish().save(staging)
        (staging / VOCABULARY).write_text(json.dumps(vocabulary), encoding="utf-8")
        if extras is not None:
            extras(staging)
        manifest = {
            "format": INDEX_FORMAT,
            "versions": library_fingerprint(library),
            "dictionary": dictionary_fingerprint(),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, target)
    return BuildReport(count, target)


def _swap_in(staging: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def is_current(library: CodeSetLibrary, folder: Path | None = None) -> bool:
    """Whether the index in `folder` was built from the library's current versions."""
    target = folder or paths.search_index_dir()
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        manifest.get("format") == INDEX_FORMAT
        and manifest.get("versions") == library_fingerprint(library)
        and manifest.get("dictionary") == dictionary_fingerprint()
    )


def open_index(folder: Path | None = None) -> tuple[Index, Impacts, dict[str, int]]:
    """Open a built index, its impacts and its vocabulary (word frequencies for spelling)."""
    target = folder or paths.search_index_dir()
    vocabulary = json.loads((target / VOCABULARY).read_text(encoding="utf-8"))
    ix = whoosh_index.open_dir(str(target))
    impacts = Impacts.load(target)
    if impacts.codes != ix.doc_count_all():
        raise IndexStale("The search index is incomplete; it will be rebuilt.")
    return ix, impacts, vocabulary


class IndexStale(Exception):
    """The index on disk does not match its impacts (an interrupted or foreign build)."""
