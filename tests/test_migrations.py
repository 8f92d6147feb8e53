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
