# SPDX-License-Identifier: GPL-3.0-or-later
"""What every service shares: the workspace it works on and the audit call."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from coderdesk.core.errors import NotFound
from coderdesk.core.store import audit
from coderdesk.core.store.models import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from coderdesk.core.store.audit import AuditAction
    from coderdesk.core.store.workspace import Workspace

ModelT = TypeVar("ModelT", bound=Base)


class WorkspaceService:
    """Base of the services: holds the workspace, writes audit events in the same unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def _audit(
        self, session: Session, action: AuditAction, object_type: str, object_id: object
    ) -> None:
        audit.record(session, action, object_type, object_id, self.workspace.actor)


def get_or_raise(session: Session, model: type[ModelT], key: object, what: str) -> ModelT:
    """Load one row by primary key or raise `NotFound` naming what was asked for."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} {key} does not exist in this workspace.")
    return row
