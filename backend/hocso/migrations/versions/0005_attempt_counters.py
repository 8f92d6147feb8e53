"""attempt counters in the database; phones stored with the trunk 0 after +84 folded

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempt_counter",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    with op.batch_alter_table("attempt_counter", schema=None) as batch_op:
        batch_op.create_index("ix_attempt_counter_window_start", ["window_start"], unique=False)
    # The old normaliser kept "+840912345678" as typed; today's folds it to "+84912345678". Fold stored ones
    # unless that would collide with an account that already has the folded number.
    op.execute(
        "UPDATE user_account SET phone = '+84' || substr(phone, 5) "
        "WHERE phone LIKE '+840%' AND NOT EXISTS "
        "(SELECT 1 FROM user_account other WHERE other.phone = '+84' || substr(user_account.phone, 5))"
    )


def downgrade() -> None:
    with op.batch_alter_table("attempt_counter", schema=None) as batch_op:
        batch_op.drop_index("ix_attempt_counter_window_start")

    op.drop_table("attempt_counter")
