"""imported people's name_key: a staff import inserted them without it, so searching the members list missed them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hocso.core.textfold import fold

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    users = sa.table(
        "user_account", sa.column("id", sa.Uuid()), sa.column("full_name", sa.String()), sa.column("name_key", sa.String())
    )
    rows = conn.execute(sa.select(users.c.id, users.c.full_name).where(users.c.name_key == "", users.c.full_name != "")).all()
    for start in range(0, len(rows), 1000):
        conn.execute(
            users.update().where(users.c.id == sa.bindparam("uid")).values(name_key=sa.bindparam("key")),
            [{"uid": r.id, "key": fold(r.full_name or "")[:200]} for r in rows[start : start + 1000]],
        )


def downgrade() -> None:
    pass  # the keys are right whichever revision reads them
