# SPDX-License-Identifier: GPL-3.0-or-later
"""Start-up guards of every connection (SECURITY 2 and 7): key first, hardened settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import sqlcipher3

from coderdesk.core.store import engine as cipher
from coderdesk.core.store.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def test_every_guard_holds_on_an_unlocked_workspace(workspace: Workspace) -> None:
    assert workspace.engine is not None
    with workspace.engine.connect() as conn:
        guards = cipher.read_guards(conn.connection.dbapi_connection)
    assert guards.synchronous >= cipher.SYNCHRONOUS_FULL
    assert guards.temp_store == cipher.TEMP_STORE_MEMORY
    assert guards.cipher_memory_security
    assert guards.cipher_use_hmac
    assert guards.kdf_iterations >= 256_000
    assert guards.foreign_keys
    assert guards.problems() == []


def test_extension_loading_is_off(workspace: Workspace) -> None:
    assert workspace.engine is not None
    with workspace.engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        with pytest.raises(sqlcipher3.OperationalError):
            dbapi.execute("SELECT load_extension('/nonexistent/libevil')").fetchall()


def test_key_is_the_first_statement(
    workspace: Workspace, workspace_path: Path, passphrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace.close()
    statements: list[str] = []
    real_open = cipher._open_dbapi

    def traced_open(path: Path, create: bool) -> Any:
        conn = real_open(path, create)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(cipher, "_open_dbapi", traced_open)
    Workspace.unlock(workspace_path, passphrase).close()
    assert statements, "no statement was traced"
    assert statements[0].lower().startswith("pragma key")


@pytest.mark.parametrize(
    ("pragma", "problem"),
    [
        ("PRAGMA synchronous = NORMAL", "synchronous is below FULL"),
        ("PRAGMA temp_store = FILE", "temp_store is not MEMORY"),
    ],
)
def test_a_weakened_setting_refuses_the_connection(
    workspace: Workspace,
    workspace_path: Path,
    passphrase: str,
    monkeypatch: pytest.MonkeyPatch,
    pragma: str,
    problem: str,
) -> None:
    workspace.close()
    monkeypatch.setattr(cipher, "_SESSION_PRAGMAS", (*cipher._SESSION_PRAGMAS, pragma))
    with pytest.raises(cipher.GuardViolation, match=problem):
        Workspace.unlock(workspace_path, passphrase)


def test_guard_problems_name_each_shortfall() -> None:
    weak = cipher.Guards(
        synchronous=1,
        temp_store=1,
        cipher_memory_security=False,
        cipher_use_hmac=False,
        kdf_iterations=64_000,
        foreign_keys=False,
        journal_mode="delete",
    )
    assert len(weak.problems()) == 6
