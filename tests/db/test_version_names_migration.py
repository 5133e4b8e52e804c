"""Migration 0006: versions of one project that shared a name are renamed, then names are
unique per project."""

from __future__ import annotations

from sqlalchemy import text

from planbridge.db.session import Database
from planbridge.projects import service as projects
from planbridge.schema import migrate
from tests.conftest import T0


def test_migration_renames_existing_duplicate_names_before_making_them_unique(
    fresh_database_url,
):
    database = Database.from_url(fresh_database_url())
    try:
        migrate.upgrade(database.engine, "0005")
        with database.transaction() as session:
            project = projects.create_project(session, name="Old", code="OLD1", organisation="O")
            pid = project.id
        with database.engine.begin() as connection:
            for number, name in [(1, "Week 47 2026"), (2, "Week 47 2026"), (3, "Other")]:
                connection.execute(
                    text(
                        "INSERT INTO versions (project_id, number, name, published_at, "
                        "published_by, task_count) VALUES (:p, :n, :name, :t, 'op', 0)"
                    ),
                    {"p": pid, "n": number, "name": name, "t": T0},
                )
        migrate.upgrade(database.engine)
        with database.engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM versions ORDER BY number")).all()
        assert [n for (n,) in names] == ["Week 47 2026", "Week 47 2026 (#2)", "Other"]
    finally:
        database.dispose()
