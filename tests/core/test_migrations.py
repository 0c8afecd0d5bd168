# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from coderdesk.core.store.migrate import current_revision, head_revision, upgrade_to_head
from coderdesk.core.store.models import Base

if TYPE_CHECKING:
    from coderdesk.core.store.workspace import Workspace


def test_migrated_schema_matches_the_models(workspace: Workspace) -> None:
    assert workspace.engine is not None
    with workspace.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert current_revision(conn) == head_revision()
    assert differences == []


def test_upgrade_is_idempotent(workspace: Workspace) -> None:
    assert workspace.engine is not None
    assert upgrade_to_head(workspace.engine) is False
