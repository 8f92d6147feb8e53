"""community digital team helpers: citizens registered with consent, assisted sessions, assisted completions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_consent",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Uuid(), nullable=True),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["helper_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("citizen_consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_consent_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizen_consent_helper_id"), ["helper_id"], unique=False)

    op.create_table(
        "assisted_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("citizen_id", sa.Uuid(), nullable=False),
        sa.Column("helper_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["citizen_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["helper_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assisted_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assisted_session_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assisted_session_citizen_id"), ["citizen_id"], unique=False)

    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_session_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_session_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_module_progress_assisted_session_id"), ["assisted_session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("module_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_progress_assisted_session_id"))
        batch_op.drop_column("assisted_session_id")
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.drop_column("assisted_session_id")
    with op.batch_alter_table("assisted_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assisted_session_citizen_id"))
        batch_op.drop_index(batch_op.f("ix_assisted_session_agency_id"))
    op.drop_table("assisted_session")
    with op.batch_alter_table("citizen_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_consent_helper_id"))
        batch_op.drop_index(batch_op.f("ix_citizen_consent_agency_id"))
    op.drop_table("citizen_consent")
