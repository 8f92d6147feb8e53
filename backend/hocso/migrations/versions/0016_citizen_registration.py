"""a helper's registration of a citizen with a phone or email waits for the code sent there

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "citizen_registration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("consent_version", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["helper_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("citizen_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizen_registration_helper_id"), ["helper_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citizen_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizen_registration_helper_id"))
    op.drop_table("citizen_registration")
