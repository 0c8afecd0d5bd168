# SPDX-License-Identifier: GPL-3.0-or-later
"""The code-set commands of `coderdesk`: import, codesets, index, search, code, bench search."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.library import CodeSetLibrary
from coderdesk.core.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from coderdesk.core.rules.findings import Finding

SEARCH_SYSTEMS = ("icd10cm", "hcpcs", "cpt", "all")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _progress(done: int, total: int, label: str) -> None:
    if not sys.stderr.isatty():  # scripts and CI read stdout; keep their logs quiet
        return
    of = f"/{total:,}" if total else ""
    sys.stderr.write(f"\r{label}: {done:,}{of}   ")
    sys.stderr.flush()


@contextmanager
def _library() -> Iterator[CodeSetLibrary]:
    library = CodeSetLibrary()
    try:
        yield library
    finally:
        library.close()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def cmd_import(args: argparse.Namespace) -> int:
    """`coderdesk import KIND FILE`."""
    from coderdesk.core.codes.importers import ensure_default_icd10cm, import_release

    with _library() as library:
        ensure_default_icd10cm(library)
        summary = import_release(
            library,
            args.kind,
            args.file,
            effective=args.effective,
            label=args.label,
            progress=_progress,
        )
    _say(summary.describe())
    return 0


def cmd_codesets(args: argparse.Namespace) -> int:
    """`coderdesk codesets list`."""
    from coderdesk.core.codes.importers import ensure_default_icd10cm

    with _library() as library:
        ensure_default_icd10cm(library)
        versions = library.versions()
        in_force = {v.system: library.version_for(v.system) for v in versions}
    if args.json:
        _say(
            json.dumps(
                [
                    {
                        "system": v.system,
                        "label": v.label,
                        "effective_from": v.effective_from.isoformat(),
                        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
                        "records": v.record_count,
                        "source": v.source_name,
                        "in_force": in_force.get(v.system) == v,
                    }
                    for v in versions
                ]
            )
        )
        return 0
    for v in versions:
        mark = "*" if in_force.get(v.system) == v else " "
        until = v.effective_to.isoformat() if v.effective_to else "..."
        _say(
            f"{mark} {v.system:17} {v.label}  {v.effective_from.isoformat()} to {until}"
            f"  {v.record_count:,} records"
        )
    _say("(* = in force today)")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """`coderdesk index build`."""
    import time

    from coderdesk.core.codes.importers import ensure_default_icd10cm
    from coderdesk.core.search.engine import build as build_index

    started = time.perf_counter()
    with _library() as library:
        ensure_default_icd10cm(library, _progress)
        report = build_index(library, progress=_progress)
    _say(f"Indexed {report.documents:,} codes in {time.perf_counter() - started:.1f} s.")
    return 0


def _result_json(result: Any) -> dict[str, Any]:
    return {
        "code": result.code,
        "title": result.title,
        "system": result.system,
        "billable": result.billable,
        "score": result.score,
    }


def _open_engine(library: CodeSetLibrary) -> Any:
    from coderdesk.core.search.engine import SearchEngine

    return SearchEngine.open(library, progress=_progress)


def cmd_search(args: argparse.Namespace) -> int:
    """`coderdesk search "QUERY"` and `coderdesk search --batch FILE --json`."""
    if (args.query is None) == (args.batch is None):
        raise UsageError("Give either a QUERY or --batch FILE.")
    with _library() as library:
        engine = _open_engine(library)
        try:
            if args.batch is not None:
                return _search_batch(engine, args)
            response = engine.search(
                args.query, system=args.system, limit=args.limit, billable_only=args.billable
            )
        finally:
            engine.close()
    if args.json:
        _say(
            json.dumps(
                {
                    "query": response.query,
                    "corrected": response.corrected,
                    "results": [_result_json(r) for r in response.results],
                }
            )
        )
        return 0
    _print_response(response)
    return 0


def _print_response(response: Any) -> None:
    if response.corrected:
        _say(f"(searched for: {response.corrected})")
    if not response.results:
        hint = f" Did you mean: {response.suggestion}?" if response.suggestion else ""
        _say("No codes found." + hint)
    for r in response.results:
        mark = " " if r.billable else "H"
        _say(f"{mark} {r.code:9} {r.system:8} {r.title}")


def _search_batch(engine: Any, args: argparse.Namespace) -> int:
    try:
        lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"Cannot read {args.batch}: {exc.strerror}.") from None
    for query in lines:
        response = engine.search(
            query, system=args.system, limit=args.limit, billable_only=args.billable
        )
        _say(json.dumps({"query": query, "results": [_result_json(r) for r in response.results]}))
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    """`coderdesk code E11.40 [--date D] [--json]`."""
    from coderdesk.core.codes.catalog import Catalog
    from coderdesk.core.codes.importers import ensure_default_icd10cm

    with _library() as library:
        ensure_default_icd10cm(library)
        detail = Catalog(library).detail(args.code, args.date)
    if args.json:
        _say(json.dumps(detail.as_json()))
        return 0
    _say(f"{detail.code}  {detail.title}  [{detail.version}]")
    _say("billable" if detail.billable else "not billable (header: choose a child)")
    for step in detail.path:
        _say(f"  in {step['code']}: {step['title']}")
    for note in detail.notes:
        _say(f"  {note.kind} ({note.source}): {note.text}")
    for child in detail.children:
        _say(f"  > {child['code']} {child['title']}")
    return 0


def _load_json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise UsageError(f"{path.name} is not valid JSON: {exc}.") from None


def _print_findings(findings: list[Any]) -> None:
    if not findings:
        _say("No findings.")
    for finding in findings:
        where = f" [{', '.join(finding.codes)}]" if finding.codes else ""
        _say(f"{str(finding.severity).upper():7} {finding.rule}{where}: {finding.message}")
        _say(f"        source: {finding.citation}")
        if finding.fix:
            _say(f"        fix: {finding.fix}")
        if finding.overridden:
            _say(f"        overridden: {finding.overridden}")


def cmd_validate(args: argparse.Namespace) -> int:
    """`coderdesk validate CLAIM.json [--json]` and `--batch FILE.jsonl --json`."""
    from coderdesk.core.codes.importers import ensure_default_icd10cm
    from coderdesk.core.rules.claim import parse_claim
    from coderdesk.core.rules.custom import load_user_rules
    from coderdesk.core.rules.engine import RuleEngine

    if (args.claim is None) == (args.batch is None):
        raise UsageError("Give either CLAIM.json or --batch FILE.jsonl.")
    custom = load_user_rules(args.rules)
    with _library() as library:
        ensure_default_icd10cm(library)
        engine = RuleEngine(library, custom=custom)
        if args.batch is not None:
            _validate_batch(engine, args.batch)
            return 0
        findings = engine.validate(parse_claim(_load_json_file(args.claim)))
    if args.json:
        _say(json.dumps({"findings": [f.as_json() for f in findings]}))
    else:
        _print_findings(findings)
    return 0


def _validate_batch(engine: Any, path: Path) -> None:
    """One output line per claim line; a malformed claim gets its error, the rest go on."""
    from coderdesk.core.rules.claim import ClaimFormatError, parse_claim

    failed = 0
    for number, line in enumerate(_read_lines(path), start=1):
        try:
            claim = parse_claim(json.loads(line))
        except (ValueError, ClaimFormatError) as exc:
            failed += 1
            problem = exc.user_message if isinstance(exc, ClaimFormatError) else "not valid JSON"
            _say(json.dumps({"findings": [], "error": f"claim {number}: {problem}"}))
            continue
        findings = engine.validate(claim)
        _say(json.dumps({"findings": [f.as_json() for f in findings]}))
    if failed:
        sys.stderr.write(f"coderdesk: {failed} claim(s) could not be read; see 'error'.\n")


def _read_lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from None


def cmd_bench_validate(args: argparse.Namespace) -> int:
    """`coderdesk bench validate [--json]`."""
    from coderdesk.core.rules.bench import run_validate_benchmark

    report = run_validate_benchmark(progress=_progress)
    _say(json.dumps(report.as_json(), indent=1) if args.json else report.as_text())
    return 0


def _claim_without_errors(path: Path) -> tuple[Any, Any]:
    """The claim file and its parsed claim; (data, None) after naming blocking errors."""
    from coderdesk.core.codes.importers import ensure_default_icd10cm
    from coderdesk.core.rules.claim import parse_claim
    from coderdesk.core.rules.custom import load_user_rules
    from coderdesk.core.rules.engine import RuleEngine
    from coderdesk.core.services.claim_files import ClaimBlocked, refuse_if_blocked

    data = _load_json_file(path)
    claim = parse_claim(data)
    with _library() as library:
        ensure_default_icd10cm(library)
        findings = RuleEngine(library, custom=load_user_rules()).validate(claim)
    try:
        refuse_if_blocked(findings)
    except ClaimBlocked as exc:
        _say_blocked(exc.stopping)
        return data, None
    return data, claim


def _say_blocked(stopping: Sequence[Finding]) -> None:
    """Name, one to a line, the errors that stop a claim file (exit 1 follows)."""
    sys.stderr.write("coderdesk: not written; resolve or override these errors first:\n")
    for finding in stopping:
        sys.stderr.write(f"  {finding.rule}: {finding.message}\n")


def _claim_source(parser: argparse.ArgumentParser) -> None:
    """CLAIM.json, or --workspace PATH with --encounter N (checked by `_one_source`)."""
    parser.add_argument("claim", type=Path, nargs="?", metavar="CLAIM.json")
    parser.add_argument("--workspace", type=Path, metavar="PATH")
    parser.add_argument("--encounter", type=int, metavar="N")


def _one_source(args: argparse.Namespace) -> bool:
    """Whether the claim comes from a workspace (True) or a claim JSON file (False)."""
    if (args.claim is None) == (args.workspace is None) or (
        args.workspace is not None and args.encounter is None
    ):
        raise UsageError("Give CLAIM.json, or --workspace PATH with --encounter N.")
    return args.workspace is not None


def _from_workspace(args: argparse.Namespace, claim_format: str, **options: Any) -> int:
    """An encounter's 837P or CMS-1500 through the workspace (numbered, recorded, audited)."""
    from coderdesk.cli import current_passphrase
    from coderdesk.core.codes.importers import ensure_default_icd10cm
    from coderdesk.core.files import write_private_bytes
    from coderdesk.core.rules.claim import parse_claim
    from coderdesk.core.rules.custom import load_user_rules
    from coderdesk.core.rules.engine import RuleEngine
    from coderdesk.core.services.claim_files import ClaimBlocked, ClaimFileService
    from coderdesk.core.services.claims import ClaimService
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(args.workspace, current_passphrase())
    try:
        data = ClaimService(workspace).to_claim(args.encounter, audited=False)
        with _library() as library:
            ensure_default_icd10cm(library)
            findings = RuleEngine(library, custom=load_user_rules()).validate(parse_claim(data))
        files = ClaimFileService(workspace)
        try:
            if claim_format == "837p":
                produced = files.write_837p(args.encounter, findings)
            else:
                produced = files.write_cms1500(args.encounter, findings, **options)
        except ClaimBlocked as exc:
            _say_blocked(exc.stopping)
            return 1
    finally:
        workspace.close()
    write_private_bytes(args.output, produced.content)
    number = f" (interchange {produced.interchange:09d})" if produced.interchange else ""
    _say(f"{claim_format.upper()} written to {args.output}{number}")
    return 0


def cmd_export_cms1500(args: argparse.Namespace) -> int:
    """`coderdesk export cms1500 (CLAIM.json | --workspace PATH --encounter N) -o OUT.pdf
    [--mode form|data] [--offset X,Y]`."""
    from coderdesk.core.exports.cms1500 import render_cms1500
    from coderdesk.core.files import write_private_bytes

    try:
        right, down = (float(part) for part in args.offset.split(","))
    except ValueError:
        raise UsageError(
            "--offset takes two numbers in inches: RIGHT,DOWN (e.g. 0.1,-0.05)."
        ) from None
    if _one_source(args):
        return _from_workspace(args, "cms1500", mode=args.mode, offset=(right, down))
    _data, claim = _claim_without_errors(args.claim)
    if claim is None:
        return 1
    write_private_bytes(args.output, render_cms1500(claim, mode=args.mode, offset=(right, down)))
    _say(f"CMS-1500 ({args.mode} mode) written to {args.output}")
    return 0


def cmd_export_837p(args: argparse.Namespace) -> int:
    """`coderdesk export 837p (CLAIM.json | --workspace PATH --encounter N) -o OUT.x12`:
    exit 1 naming blocking findings."""
    from coderdesk.core.exports.control import next_control_numbers
    from coderdesk.core.exports.x837 import Envelope, build_837p
    from coderdesk.core.files import write_private_text

    if _one_source(args):
        return _from_workspace(args, "837p")
    data, claim = _claim_without_errors(args.claim)
    if claim is None:
        return 1
    interchange, group = next_control_numbers()
    submitter = data.get("submitter") if isinstance(data.get("submitter"), dict) else {}
    receiver = data.get("receiver") if isinstance(data.get("receiver"), dict) else {}
    envelope = Envelope(
        submitter_id=str(
            submitter.get("id") or claim.billing_provider.get("tax_id") or "SUBMITTER"
        ),
        submitter_name=str(submitter.get("name") or claim.billing_provider.get("name") or ""),
        receiver_id=str(receiver.get("id") or claim.payer.get("id") or "RECEIVER"),
        receiver_name=str(receiver.get("name") or claim.payer.get("name") or ""),
        interchange_number=interchange,
        group_number=group,
        contact_phone=str(submitter.get("phone", "") or ""),
    )
    write_private_text(args.output, build_837p(claim, envelope))
    _say(f"837P written to {args.output} (interchange {interchange:09d})")
    return 0


def cmd_export_summary(args: argparse.Namespace) -> int:
    """`coderdesk export summary (CLAIM.json | --workspace PATH --encounter N) -o OUT.pdf`."""
    from coderdesk.core.codes.importers import ensure_default_icd10cm
    from coderdesk.core.exports.summary import render_summary
    from coderdesk.core.files import write_private_bytes
    from coderdesk.core.rules.claim import parse_claim
    from coderdesk.core.rules.custom import load_user_rules
    from coderdesk.core.rules.engine import RuleEngine

    evidence: list[Any] = []
    if _one_source(args):
        data, evidence = _encounter_for_summary(args.workspace, args.encounter)
    else:
        data = _load_json_file(args.claim)
    claim = parse_claim(data)
    with _library() as library:
        ensure_default_icd10cm(library)
        engine = RuleEngine(library, custom=load_user_rules())
        findings = engine.validate(claim)
        icd = engine.icd_for(claim)
        titles = {code: node.title for code in claim.diagnoses if (node := icd.get(code))}
    write_private_bytes(args.output, render_summary(claim, titles, findings, evidence))
    _say(f"Coding summary written to {args.output}")
    return 0


def _encounter_for_summary(path: Path, encounter_id: int) -> tuple[Any, list[Any]]:
    from coderdesk.cli import current_passphrase
    from coderdesk.core.services.claims import ClaimService
    from coderdesk.core.services.evidence import EvidenceService
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(path, current_passphrase())
    try:
        data = ClaimService(workspace).to_claim(encounter_id)
        return data, EvidenceService(workspace).links(encounter_id)
    finally:
        workspace.close()


def cmd_export_query(args: argparse.Namespace) -> int:
    """`coderdesk export query QUERY.json -o LETTER.pdf`: refused while lint errors remain."""
    from coderdesk.core.exports.query_letter import render_query_letter
    from coderdesk.core.files import write_private_bytes
    from coderdesk.core.queries.lint import can_issue, lint_query
    from coderdesk.core.queries.model import parse_query

    query = parse_query(_load_json_file(args.query))
    findings = lint_query(query)
    if not can_issue(findings):
        sys.stderr.write("coderdesk: not written; the query is not compliant:\n")
        for finding in findings:
            if finding.severity == "error":
                sys.stderr.write(f"  {finding.check}: {finding.message}\n")
        return 1
    write_private_bytes(args.output, render_query_letter(query, query.extra.get("practice", {})))
    _say(f"Query letter written to {args.output}")
    return 0


def cmd_bench_export(args: argparse.Namespace) -> int:
    """`coderdesk bench export [--json]`."""
    from coderdesk.core.exports.bench import run_export_benchmark

    report = run_export_benchmark()
    _say(json.dumps(report, indent=1) if args.json else _export_report_text(report))
    return 0


def _export_report_text(report: dict[str, Any]) -> str:
    lines = ["== bench export"]
    for name, figures in report.items():
        verdict = "pass" if figures["p95_ms"] <= figures["target_ms"] else "FAIL"
        lines.append(
            f"{name}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms "
            f"({figures['runs']} runs; target {figures['target_ms']} ms: {verdict})"
        )
    return "\n".join(lines)


def cmd_query_lint(args: argparse.Namespace) -> int:
    """`coderdesk query lint QUERY.json [--json]`: exit 0 when it ran, whatever it found."""
    from coderdesk.core.queries.lint import can_issue, lint_query
    from coderdesk.core.queries.model import parse_query

    findings = lint_query(parse_query(_load_json_file(args.query)))
    if args.json:
        report = {"can_issue": can_issue(findings), "findings": [f.as_json() for f in findings]}
        _say(json.dumps(report))
        return 0
    for finding in findings:
        _say(f"{finding.severity.upper():7} {finding.check}: {finding.message}")
        _say(f"        why: {finding.reason}")
    _say("The query can be issued." if can_issue(findings) else "The query cannot be issued.")
    return 0


def cmd_bench_ui(args: argparse.Namespace) -> int:
    """`coderdesk bench ui [--json]` (offscreen)."""
    try:
        from coderdesk.ui.bench import run_ui_benchmark
    except ImportError as exc:
        raise UsageError("bench ui needs PySide6 and Qt's system libraries.") from exc
    report = run_ui_benchmark()
    _say(json.dumps(report.as_json(), indent=1) if args.json else report.as_text())
    return 0


def cmd_bench_search(args: argparse.Namespace) -> int:
    """`coderdesk bench search [--json]`."""
    from coderdesk.core.search.bench import run_search_benchmark

    report = run_search_benchmark(args.dev_set, progress=_progress)
    _say(json.dumps(report, indent=1) if args.json else report["text"])
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the code-set commands on the main parser."""
    from coderdesk.core.codes.importers import KINDS

    imp = commands.add_parser("import", help="import an official release file into the library")
    imp.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--effective", type=_date, help="date the release comes into force")
    imp.add_argument("--label", help="name shown for this version")
    imp.set_defaults(handler=cmd_import)

    codesets = commands.add_parser("codesets", help="list the code-set versions")
    verbs = codesets.add_subparsers(dest="verb", required=True, metavar="ACTION")
    listing = verbs.add_parser("list", help="every imported version, and which is in force")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_codesets)

    index = commands.add_parser("index", help="build the search index")
    index_verbs = index.add_subparsers(dest="verb", required=True, metavar="ACTION")
    index_verbs.add_parser("build", help="(re)build the index").set_defaults(handler=cmd_index)

    search = commands.add_parser("search", help="search codes by words or code")
    search.add_argument("query", nargs="?", metavar="QUERY")
    search.add_argument("--batch", type=Path, metavar="FILE", help="one query per line")
    search.add_argument("--system", choices=SEARCH_SYSTEMS, default="all")
    search.add_argument("--limit", type=_positive, default=10)
    search.add_argument("--billable", action="store_true", help="billable codes only")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)

    code = commands.add_parser("code", help="tabular detail of a code")
    code.add_argument("code", metavar="CODE")
    code.add_argument("--date", type=_date, help="date of service (default today)")
    code.add_argument("--json", action="store_true")
    code.set_defaults(handler=cmd_code)

    validate = commands.add_parser("validate", help="check a claim against the coding rules")
    validate.add_argument("claim", type=Path, nargs="?", metavar="CLAIM.json")
    validate.add_argument("--batch", type=Path, metavar="FILE.jsonl", help="one claim per line")
    validate.add_argument("--json", action="store_true")
    validate.add_argument(
        "--rules",
        type=Path,
        metavar="RULES.toml",
        help="practice/payer rules (default: rules.toml in the config folder, if present)",
    )
    validate.set_defaults(handler=cmd_validate)

    export = commands.add_parser("export", help="claims out: CMS-1500 PDF, 837P")
    export_verbs = export.add_subparsers(dest="verb", required=True, metavar="WHAT")
    cms = export_verbs.add_parser("cms1500", help="CMS-1500 (02/12) PDF from a claim")
    _claim_source(cms)
    cms.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf")
    cms.add_argument("--mode", choices=("data", "form"), default="form")
    cms.add_argument("--offset", default="0,0", metavar="RIGHT,DOWN", help="inches (data mode)")
    cms.set_defaults(handler=cmd_export_cms1500)
    summary = export_verbs.add_parser("summary", help="the coding summary PDF, for audits")
    _claim_source(summary)
    summary.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf")
    summary.set_defaults(handler=cmd_export_summary)
    letter = export_verbs.add_parser("query", help="a provider query as a printable letter")
    letter.add_argument("query", type=Path, metavar="QUERY.json")
    letter.add_argument("-o", "--output", type=Path, required=True, metavar="LETTER.pdf")
    letter.set_defaults(handler=cmd_export_query)
    x837 = export_verbs.add_parser("837p", help="ASC X12 837P (005010X222A1) from a claim")
    _claim_source(x837)
    x837.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.x12")
    x837.set_defaults(handler=cmd_export_837p)

    query = commands.add_parser("query", help="provider queries")
    query_verbs = query.add_subparsers(dest="verb", required=True, metavar="WHAT")
    lint = query_verbs.add_parser("lint", help="check a query for compliance (docs/queries.md)")
    lint.add_argument("query", type=Path, metavar="QUERY.json")
    lint.add_argument("--json", action="store_true")
    lint.set_defaults(handler=cmd_query_lint)

    bench = commands.add_parser("bench", help="benchmarks (figures, not tests)")
    bench_verbs = bench.add_subparsers(dest="verb", required=True, metavar="WHAT")
    bench_search = bench_verbs.add_parser("search", help="search speed and quality, vs FTS5")
    bench_search.add_argument("--json", action="store_true")
    bench_search.add_argument("--dev-set", type=Path, help="search_dev.tsv (default ../shared)")
    bench_search.set_defaults(handler=cmd_bench_search)
    bench_validate = bench_verbs.add_parser(
        "validate", help="claim validation speed, with a 2-million-row synthetic NCCI table"
    )
    bench_validate.add_argument("--json", action="store_true")
    bench_validate.set_defaults(handler=cmd_bench_validate)
    bench_export = bench_verbs.add_parser("export", help="CMS-1500 and query letter speed")
    bench_export.add_argument("--json", action="store_true")
    bench_export.set_defaults(handler=cmd_bench_export)
    bench_ui = bench_verbs.add_parser(
        "ui", help="launch, keystroke-to-results and PDF opening times (offscreen)"
    )
    bench_ui.add_argument("--json", action="store_true")
    bench_ui.set_defaults(handler=cmd_bench_ui)
