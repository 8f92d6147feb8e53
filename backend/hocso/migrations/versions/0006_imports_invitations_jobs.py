"""imports: who an import created, agency invitations, the job table

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_import", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Accounts that exist now and were never signed into (no password) came from an import.
    op.execute("UPDATE user_account SET created_by_import = true WHERE password_hash IS NULL")

    # The audit trail keeps counts, not file names (which can name people).
    conn = op.get_bind()
    audit = sa.table("audit_event", sa.column("id", sa.Integer()), sa.column("detail", sa.JSON()))
    for row in conn.execute(sa.select(audit.c.id, audit.c.detail)).all():
        if isinstance(row.detail, dict) and "file" in row.detail:
            detail = {k: v for k, v in row.detail.items() if k != "file"}
            conn.execute(audit.update().where(audit.c.id == row.id).values(detail=detail))

    op.create_table(
        "agency_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agency_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_invitation_user_id"), ["user_id"], unique=False)

    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index("ix_job_status_run_after", ["status", "run_after"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index("ix_job_status_run_after")
    op.drop_table("job")
    with op.batch_alter_table("agency_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_invitation_user_id"))
    op.drop_table("agency_invitation")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("created_by_import")
