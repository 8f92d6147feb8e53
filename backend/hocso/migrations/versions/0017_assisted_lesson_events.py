"""a lesson event sent in an assisted session says so

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_session_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_event", schema=None) as batch_op:
        batch_op.drop_column("assisted_session_id")
