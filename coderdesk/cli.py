# SPDX-License-Identifier: GPL-3.0-or-later
"""The `coderdesk` command: no arguments opens the GUI; subcommands run headless.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 bad usage.
Passphrases come from an interactive prompt, or from `CODERDESK_PASSPHRASE` (and
`CODERDESK_NEW_PASSPHRASE` for a new one) in scripts and tests.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from coderdesk import __version__
from coderdesk.cli_codes import add_parsers as add_code_parsers
from coderdesk.core.errors import CoderDeskError, UsageError
from coderdesk.core.hardening import disable_core_dumps
from coderdesk.core.logs import configure_logging, safe_traceback

PASSPHRASE_ENV = "CODERDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "CODERDESK_NEW_PASSPHRASE"

_log = logging.getLogger("coderdesk.cli")
Handler = Callable[[argparse.Namespace], int]


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"No terminal to ask for a passphrase: set {PASSPHRASE_ENV}.")
    return getpass.getpass(prompt)


def current_passphrase() -> str:
    """The passphrase of an existing workspace: environment or prompt."""
    return os.environ.get(PASSPHRASE_ENV) or _ask("Passphrase: ")


def new_passphrase(env_var: str) -> tuple[str, str]:
    """A new passphrase and its confirmation: environment (taken as confirmed) or prompts."""
    from_env = os.environ.get(env_var)
    if from_env:
        return from_env, from_env
    return _ask("New passphrase: "), _ask("Confirm new passphrase: ")


# -- workspace commands ----------------------------------------------------------------


def _cmd_create(args: argparse.Namespace) -> int:
    from coderdesk.core.store.workspace import Workspace

    passphrase, confirmation = new_passphrase(PASSPHRASE_ENV)
    Workspace.create(args.path, passphrase, confirmation).close()
    _say(f"Created encrypted workspace {args.path}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from coderdesk.core.files import cloud_sync_folder, is_private_dir
    from coderdesk.core.store import audit
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(args.path, current_passphrase())
    try:
        with workspace.session() as session:
            verdict = audit.verify(session)
    finally:
        workspace.close()
    _say("Encryption and integrity checks: ok")
    _say(f"Audit trail: {verdict.events} events, {verdict.reason}")
    folder = Path(args.path).expanduser().absolute().parent
    if not is_private_dir(folder):
        _say(f"Warning: the folder {folder} can be read by other users (expected mode 0700)")
    if cloud_sync_folder(folder):
        _say("Warning: the folder is synchronised to a cloud service")
    return 0 if verdict.intact else 1


def _cmd_backup(args: argparse.Namespace) -> int:
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(args.path, current_passphrase())
    try:
        written = workspace.backup(args.destination)
    finally:
        workspace.close()
    _say(f"Encrypted backup written to {written}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from coderdesk.core.store.workspace import restore_backup

    kept = restore_backup(args.backup, args.path, current_passphrase())
    _say(f"Restored {args.path} from {args.backup}")
    if kept is not None:
        _say(f"The replaced workspace was kept as {kept}")
    return 0


def _cmd_passwd(args: argparse.Namespace) -> int:
    from coderdesk.core.store.workspace import Workspace

    current = current_passphrase()
    new, confirmation = new_passphrase(NEW_PASSPHRASE_ENV)
    workspace = Workspace.unlock(args.path, current)
    try:
        workspace.change_passphrase(current, new, confirmation)
    finally:
        workspace.close()
    _say("Passphrase changed.")
    return 0


def _cmd_verify_audit(args: argparse.Namespace) -> int:
    from coderdesk.core.store import audit
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(args.path, current_passphrase())
    try:
        with workspace.session() as session:
            verdict = audit.verify(session)
    finally:
        workspace.close()
    if verdict.intact:
        _say(f"Audit trail intact: {verdict.events} events.")
        return 0
    _say(f"Audit trail broken at event {verdict.broken_at}: {verdict.reason}.")
    return 1


# -- demo and GUI -----------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    from coderdesk.core.demo import DEMO_PASSPHRASE, ensure_demo_workspace

    path = ensure_demo_workspace()
    _say(f"Demo workspace: {path}")
    _say(f"Demo passphrase: {DEMO_PASSPHRASE}")
    if args.no_gui:
        return 0
    return _run_gui(path, demo=True)


def _cmd_gui(args: argparse.Namespace) -> int:
    return _run_gui(args.path, demo=False)


def _run_gui(path: Path | None, *, demo: bool) -> int:
    try:
        from coderdesk.ui.app import run_gui
    except ImportError as exc:
        raise UsageError(
            "The graphical interface needs PySide6 and Qt's system libraries: "
            "see the README's set-up section."
        ) from exc
    return run_gui(path, demo=demo)


def _cmd_claim_import(args: argparse.Namespace) -> int:
    from coderdesk.core.services.claims import ClaimService
    from coderdesk.core.store.workspace import Workspace

    try:
        data = json.loads(Path(args.claim).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {args.claim}: {exc.strerror}.") from None
    except ValueError as exc:
        raise UsageError(f"{Path(args.claim).name} is not valid JSON: {exc}.") from None
    workspace = Workspace.unlock(args.path, current_passphrase())
    try:
        encounter_id = ClaimService(workspace).from_claim(data)
    finally:
        workspace.close()
    _say(f"Imported as encounter {encounter_id}")
    return 0


def _cmd_claim_export(args: argparse.Namespace) -> int:
    from coderdesk.core.files import write_private_json
    from coderdesk.core.services.claims import ClaimService
    from coderdesk.core.store.workspace import Workspace

    workspace = Workspace.unlock(args.path, current_passphrase())
    try:
        data = ClaimService(workspace).to_claim(args.encounter)
    finally:
        workspace.close()
    if args.output is None:
        _say(json.dumps(data, indent=2))
    else:
        write_private_json(args.output, data)
        _say(f"Claim written to {args.output}")
    return 0


# -- parser ---------------------------------------------------------------------------


def _claim_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    claim = commands.add_parser("claim", help="encounters to and from claim JSON")
    actions = claim.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="add a claim JSON file as a new encounter")
    imp.add_argument("path", type=Path, metavar="PATH", help="workspace file")
    imp.add_argument("claim", type=Path, metavar="CLAIM.json")
    imp.set_defaults(handler=_cmd_claim_import)
    exp = actions.add_parser("export", help="write an encounter as claim JSON")
    exp.add_argument("path", type=Path, metavar="PATH", help="workspace file")
    exp.add_argument("encounter", type=int, metavar="ENCOUNTER", help="encounter number")
    exp.add_argument("-o", "--output", type=Path, metavar="OUT.json", help="default: stdout")
    exp.set_defaults(handler=_cmd_claim_export)


def _workspace_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    workspace = commands.add_parser("workspace", help="create, check and maintain workspaces")
    actions = workspace.add_subparsers(dest="action", required=True, metavar="ACTION")
    simple: list[tuple[str, str, Handler]] = [
        ("create", "create a new encrypted workspace", _cmd_create),
        ("check", "unlock and run the integrity checks", _cmd_check),
        ("passwd", "change the passphrase (re-encrypts the file)", _cmd_passwd),
        ("verify-audit", "verify the hash chain of the audit trail", _cmd_verify_audit),
    ]
    for name, help_text, handler in simple:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("path", type=Path, metavar="PATH", help="workspace file")
        sub.set_defaults(handler=handler)
    backup = actions.add_parser("backup", help="write an encrypted backup copy atomically")
    backup.add_argument("path", type=Path, metavar="PATH", help="workspace file")
    backup.add_argument("destination", type=Path, metavar="BACKUP", help="backup file to write")
    backup.set_defaults(handler=_cmd_backup)
    restore = actions.add_parser("restore", help="replace a workspace by a backup")
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="backup file to restore")
    restore.add_argument("path", type=Path, metavar="PATH", help="workspace file to replace")
    restore.set_defaults(handler=_cmd_restore)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to document the CLI)."""
    parser = argparse.ArgumentParser(
        prog="coderdesk",
        description="CoderDesk, the offline medical coding workstation. "
        "Without a command, opens the graphical interface.",
    )
    parser.add_argument("--version", action="version", version=f"coderdesk {__version__}")
    parser.set_defaults(handler=_cmd_gui, path=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _workspace_parser(commands)
    _claim_parser(commands)
    demo = commands.add_parser("demo", help="create (once) and open the demo workspace")
    demo.add_argument("--no-gui", action="store_true", help="create the demo, do not open it")
    demo.set_defaults(handler=_cmd_demo)
    gui = commands.add_parser("gui", help="open the graphical interface")
    gui.add_argument("path", type=Path, nargs="?", metavar="PATH", help="workspace to open")
    gui.set_defaults(handler=_cmd_gui)
    add_code_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    disable_core_dumps()
    args = build_parser().parse_args(argv)
    log_file = configure_logging()
    try:
        return int(args.handler(args))
    except CoderDeskError as exc:
        sys.stderr.write(f"coderdesk: {exc.user_message}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("coderdesk: interrupted\n")
        return 1
    except Exception as exc:
        _log.error("unexpected error\n%s", safe_traceback(type(exc), exc.__traceback__))
        sys.stderr.write(
            f"coderdesk: unexpected error ({type(exc).__name__}); details in {log_file}\n"
        )
        return 1
