# SPDX-License-Identifier: GPL-3.0-or-later
"""`coderdesk bench validate`: claim validation speed with a 2-million-row NCCI table loaded.

Owns the synthetic NCCI practitioner files (PTP edits in the official tab-delimited
layout, MUE values in the official CSV layout, invented five-digit procedure codes),
the synthetic claims (12 billable ICD-10-CM diagnoses from different chapters, 6
service lines whose codes are chosen so that many pairs hit a PTP edit), and the
figures: import times, single-claim latency (median, p95, max after a cold first
call), batch throughput, library size and peak memory, each against the issue's targets.

Everything runs in one temporary folder with a fresh code-set library; the imports go
through `import_release`, the path users take. The generators are seeded: two runs
write the same files and the same claims.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.importers import ensure_default_icd10cm, import_release
from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.errors import NotFound, UsageError
from coderdesk.core.progress import no_progress
from coderdesk.core.rules.claim import parse_claim
from coderdesk.core.rules.engine import RuleEngine

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator

    from coderdesk.core.progress import ProgressCallback

SEED = 20260101
FULL_SIZE_PTP_ROWS = 2_000_000
TARGET_MEDIAN_MS = 1.0
TARGET_P95_MS = 5.0
TARGET_BATCH_S = 15.0
TARGET_BATCH_CLAIMS = 10_000
LATENCY_SAMPLES = 1_000
DIAGNOSES_PER_CLAIM = 12
LINES_PER_CLAIM = 6

# -- the synthetic procedure-code universe ---------------------------------------------------

MAX_PROCEDURE_CODES = 10_000  # about as many codes as CPT has
MIN_PROCEDURE_CODES = 500
EDITS_PER_CODE = 200  # 10,000 codes x 200 column-2 codes = the 2 million rows asked for
FIRST_CODE, CODE_STEP = 10021, 8  # 10021, 10029, ... 90013: numeric, CPT-shaped, invented

PTP_RATIONALES = (
    "Misuse of column two code with column one code",
    "Mutually exclusive procedures",
    "Standards of medical / surgical practice",
    "CPT Manual or CMS manual coding instructions",
    "More extensive procedure",
    "HCPCS/CPT procedure code definition",
    "CPT separate procedure definition",
    "Sequential procedure",
    "Standard preparation / monitoring services for anesthesia",
)
MUE_RATIONALES = (
    "Clinical Data",
    "Anatomic Consideration",
    "Code Descriptor / CPT Instruction",
    "CMS Policy",
    "Nature of Service/Procedure",
    "Nature of Equipment",
)
MUE_INDICATOR_TEXTS = (
    "1 Line Edit",
    "2 Date of Service Edit: Policy",
    "3 Date of Service Edit: Clinical",
)
# Real files open with a notice and a two-line column header before the first data row.
PTP_HEADER = (
    "Synthetic NCCI practitioner PTP edits for `coderdesk bench validate`: invented codes, "
    "not CMS data.\r\n"
    "Column 1/Column 2 Edits\r\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
    "\t\tprior to 1996\tDate\tDate *=no data\t0=not allowed 1=allowed 9=not applicable\t\r\n"
)
MUE_HEADER = (
    '"Synthetic Practitioner Services MUE Table for benchmarking: invented codes, '
    'not CMS data"\r\n'
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,"
    "MUE Rationale\r\n"
)


def procedure_code(index: int) -> str:
    """The invented procedure code at `index` of the universe."""
    return f"{FIRST_CODE + CODE_STEP * index:05d}"


@dataclass(frozen=True)
class SyntheticNcci:
    """What the PTP writer produced, and how to find the column-2 codes of a column-1 code."""

    path: Path
    rows: int
    codes: int  # size of the procedure-code universe
    edits_per_code: int
    complete_codes: int  # column-1 codes (0..n-1) whose every edit is in the file
    seed: int

    def code_rng(self, index: int) -> random.Random:
        """The generator of one column-1 code's edits; its first draw is `column2_indexes`."""
        return random.Random(self.seed * 1_000_003 + index)

    def column2_indexes(self, index: int, rng: random.Random | None = None) -> list[int]:
        """The column-2 codes (as indexes) paired with column-1 code `index`, in code order."""
        draw = rng or self.code_rng(index)
        offsets = draw.sample(range(1, self.codes), self.edits_per_code)
        return sorted((index + offset) % self.codes for offset in offsets)


def universe_size(ptp_rows: int) -> tuple[int, int]:
    """How many procedure codes, and column-2 codes per column-1 code, hold `ptp_rows` edits."""
    codes = min(MAX_PROCEDURE_CODES, max(MIN_PROCEDURE_CODES, ptp_rows // EDITS_PER_CODE))
    per_code = math.ceil(ptp_rows / codes)
    if per_code >= codes:
        raise UsageError(f"{ptp_rows:,} PTP rows is more than {codes:,} codes can pair.")
    return codes, per_code


def _quarter(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    """A CMS quarterly release date (1 January, April, July or October)."""
    return dt.date(rng.randint(first_year, last_year), rng.choice((1, 4, 7, 10)), 1)


def _quarters_later(day: dt.date, quarters: int) -> dt.date:
    months = day.year * 12 + day.month - 1 + 3 * quarters
    return dt.date(months // 12, months % 12 + 1, 1)


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _edit_lines(column1: str, column2: str, rng: random.Random) -> list[str]:
    """One pair's rows: usually one live edit; sometimes deleted, rarely deleted and re-added."""
    prior = rng.random() < 0.15
    effective = dt.date(1996, 1, 1) if prior else _quarter(rng, 1997, 2025)
    start = f"{column1}\t{column2}\t{'*' if prior else ''}\t{_ymd(effective)}"
    modifier = "0" if rng.random() < 0.1 else "1"
    rationale = rng.choice(PTP_RATIONALES)
    roll = rng.random()
    if roll < 0.03:  # never in force: CMS writes modifier 9 and deletion = effective
        return [f"{start}\t{_ymd(effective)}\t9\t{rationale}"]
    if roll < 0.08:
        deleted = min(_quarters_later(effective, rng.randint(1, 60)), dt.date(2026, 10, 1))
        rows = [f"{start}\t{_ymd(deleted)}\t{modifier}\t{rationale}"]
        if rng.random() < 0.25:  # re-added at a later release, bypassable this time
            rows.append(f"{column1}\t{column2}\t\t{_ymd(deleted)}\t*\t1\t{rationale}")
        return rows
    return [f"{start}\t*\t{modifier}\t{rationale}"]


def write_ptp_file(
    path: Path,
    rows: int,
    seed: int = SEED,
    progress: ProgressCallback = no_progress,
) -> SyntheticNcci:
    """Write exactly `rows` PTP edits, sorted by column 1 then column 2 as CMS sorts them."""
    if rows < 1:
        raise UsageError("The PTP file needs at least one row.")
    codes, per_code = universe_size(rows)
    spec = SyntheticNcci(path, rows, codes, per_code, 0, seed)
    written = complete = 0
    with path.open("w", encoding="ascii", newline="") as handle:
        handle.write(PTP_HEADER)
        for index in range(codes):
            if written >= rows:
                break
            rng = spec.code_rng(index)
            column1 = procedure_code(index)
            lines: list[str] = []
            for column2 in spec.column2_indexes(index, rng):
                lines.extend(_edit_lines(column1, procedure_code(column2), rng))
            if len(lines) <= rows - written:
                complete = index + 1  # the claims draw column-1 codes among these only
            else:
                lines = lines[: rows - written]
            handle.write("\r\n".join(lines) + "\r\n")
            written += len(lines)
            if index % 100 == 0:
                progress(written, rows, "Writing synthetic NCCI PTP edits")
    progress(written, rows, "Writing synthetic NCCI PTP edits")
    return SyntheticNcci(path, written, codes, per_code, complete, seed)


def write_mue_file(path: Path, ncci: SyntheticNcci) -> int:
    """Write one MUE value per procedure code of the universe; return the row count."""
    rng = random.Random(ncci.seed + 1)
    values = (1, 1, 1, 1, 1, 2, 2, 3, 4, 6, 10)  # most codes: once a day
    with path.open("w", encoding="ascii", newline="") as handle:
        handle.write(MUE_HEADER)
        for index in range(ncci.codes):
            indicator = rng.choices(MUE_INDICATOR_TEXTS, weights=(2, 5, 3))[0]
            rationale = rng.choice(MUE_RATIONALES)
            value = rng.choice(values)
            handle.write(f"{procedure_code(index)},{value},{indicator},{rationale}\r\n")
    return ncci.codes


# -- diagnoses --------------------------------------------------------------------------------

# Pregnancy (15) and perinatal (16) codes need a patient this bench does not have; external
# causes (20) are never first-listed and are left out so every claim could stand clean.
EXCLUDED_CHAPTERS = frozenset({"15", "16", "20"})
# The patient is 45 and of unknown sex: no sex- or age-specific conditions, read off the
# titles of the code and its ancestors (blocks name "male genital organs" and the like).
_NOT_FOR_THIS_PATIENT = re.compile(
    r"\b(male|female|men|women|testis|testes|testicular|scrot\w*|penis|penile|prostat\w*"
    r"|ovar\w*|uter\w*|vagin\w*|vulv\w*|cervix|pregnan\w*|maternal|puerper\w*|gestation\w*"
    r"|newborn|neonat\w*|perinatal|fetal|fetus|infant\w*|child\w*|juvenile|pediatric"
    r"|adolescen\w*|senile|menopaus\w*|postmenopaus\w*|menstru\w*)\b",
    re.IGNORECASE,
)
# Sex-specific categories whose titles may not say so (a backstop for the pattern above).
_SEX_SPECIFIC = (
    ("C51", "C58"),
    ("C60", "C63"),
    ("D06", "D07"),
    ("D25", "D29"),
    ("D39", "D39"),
    ("D40", "D40"),
    ("N40", "N53"),
    ("N70", "N98"),
    ("Q50", "Q56"),
    ("R86", "R87"),
    ("Z30", "Z39"),
    ("Z3A", "Z3A"),
)
MANIFESTATION_TITLE = "in diseases classified elsewhere"


def _suitable(code: str, titles: list[str]) -> bool:
    """Whether a billable code fits a 45-year-old patient of unknown sex, as a plain diagnosis."""
    category = code[:3]
    if any(low <= category <= high for low, high in _SEX_SPECIFIC):
        return False
    return not any(
        MANIFESTATION_TITLE in title.lower() or _NOT_FOR_THIS_PATIENT.search(title)
        for title in titles
    )


def diagnosis_pool(library: CodeSetLibrary, day: dt.date) -> dict[str, list[str]]:
    """The suitable billable codes of the ICD-10-CM version in force on `day`, by chapter."""
    version = library.version_for("icd10cm", day)
    if version is None:
        raise NotFound("No ICD-10-CM code set is loaded.")
    cursor = library.db.cursor()
    cursor.row_factory = None
    rows = cursor.execute(
        "SELECT code, title, parent, billable FROM icd_nodes WHERE version_id = ? ORDER BY ord",
        (version.id,),
    )
    nodes: dict[str, tuple[str, str | None, int]] = {c: (t, p, b) for c, t, p, b in rows}
    pool: dict[str, list[str]] = {}
    for code, (_title, _parent, billable) in nodes.items():
        if not billable:
            continue
        lineage = list(_lineage(code, nodes))
        chapter = lineage[-1][0].removeprefix("chapter-")
        if chapter not in EXCLUDED_CHAPTERS and _suitable(code, [t for _, t in lineage]):
            pool.setdefault(chapter, []).append(code)
    return pool


def _lineage(code: str, nodes: dict[str, tuple[str, str | None, int]]) -> Iterator[tuple[str, str]]:
    """(code, title) of the node and its ancestors, the chapter last."""
    current: str | None = code
    while current is not None and current in nodes:
        title, parent, _billable = nodes[current]
        yield current, title
        current = parent


# -- claims -----------------------------------------------------------------------------------

FIRST_DAY, LAST_DAY = dt.date(2026, 1, 5), dt.date(2026, 6, 30)  # within FY2026, all past
PATIENT_DOB = "1980-07-01"  # 45 years old on every date of service
FACTORS_CHAPTER = "21"  # Z codes: not first-listed on these claims
BYPASS_MODIFIERS = ("59", "XU", "XS")


def make_claims(
    count: int,
    pool: dict[str, list[str]],
    ncci: SyntheticNcci,
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """`count` claims in the interchange format, each 12 diagnoses and 6 service lines."""
    if len(pool) < DIAGNOSES_PER_CLAIM:
        raise NotFound(f"Only {len(pool)} ICD-10-CM chapters have suitable billable codes.")
    if ncci.complete_codes < 1 or ncci.codes < LINES_PER_CLAIM:
        raise UsageError("The synthetic PTP file is too small to draw service lines from.")
    rng = random.Random(seed + 2)
    return [_claim(number, rng, pool, ncci) for number in range(1, count + 1)]


def _claim(
    number: int, rng: random.Random, pool: dict[str, list[str]], ncci: SyntheticNcci
) -> dict[str, Any]:
    day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    chapters = rng.sample(sorted(pool), DIAGNOSES_PER_CLAIM)
    if chapters[0] == FACTORS_CHAPTER:
        chapters[0], chapters[1] = chapters[1], chapters[0]
    return {
        "date_of_service": day.isoformat(),
        "patient": {
            "dob": PATIENT_DOB,
            "sex": "U",
            "name": f"Synthetic, Patient {number}",
            "account": f"BENCH{number:06d}",
        },
        "subscriber": {"id": f"SUB{number:06d}", "name": f"Synthetic, Patient {number}"},
        "payer": {"name": "Synthetic Health Plan", "id": "SYN01"},
        "billing_provider": {"name": "Bench Clinic", "npi": "1234567893", "tax_id": "123456789"},
        "rendering_provider": {"npi": "1245319599"},
        "diagnoses": [rng.choice(pool[chapter]) for chapter in chapters],
        "lines": [_line(code, modifiers, day, rng) for code, modifiers in _line_codes(rng, ncci)],
    }


def _line_codes(rng: random.Random, ncci: SyntheticNcci) -> list[tuple[str, list[str]]]:
    """Six distinct codes: a column-1 code, 1-5 of its column-2 codes, the rest at random."""
    column1 = rng.randrange(ncci.complete_codes)
    wanted = min(rng.choice((1, 2, 3, 3, 4, 5)), ncci.edits_per_code)
    partners = rng.sample(ncci.column2_indexes(column1), wanted)
    chosen = [column1, *partners]
    while len(chosen) < LINES_PER_CLAIM:
        other = rng.randrange(ncci.codes)
        if other not in chosen:
            chosen.append(other)
    rng.shuffle(chosen)
    return [(procedure_code(i), _modifiers(i in partners, rng)) for i in chosen]


def _modifiers(is_column2: bool, rng: random.Random) -> list[str]:
    # Coders often add an NCCI-associated modifier to the column-2 code of a pair.
    return [rng.choice(BYPASS_MODIFIERS)] if is_column2 and rng.random() < 0.3 else []


def _line(code: str, modifiers: list[str], day: dt.date, rng: random.Random) -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": modifiers,
        "units": rng.choices((1, 2, 3), weights=(85, 12, 3))[0],
        "pointers": rng.sample(range(1, DIAGNOSES_PER_CLAIM + 1), rng.randint(1, 4)),
        "charge": round(rng.uniform(25.0, 900.0), 2),
        "pos": "11",
        "from": day.isoformat(),
        "to": day.isoformat(),
    }


# -- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """Median, 95th percentile and maximum of a set of timings, in milliseconds."""

    samples: int
    median_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, times_ms: list[float]) -> Latency:
        """The summary of `times_ms` (at least one)."""
        ordered = sorted(times_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(
            len(ordered), round(statistics.median(ordered), 3), round(p95, 3), round(ordered[-1], 3)
        )


@dataclass(frozen=True)
class Target:
    """One of the issue's targets and the figure measured against it."""

    name: str
    limit: float
    measured: float
    unit: str

    @property
    def passed(self) -> bool:
        """Whether the figure is within the target."""
        return self.measured <= self.limit


@dataclass(frozen=True)
class ValidateReport:
    """Every figure of one `bench validate` run."""

    ptp_rows_written: int
    ptp_rows_imported: int
    mue_rows_imported: int
    procedure_codes: int
    ptp_file_mb: float
    icd_import_s: float
    ptp_import_s: float
    mue_import_s: float
    library_mb: float
    claims: int
    diagnoses_per_claim: int
    lines_per_claim: int
    cold_ms: float  # the first claim: loads the ICD-10-CM table into memory
    latency: Latency  # parse + validate of a claim not seen before, in a running engine
    revalidation: Latency  # the same claims again, as the code sheet re-validates on each edit
    batch_s: float
    claims_per_s: float
    ptp_pairs_in_force: int  # line pairs of the batch with a PTP edit in force that day
    claims_with_ptp_pair: int
    ptp_probe: Latency  # one indexed SQL query for all of a claim's pairs: the look-up floor
    findings: dict[str, int]
    peak_rss_mb: int | None
    targets: tuple[Target, ...]

    @property
    def full_size(self) -> bool:
        """Whether the run had the size the targets are stated for."""
        return self.ptp_rows_imported >= FULL_SIZE_PTP_ROWS and self.claims >= TARGET_BATCH_CLAIMS

    def as_json(self) -> dict[str, Any]:
        """The `--json` form: plain numbers, strings, lists and objects."""
        data = asdict(self)
        data["targets"] = [asdict(t) | {"passed": t.passed} for t in self.targets]
        data["full_size"] = self.full_size
        return data

    def as_text(self) -> str:
        """The human-readable report."""
        lat, probe = self.latency, self.ptp_probe
        share = 100 * self.claims_with_ptp_pair / self.claims
        lines = [
            f"== bench validate: {self.claims:,} claims of {self.diagnoses_per_claim} "
            f"diagnoses x {self.lines_per_claim} lines",
            f"synthetic NCCI: {self.ptp_rows_imported:,} PTP rows over "
            f"{self.procedure_codes:,} procedure codes (file {self.ptp_file_mb:.0f} MB), "
            f"{self.mue_rows_imported:,} MUE rows",
            f"imports: ICD-10-CM tabular {self.icd_import_s:.1f} s; PTP {self.ptp_import_s:.1f} s "
            f"({self.ptp_rows_imported / max(self.ptp_import_s, 1e-9):,.0f} rows/s); "
            f"MUE {self.mue_import_s:.2f} s; library file {self.library_mb:.0f} MB",
            f"PTP edits in force on the claims' line pairs: {self.ptp_pairs_in_force:,} "
            f"({self.ptp_pairs_in_force / self.claims:.1f} a claim; {share:.0f}% of claims)",
            f"cold first claim (loads ICD-10-CM): {self.cold_ms:,.0f} ms",
            f"one new claim, parse + validate, {lat.samples:,} samples after the batch: "
            f"median {lat.median_ms} ms, p95 {lat.p95_ms} ms, max {lat.max_ms} ms",
            f"the same claims validated again (an edit on the code sheet): median "
            f"{self.revalidation.median_ms} ms, p95 {self.revalidation.p95_ms} ms",
            f"batch: {self.claims:,} claims in {self.batch_s:.2f} s "
            f"({self.claims_per_s:,.0f} claims/s)",
            f"PTP look-up floor (one SQL query for a claim's pairs): median {probe.median_ms} ms, "
            f"p95 {probe.p95_ms} ms",
            "findings: "
            + (", ".join(f"{rule} {n:,}" for rule, n in self.findings.items()) or "none"),
            "peak memory (VmHWM): "
            + ("unknown" if self.peak_rss_mb is None else f"{self.peak_rss_mb:,} MB"),
            "targets"
            + (
                ""
                if self.full_size
                else " (reduced run: the targets are for 2M rows, 10,000 claims)"
            )
            + ":",
        ]
        lines += [
            f"  {t.name:26} {t.measured:>9,.3f} {t.unit:3} {'pass' if t.passed else 'FAIL'}"
            for t in self.targets
        ]
        return "\n".join(lines)


# -- measuring --------------------------------------------------------------------------------


def peak_rss_mb() -> int | None:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss, a fork does not inherit it)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return None


def _size_mb(path: Path) -> float:
    return round(path.stat().st_size / 1024**2, 1)


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 3)


_PROBE = (
    "SELECT COUNT(DISTINCT column1 || ' ' || column2) FROM ncci_ptp WHERE version_id = ?"
    " AND column1 IN ({marks}) AND column2 IN ({marks}) AND effective <= ?"
    " AND (deletion IS NULL OR deletion > ?)"
)


def _ptp_pairs(db: sqlite3.Connection, version_id: int, data: dict[str, Any]) -> int:
    """Line pairs of a claim with a PTP edit in force on its date, by one indexed query."""
    codes = [line["code"] for line in data["lines"]]
    marks = ",".join("?" * len(codes))
    day = data["date_of_service"]
    row = db.execute(_PROBE.format(marks=marks), (version_id, *codes, *codes, day, day)).fetchone()
    return int(row[0])


def _fresh_library(folder: Path) -> CodeSetLibrary:
    name = "bench-codesets.sqlite"
    for suffix in ("", "-wal", "-shm"):  # a work_dir reused from an earlier run
        (folder / (name + suffix)).unlink(missing_ok=True)
    return CodeSetLibrary(folder / name)


@dataclass
class _Imports:
    ncci: SyntheticNcci
    ptp_version: int
    ptp_rows: int
    mue_rows: int
    icd_s: float
    ptp_s: float
    mue_s: float


def _load(library: CodeSetLibrary, folder: Path, rows: int, progress: ProgressCallback) -> _Imports:
    """The embedded ICD-10-CM, then the synthetic PTP and MUE files, each import timed."""
    started = time.perf_counter()
    ensure_default_icd10cm(library, progress)
    icd_s = _seconds(started)
    ncci = write_ptp_file(folder / "synthetic-ncci-ptp.txt", rows, progress=progress)
    mue_path = folder / "synthetic-mue.csv"
    write_mue_file(mue_path, ncci)
    started = time.perf_counter()
    ptp = import_release(library, "ncci-ptp", ncci.path, progress=progress)
    ptp_s = _seconds(started)
    started = time.perf_counter()
    mue = import_release(library, "mue", mue_path, progress=progress)
    mue_s = _seconds(started)
    return _Imports(ncci, ptp.version_id, ptp.records, mue.records, icd_s, ptp_s, mue_s)


def _time_each(run: Callable[[dict[str, Any]], object], claims: list[dict[str, Any]]) -> Latency:
    times = []
    for data in claims:
        started = time.perf_counter()
        run(data)
        times.append((time.perf_counter() - started) * 1000)
    return Latency.of(times)


def _targets(latency: Latency, claims: int, batch_s: float) -> tuple[Target, ...]:
    batch_limit = TARGET_BATCH_S * claims / TARGET_BATCH_CLAIMS  # 15 s per 10,000 claims
    return (
        Target(f"median <= {TARGET_MEDIAN_MS:g} ms", TARGET_MEDIAN_MS, latency.median_ms, "ms"),
        Target(f"p95 <= {TARGET_P95_MS:g} ms", TARGET_P95_MS, latency.p95_ms, "ms"),
        Target(f"{claims:,} claims <= {batch_limit:g} s", round(batch_limit, 3), batch_s, "s"),
    )


def _measure(
    library: CodeSetLibrary, folder: Path, ptp_rows: int, claims: int, progress: ProgressCallback
) -> ValidateReport:
    loaded = _load(library, folder, ptp_rows, progress)
    library.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the size is then the file's alone
    progress(0, claims, "Generating claims")
    data = make_claims(claims, diagnosis_pool(library, FIRST_DAY), loaded.ncci)
    engine = RuleEngine(library)

    def validate(claim: dict[str, Any]) -> list[Any]:
        return engine.validate(parse_claim(claim))

    started = time.perf_counter()
    validate(data[0])
    cold_ms = round((time.perf_counter() - started) * 1000, 1)
    progress(0, claims, "Validating claims")
    started = time.perf_counter()
    found: Counter[str] = Counter()
    for claim in data:  # tally and drop each result, as a batch run writing them out would
        found.update(finding.rule for finding in validate(claim))
    batch_s = _seconds(started)
    progress(claims, claims, "Validating claims")
    # Single-claim latency in a running engine, on claims it has not seen (another seed),
    # then on the same claims again.
    fresh = make_claims(
        min(LATENCY_SAMPLES, claims), diagnosis_pool(library, FIRST_DAY), loaded.ncci, SEED + 1
    )
    latency = _time_each(validate, fresh)
    revalidation = _time_each(validate, fresh)
    pairs = [_ptp_pairs(library.db, loaded.ptp_version, claim) for claim in data]
    probe = _time_each(lambda claim: _ptp_pairs(library.db, loaded.ptp_version, claim), data)
    return ValidateReport(
        ptp_rows_written=loaded.ncci.rows,
        ptp_rows_imported=loaded.ptp_rows,
        mue_rows_imported=loaded.mue_rows,
        procedure_codes=loaded.ncci.codes,
        ptp_file_mb=_size_mb(loaded.ncci.path),
        icd_import_s=loaded.icd_s,
        ptp_import_s=loaded.ptp_s,
        mue_import_s=loaded.mue_s,
        library_mb=_size_mb(library.path),
        claims=claims,
        diagnoses_per_claim=DIAGNOSES_PER_CLAIM,
        lines_per_claim=LINES_PER_CLAIM,
        cold_ms=cold_ms,
        latency=latency,
        revalidation=revalidation,
        batch_s=batch_s,
        claims_per_s=round(claims / max(batch_s, 1e-9), 1),
        ptp_pairs_in_force=sum(pairs),
        claims_with_ptp_pair=sum(1 for n in pairs if n),
        ptp_probe=probe,
        findings=dict(found.most_common()),
        peak_rss_mb=peak_rss_mb(),
        targets=_targets(latency, claims, batch_s),
    )


def run_validate_benchmark(
    *,
    ptp_rows: int = FULL_SIZE_PTP_ROWS,
    claims: int = TARGET_BATCH_CLAIMS,
    progress: ProgressCallback | None = None,
    work_dir: Path | None = None,
) -> ValidateReport:
    """Import a synthetic NCCI table of `ptp_rows` rows, then time `claims` claims' validation.

    The files and the library go to `work_dir` when given (kept afterwards), else to a
    temporary folder removed at the end.
    """
    if claims < 1:
        raise UsageError("The benchmark needs at least one claim.")
    report = progress or no_progress
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        return _run_in(work_dir, ptp_rows, claims, report)
    with tempfile.TemporaryDirectory(prefix="coderdesk-bench-validate-") as temp:
        return _run_in(Path(temp), ptp_rows, claims, report)


def _run_in(folder: Path, ptp_rows: int, claims: int, progress: ProgressCallback) -> ValidateReport:
    library = _fresh_library(folder)
    try:
        return _measure(library, folder, ptp_rows, claims, progress)
    finally:
        library.close()
