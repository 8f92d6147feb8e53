"""agencies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 13:10:39.305180
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        # "C" collation on PostgreSQL so that subtree range scans on path follow byte order.
        sa.Column("path", sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql"), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_agency_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_path"), ["path"], unique=False)

    op.create_table(
        "agency_module_rollup",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("agency_id", "module_slug", "year"),
    )
    with op.batch_alter_table("agency_module_rollup", schema=None) as batch_op:
        batch_op.create_index("ix_agency_module_rollup_agency_module", ["agency_id", "module_slug"], unique=False)

    op.create_table(
        "agency_rollup",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("agency_id"),
    )
    op.create_table(
        "agency_year_rollup",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("goal_met", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("agency_id", "year"),
    )
    op.create_table(
        "invitation",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["module_slug"],
            ["module.slug"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "module_slug"),
    )
    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requirement_agency_id"), ["agency_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("admin_agency_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_user_account_agency_id"), ["agency_id"], unique=False)
        batch_op.create_foreign_key("fk_user_account_admin_agency_id_agency", "agency", ["admin_agency_id"], ["id"])
        batch_op.create_foreign_key("fk_user_account_agency_id_agency", "agency", ["agency_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("fk_user_account_agency_id_agency", type_="foreignkey")
        batch_op.drop_constraint("fk_user_account_admin_agency_id_agency", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_user_account_agency_id"))
        batch_op.drop_column("admin_agency_id")
        batch_op.drop_column("agency_id")

    with op.batch_alter_table("requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_agency_id"))

    op.drop_table("requirement")
    op.drop_table("invitation")
    op.drop_table("agency_year_rollup")
    op.drop_table("agency_rollup")
    with op.batch_alter_table("agency_module_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_agency_module_rollup_agency_module")

    op.drop_table("agency_module_rollup")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_path"))
        batch_op.drop_index(batch_op.f("ix_agency_parent_id"))
        batch_op.drop_index(batch_op.f("ix_agency_code"))

    op.drop_table("agency")
