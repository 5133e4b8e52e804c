"""Alembic is the only way the schema is made, and it matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from planbridge.schema import migrate
from planbridge.schema.models import Base


def test_database_at_head_has_no_autogenerate_diff(db):
    assert migrate.is_up_to_date(db.engine)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_model_table_exists_after_upgrade(db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_creates_a_fresh_sqlite_database_in_wal_mode(tmp_path):
    from planbridge.db.session import Database

    database = Database.from_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert migrate.current_revision(database.engine) is None
    migrate.upgrade(database.engine)
    assert migrate.is_up_to_date(database.engine)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
