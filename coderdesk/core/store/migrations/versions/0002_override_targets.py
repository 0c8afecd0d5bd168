# SPDX-License-Identifier: GPL-3.0-or-later
"""Overrides remember the codes and lines of the finding they answer.

Revision ID: 0002_override_targets
Revises: 0001_initial
Create Date: 2026-11-27 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_override_targets"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("overrides") as batch:
        batch.add_column(sa.Column("codes", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("lines", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("overrides") as batch:
        batch.drop_column("lines")
        batch.drop_column("codes")
