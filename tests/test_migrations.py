"""Migrations are the only way tables are made: they go up and down cleanly and match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from hocso import models  # noqa: F401
from hocso.core.db import make_engine
from hocso.core.migrate import alembic_config, upgrade


def test_migrations_match_the_models_and_downgrade_to_nothing_and_back(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    cfg = alembic_config(database_url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        conn.commit()
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    engine.dispose()


def test_phones_stored_with_the_trunk_zero_after_84_are_folded_unless_taken(database_url):
    import uuid

    from sqlalchemy import text

    engine = make_engine(database_url)
    cfg = alembic_config(database_url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.commit()
    rows = {"+840912345678": None, "+840987654321": None, "+84987654321": None}
    with engine.begin() as conn:
        for phone in rows:
            rows[phone] = uuid.uuid4()
            conn.execute(
                text(
                    "INSERT INTO user_account (id, phone, full_name, roles, created_at) "
                    "VALUES (:id, :phone, 'x', 'learner', CURRENT_TIMESTAMP)"
                ),
                {"id": rows[phone].hex if engine.dialect.name == "sqlite" else rows[phone], "phone": phone},
            )
    upgrade(engine)
    with engine.connect() as conn:
        phones = sorted(r[0] for r in conn.execute(text("SELECT phone FROM user_account")))
    # The first is folded; the second would collide with an account that has the folded number, so it stays.
    assert phones == ["+840987654321", "+84912345678", "+84987654321"]
    engine.dispose()


def test_people_imported_without_a_name_key_are_found_by_name_after_the_upgrade(database_url):
    import uuid

    from sqlalchemy import text

    engine = make_engine(database_url)
    cfg = alembic_config(database_url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011")
        conn.commit()
    person = uuid.uuid4()
    with engine.begin() as conn:
        # As a staff import inserted people before it set the key.
        conn.execute(
            text(
                "INSERT INTO user_account (id, email, full_name, roles, created_at) "
                "VALUES (:id, 'dao@example.vn', 'Nguyễn Thị Đào', 'learner', CURRENT_TIMESTAMP)"
            ),
            {"id": person.hex if engine.dialect.name == "sqlite" else person},
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name_key FROM user_account")).scalar() == "nguyen thi dao"
    engine.dispose()


def test_role_names_on_accounts_become_role_rows_and_go_back(database_url):
    """Every stored role survives the move to rows; civil_servant and learner are derived from then on."""
    import uuid

    from sqlalchemy import text

    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    cfg = alembic_config(database_url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
        conn.commit()
    ids = {name: uuid.uuid4() for name in ("admin", "root", "editor", "staff", "orphan")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agency (code, name, path, depth) VALUES ('HNI', 'Hà Nội', '/1/', 0)"))
        hni = conn.execute(text("SELECT id FROM agency WHERE code = 'HNI'")).scalar_one()
        for name, roles, admin_of, agency in [
            ("admin", "learner,agency_admin", hni, None),
            ("root", "learner,sysadmin", None, None),
            ("editor", "learner,civil_servant,content_admin", None, hni),
            ("staff", "learner,civil_servant", None, hni),
            ("orphan", "learner,agency_admin", None, None),  # an admin of nothing managed nothing
        ]:
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, full_name, roles, admin_agency_id, agency_id, created_at) "
                    "VALUES (:id, :email, :name, :roles, :admin_of, :agency, CURRENT_TIMESTAMP)"
                ),
                {
                    "id": ids[name].hex if sqlite else ids[name],
                    "email": f"{name}@example.vn",
                    "name": name,
                    "roles": roles,
                    "admin_of": admin_of,
                    "agency": agency,
                },
            )
        # Rows that point at the accounts stay when the accounts' table is rebuilt (SQLite drops and re-creates it).
        conn.execute(
            text(
                "INSERT INTO refresh_token (jti, family_id, user_id, issued_at, expires_at) "
                "VALUES ('j1', 'f1', :id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"id": ids["staff"].hex if sqlite else ids["staff"]},
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.email, r.kind, a.code FROM role r JOIN user_account u ON u.id = r.user_id "
                "LEFT JOIN agency a ON a.id = r.agency_id ORDER BY u.email"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("admin@example.vn", "agency_admin", "HNI"),
        ("editor@example.vn", "content_admin", None),
        ("root@example.vn", "sysadmin", None),
    ]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM refresh_token")).scalar_one() == 1
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
        conn.commit()
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT email, roles FROM user_account")).all())
    assert back == {
        "admin@example.vn": "learner,agency_admin",
        "root@example.vn": "learner,sysadmin",
        "editor@example.vn": "learner,civil_servant,content_admin",
        "staff@example.vn": "learner,civil_servant",
        "orphan@example.vn": "learner",
    }
    upgrade(engine)
    engine.dispose()
