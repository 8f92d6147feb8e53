"""roles as rows: (user, agency or none, kind) with who granted them, replacing the role names on the account

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS = ("sysadmin", "content_admin", "agency_admin", "helper")
role_kind = sa.Enum(*KINDS, name="rolekind", native_enum=False, length=20)

users = sa.table(
    "user_account",
    sa.column("id", sa.Uuid()),
    sa.column("roles", sa.String()),
    sa.column("agency_id", sa.Integer()),
    sa.column("admin_agency_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
roles = sa.table(
    "role",
    sa.column("user_id", sa.Uuid()),
    sa.column("agency_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("granted_by", sa.Uuid()),
    sa.column("granted_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("kind", role_kind, nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "agency_id", "kind", name="uq_role_user_agency_kind"),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_user_id"), ["user_id"], unique=False)

    # Every stored role name becomes a row. learner (everyone) and civil_servant (anyone with an agency) are
    # derived from now on; an agency_admin's row covers the subtree the account named; an agency_admin
    # without one managed nothing and gets no row.
    conn = op.get_bind()
    rows = []
    for uid, names, admin_of, created in conn.execute(
        sa.select(users.c.id, users.c.roles, users.c.admin_agency_id, users.c.created_at)
    ):
        for name in dict.fromkeys(n.strip() for n in (names or "").split(",")):
            if name in ("sysadmin", "content_admin"):
                rows.append({"user_id": uid, "agency_id": None, "kind": name, "granted_by": None, "granted_at": created})
            elif name == "agency_admin" and admin_of is not None:
                rows.append({"user_id": uid, "agency_id": admin_of, "kind": name, "granted_by": None, "granted_at": created})
    for start in range(0, len(rows), 1000):
        conn.execute(roles.insert(), rows[start : start + 1000])

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("fk_user_account_admin_agency_id_agency", type_="foreignkey")
        batch_op.drop_column("admin_agency_id")
        batch_op.drop_column("roles")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roles", sa.String(length=200), nullable=False, server_default="learner"))
        batch_op.add_column(sa.Column("admin_agency_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_user_account_admin_agency_id_agency", "agency", ["admin_agency_id"], ["id"])
    conn = op.get_bind()
    held: dict = {}
    for uid, agency_id, kind in conn.execute(
        sa.select(roles.c.user_id, roles.c.agency_id, roles.c.kind).order_by(roles.c.granted_at)
    ):
        names, admin_of = held.get(uid, ([], None))
        if kind == "agency_admin" and admin_of is None:
            admin_of = agency_id  # the old column held one subtree: the first granted
        held[uid] = ([*names, kind], admin_of)
    for uid, agency_id in conn.execute(sa.select(users.c.id, users.c.agency_id)).all():
        names, admin_of = held.get(uid, ([], None))
        names = ["learner", *(["civil_servant"] if agency_id is not None else []), *names]
        conn.execute(
            users.update().where(users.c.id == uid).values(roles=",".join(dict.fromkeys(names)), admin_agency_id=admin_of)
        )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_user_id"))
        batch_op.drop_index(batch_op.f("ix_role_agency_id"))
    op.drop_table("role")
