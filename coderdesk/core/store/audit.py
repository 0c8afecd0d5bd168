# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit trail: who did what to which record, hash-chained so tampering shows.

Each event's hash covers its own fields and the previous event's hash; the head (last id
and hash) is kept in `workspace_meta` in the same transaction, so editing, deleting or
truncating events is found at the row where the chain first breaks. Events carry ids and
kinds, never PHI text.
"""

from __future__ import annotations

import datetime as dt
import enum
import getpass
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from coderdesk.core.store.models import AuditEvent, WorkspaceMeta

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

GENESIS_HASH = "0" * 64
_HEAD_KEY = "audit_head"


class AuditAction(enum.StrEnum):
    """What was done to a record."""

    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    PRINT = "print"
    UNLOCK = "unlock"
    LOCK = "lock"
    REKEY = "rekey"
    BACKUP = "backup"
    RESTORE = "restore"


def default_actor() -> str:
    """The operating-system login, used as the actor until the workspace names a user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _utc_timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    prev_hash: str,
    event_id: int,
    occurred_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
) -> str:
    """The SHA-256 chaining hash of one event's fields after its predecessor's hash."""
    fields = (prev_hash, str(event_id), occurred_at, actor, action, object_type, object_id)
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def event_row_hash(event: AuditEvent) -> str:
    """The chaining hash an event row should carry, from its stored fields."""
    return event_hash(
        event.prev_hash,
        event.id,
        event.occurred_at,
        event.actor,
        event.action,
        event.object_type,
        event.object_id,
    )


def _read_head(session: Session) -> tuple[int, str]:
    meta = session.get(WorkspaceMeta, _HEAD_KEY)
    if meta is None:
        return 0, GENESIS_HASH
    last_id, _, last_hash = meta.value.partition(":")
    return int(last_id), last_hash


def _write_head(session: Session, last_id: int, last_hash: str) -> None:
    value = f"{last_id}:{last_hash}"
    meta = session.get(WorkspaceMeta, _HEAD_KEY)
    if meta is None:
        session.add(WorkspaceMeta(key=_HEAD_KEY, value=value))
    else:
        meta.value = value


def record(
    session: Session,
    action: AuditAction,
    object_type: str,
    object_id: object,
    actor: str,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits with the change it records)."""
    last_id, last_hash = _read_head(session)
    event = AuditEvent(
        id=last_id + 1,
        occurred_at=_utc_timestamp(),
        actor=actor,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        prev_hash=last_hash,
    )
    event.hash = event_row_hash(event)
    session.add(event)
    _write_head(session, event.id, event.hash)
    return event


@dataclass(frozen=True)
class AuditVerdict:
    """The result of walking the chain: intact, or the first event id where it breaks."""

    events: int
    broken_at: int | None
    reason: str

    @property
    def intact(self) -> bool:
        """True when every link and the head agree."""
        return self.broken_at is None


def _check_event(event: AuditEvent, expected_id: int, prev_hash: str) -> str:
    if event.id != expected_id:
        return f"event {expected_id} is missing"
    if event.prev_hash != prev_hash:
        return "link to the previous event does not match"
    if event.hash != event_row_hash(event):
        return "event content does not match its hash"
    return ""


def verify(session: Session) -> AuditVerdict:
    """Walk the whole chain in id order; report the first broken link."""
    prev_hash, expected_id, count = GENESIS_HASH, 1, 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        problem = _check_event(event, expected_id, prev_hash)
        if problem:
            return AuditVerdict(count, expected_id, problem)
        prev_hash, expected_id, count = event.hash, expected_id + 1, count + 1
    head_id, head_hash = _read_head(session)
    if (head_id, head_hash) != (count, prev_hash if count else GENESIS_HASH):
        return AuditVerdict(count, count + 1, "events after this point were removed")
    return AuditVerdict(count, None, "intact")
