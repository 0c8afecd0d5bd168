# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries remember their reminders and escalations; payers their programme.

Revision ID: 0003_query_escalation
Revises: 0002_override_targets
Create Date: 2026-11-27 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_query_escalation"
down_revision = "0002_override_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("provider_queries") as batch:
        batch.add_column(
            sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("escalated_to", sa.String(length=120), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("first_due_date", sa.Date(), nullable=True))
    with op.batch_alter_table("payers") as batch:
        batch.add_column(
            sa.Column("program", sa.String(length=10), nullable=False, server_default="other")
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("payers") as batch:
        batch.drop_column("program")
    with op.batch_alter_table("provider_queries") as batch:
        batch.drop_column("first_due_date")
        batch.drop_column("escalated_to")
        batch.drop_column("escalated_at")
        batch.drop_column("escalation_level")
