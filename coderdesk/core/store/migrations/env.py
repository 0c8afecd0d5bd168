# SPDX-License-Identifier: GPL-3.0-or-later
"""Alembic environment: always runs on the already-keyed connection it is handed."""

from __future__ import annotations

from alembic import context

from coderdesk.core.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
