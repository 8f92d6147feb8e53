"""Alembic migrations: every table is created and changed here, never by create_all()."""
