"""rollup changes appended by writers and folded in by the job runner (no nationwide hot row)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_rollup_delta",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("module_slug", sa.String(length=64), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("goal_met", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency_rollup_delta", schema=None) as batch_op:
        batch_op.create_index("ix_agency_rollup_delta_agency", ["agency_id"], unique=False)


def downgrade() -> None:
    # What is not folded yet goes into the rollups first, so the counts stay right without this table.
    for table, keys, column, where in (
        ("agency_rollup", "agency_id", "members", "members <> 0"),
        ("agency_year_rollup", "agency_id, year", "goal_met", "year IS NOT NULL AND goal_met <> 0"),
        ("agency_module_rollup", "agency_id, module_slug, year", "completed", "module_slug IS NOT NULL AND completed <> 0"),
    ):
        op.execute(
            f"INSERT INTO {table} ({keys}, {column}) SELECT {keys}, SUM({column}) FROM agency_rollup_delta "
            f"WHERE {where} GROUP BY {keys} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {column} = {table}.{column} + excluded.{column}"
        )
    with op.batch_alter_table("agency_rollup_delta", schema=None) as batch_op:
        batch_op.drop_index("ix_agency_rollup_delta_agency")
    op.drop_table("agency_rollup_delta")
