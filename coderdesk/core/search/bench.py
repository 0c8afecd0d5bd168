# SPDX-License-Identifier: GPL-3.0-or-later
"""`coderdesk bench search`: build time, cold open, memory, latency and quality, vs FTS5.

Two configurations run in one process, each in its own temporary library and index:
the embedded default (FY2026 tabular only) and the same with the ICD-10-CM indexes and
HCPCS from ../shared/data imported. The same queries also run through a SQLite FTS5
(BM25, porter) baseline over the same documents; the report prints both side by side.
"""

from __future__ import annotations

import csv
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.importers import ensure_default_icd10cm, import_release
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.errors import UsageError
from coderdesk.core.progress import ProgressCallback, no_progress
from coderdesk.core.search.documents import all_documents
from coderdesk.core.search.engine import SearchEngine
from coderdesk.core.search.engine import build as build_index

if TYPE_CHECKING:
    from collections.abc import Callable

QUERIES_PER_TYPE = 100
SHARED_IMPORTS = (
    ("icd10cm-index", "icd10cm-2025-index/icd10cm-index-2025.rebuilt.xml"),
    ("icd10cm-eindex", "icd10cm-2025-index/icd-10-cm-eindex-2025.xml"),
    ("icd10cm-neoplasm", "icd10cm-2025-index/icd-10-cm-neoplasm-2025.xml"),
    ("icd10cm-drug", "icd10cm-2025-index/icd-10-cm-drug-2025.xml"),
    ("hcpcs", "hcpcs/2020-anweb/HCPC2020_ANWEB_w_disclaimer.txt"),
)


@dataclass(frozen=True)
class DevQuery:
    """One line of the dev set."""

    kind: str
    query: str
    expected: str


def is_hit(code: str, expected: str) -> bool:
    """The dev set's hit rule: the code, a code under a `-` code, or X-and-7th completion."""
    plain, want = code.replace(".", ""), expected.replace(".", "")
    if want.endswith("-"):
        return plain.startswith(want[:-1])
    if plain == want:
        return True
    return len(plain) == 7 and plain.startswith(want) and set(plain[len(want) : -1]) <= {"X"}


def load_dev_set(path: Path) -> list[DevQuery]:
    """Read the tab-separated dev set (kind, query, expected)."""
    with path.open(encoding="utf-8") as handle:
        return [
            DevQuery(r["kind"], r["query"], r["expected"])
            for r in csv.DictReader(handle, delimiter="\t")
        ]


def default_dev_set() -> Path:
    """../shared/bench/search_dev.tsv beside the checkout."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "search_dev.tsv"


# -- query sets for latency ----------------------------------------------------------------


def _misspell(text: str, rng: random.Random) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _word_prefix(text: str) -> str:
    words = [w for w in text.split() if w.isalpha()][:3]
    return " ".join(
        w[: max(3, len(w) // 2)] if n == len(words) - 1 else w for n, w in enumerate(words)
    )


def latency_queries(dev: list[DevQuery], codes: list[str], seed: int = 7) -> dict[str, list[str]]:
    """At least 100 queries of each type, drawn deterministically."""
    rng = random.Random(seed)
    texts = [d.query for d in dev]
    sample = [rng.choice(codes) for _ in range(QUERIES_PER_TYPE)]
    return {
        "text": rng.sample(texts, min(QUERIES_PER_TYPE, len(texts))),
        "code exact": sample,
        "code prefix": [c.replace(".", "")[: rng.choice((3, 4))].lower() for c in sample],
        "word prefix": [
            _word_prefix(t) for t in rng.sample(texts, min(QUERIES_PER_TYPE, len(texts)))
        ],
        "misspelling": [
            _misspell(t, rng) for t in rng.sample(texts, min(QUERIES_PER_TYPE, len(texts)))
        ],
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _timings(run: Callable[[str], object], queries: list[str]) -> dict[str, float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "n": len(times),
    }


def _quality(
    search: Callable[[str], list[str]], dev: list[DevQuery]
) -> dict[str, dict[str, float]]:
    found: dict[str, list[int]] = {}
    for item in dev:
        codes = search(item.query)
        tally = found.setdefault(item.kind, [0, 0, 0])
        tally[0] += 1
        tally[1] += bool(codes) and is_hit(codes[0], item.expected)
        tally[2] += any(is_hit(c, item.expected) for c in codes[:5])
    return {
        kind: {"n": n, "top1": round(100 * t1 / n, 1), "top5": round(100 * t5 / n, 1)}
        for kind, (n, t1, t5) in found.items()
    }


# -- the FTS5 baseline ----------------------------------------------------------------------


class Fts5Baseline:
    """SQLite FTS5 (porter, BM25) over the same documents' title and inclusion terms."""

    def __init__(self, library: CodeSetLibrary) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(code UNINDEXED, title, body,"
            " tokenize='porter unicode61')"
        )
        self.db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)",
            ((d.code, d.title, f"{d.inclusion} {d.index_terms}") for d in all_documents(library)),
        )

    def search(self, query: str) -> list[str]:
        """Top five codes by BM25 (any word may match)."""
        words = ["".join(ch for ch in w if ch.isalnum()) for w in query.split()]
        match = " OR ".join(f'"{w}"' for w in words if w)
        if not match:
            return []
        rows = self.db.execute(
            "SELECT code FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 3.0, 1.0) LIMIT 5",
            (match,),
        )
        return [r[0] for r in rows]


# -- one configuration ----------------------------------------------------------------------


def _configure(folder: Path, shared: Path | None, progress: ProgressCallback) -> CodeSetLibrary:
    library = CodeSetLibrary(folder / "codesets.sqlite")
    ensure_default_icd10cm(library, progress)
    for kind, relative in SHARED_IMPORTS if shared else ():
        import_release(library, kind, shared / relative, progress=progress)  # type: ignore[operator]
    return library


def run_configuration(
    name: str, dev: list[DevQuery], shared: Path | None, progress: ProgressCallback
) -> dict[str, Any]:
    """Build, open, time and score one configuration."""
    with tempfile.TemporaryDirectory(prefix="coderdesk-bench-") as temp:
        folder = Path(temp)
        library = _configure(folder, shared, progress)
        started = time.perf_counter()
        report = build_index(library, folder / "index", progress=progress)
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        engine = SearchEngine.open(library, folder / "index")
        open_s = time.perf_counter() - started
        icd = [e.code for e in engine.code_list.entries("icd10cm") if e.billable]
        queries = latency_queries(dev, icd)
        ours = {
            kind: _timings(lambda q: engine.search(q, limit=10), qs) for kind, qs in queries.items()
        }
        quality = _quality(
            lambda q: [r.code for r in engine.search(q, limit=5, system="icd10cm").results], dev
        )
        baseline = Fts5Baseline(library)
        fts_latency = {kind: _timings(baseline.search, qs) for kind, qs in queries.items()}
        fts_quality = _quality(baseline.search, dev)
        engine.close()
        library.close()
        engine_mb = _engine_memory_mb(folder)
    return {
        "name": name,
        "documents": report.documents,
        "build_s": round(build_s, 1),
        "cold_open_s": round(open_s, 3),
        "engine_memory_mb": engine_mb,
        "latency": ours,
        "quality": quality,
        "fts5": {"latency": fts_latency, "quality": fts_quality},
    }


_MEMORY_PROBE = """
import sys
from pathlib import Path
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.search.engine import SearchEngine
folder = Path(sys.argv[1])
engine = SearchEngine.open(CodeSetLibrary(folder / "codesets.sqlite"), folder / "index")
for query in ("diabetes type 2 neuropathy", "S72.0", "pnuemonia", "fract fem"):
    engine.search(query)
lines = Path("/proc/self/status").read_text().splitlines()
print(next(int(line.split()[1]) for line in lines if line.startswith("VmHWM")) // 1024)
"""


def _engine_memory_mb(folder: Path) -> int:
    """Peak RSS (VmHWM, which a fork does not inherit) of a fresh process that searches."""
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(result.stdout.split()[-1])


def _ratio(ours: float, theirs: float) -> str:
    return f"{theirs / ours:.1f}x" if ours else "-"


def format_report(configs: list[dict[str, Any]], peak_mb: float) -> str:
    """The human-readable table."""
    lines = []
    for config in configs:
        lines.append(f"== {config['name']}: {config['documents']:,} documents")
        lines.append(
            f"index build {config['build_s']} s; cold open {config['cold_open_s']} s; "
            f"engine peak memory {config['engine_memory_mb']} MB (own process)"
        )
        lines.append(
            f"{'latency (ms)':14} {'ours p50':>9} {'ours p95':>9} {'fts5 p50':>9} "
            f"{'fts5 p95':>9} {'p95 ratio':>9}"
        )
        for kind, ours in config["latency"].items():
            fts = config["fts5"]["latency"][kind]
            lines.append(
                f"{kind:14} {ours['p50_ms']:9} {ours['p95_ms']:9} {fts['p50_ms']:9} "
                f"{fts['p95_ms']:9} {_ratio(ours['p95_ms'], fts['p95_ms']):>9}"
            )
        lines.append(
            f"{'quality (%)':14} {'ours top1':>9} {'ours top5':>9} {'fts5 top1':>9} "
            f"{'fts5 top5':>9}"
        )
        for kind, ours in config["quality"].items():
            fts = config["fts5"]["quality"][kind]
            lines.append(
                f"{kind:14} {ours['top1']:9} {ours['top5']:9} {fts['top1']:9} {fts['top5']:9}"
            )
    lines.append(f"bench process peak memory (both configurations, FTS5 too): {peak_mb:.0f} MB")
    return "\n".join(lines)


def run_search_benchmark(
    dev_set: Path | None = None,
    progress: ProgressCallback = no_progress,
) -> dict[str, Any]:
    """Run both configurations; return the figures and their text form."""
    path = dev_set or default_dev_set()
    if not path.is_file():
        raise UsageError(f"No dev set at {path}; pass --dev-set FILE.")
    dev = load_dev_set(path)
    shared = path.parent.parent / "data"
    configs = [run_configuration("embedded default (nothing imported)", dev, None, progress)]
    if shared.is_dir():
        configs.append(
            run_configuration("with ICD-10-CM indexes and HCPCS imported", dev, shared, progress)
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "configurations": configs,
        "peak_memory_mb": round(peak_mb),
        "text": format_report(configs, peak_mb),
    }
