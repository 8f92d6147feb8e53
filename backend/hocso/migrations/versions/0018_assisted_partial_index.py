"""the index of completions by assisted session holds only completions made in one

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 05:50:00

With every row in it, nearly all of them NULL, SQLite's planner (after ANALYZE) judged the index useless and
scanned all of module_progress for an agency's count of assisted completions: 2-3 s per stats page at
20,000,000 completions instead of milliseconds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WHERE = sa.text("assisted_session_id IS NOT NULL")


def upgrade() -> None:
    # Plain index operations, not batch mode: nothing here needs SQLite's table rebuild.
    op.drop_index("ix_module_progress_assisted_session_id", table_name="module_progress")
    op.create_index(
        "ix_module_progress_assisted",
        "module_progress",
        ["assisted_session_id"],
        unique=False,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_module_progress_assisted", table_name="module_progress")
    op.create_index("ix_module_progress_assisted_session_id", "module_progress", ["assisted_session_id"], unique=False)
