"""claimed_at: the time a phone gave for an attempt or lesson, kept beside the time it counts at

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before this came with a time that was believed as sent; they have no other claim to keep.
    for table in ("attempt", "progress_event"):
        op.add_column(table, sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("attempt", "progress_event"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("claimed_at")
