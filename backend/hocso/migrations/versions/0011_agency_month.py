"""agency_month: each agency's figures at the end of each month, for the lagging units' trends

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_month",
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agency.id", ondelete="CASCADE"), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("goal_met", sa.Integer(), nullable=False),
        sa.Column("required_completed", sa.Integer(), nullable=False),
        sa.Column("required_total", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "month"),
    )
    op.create_index("ix_agency_month_month", "agency_month", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_agency_month_month", table_name="agency_month")
    op.drop_table("agency_month")
