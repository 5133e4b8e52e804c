"""Migration 0009: a staged upload remembers the date format its dry run read it with. Rows
staged before it (no format) are applied as ``auto``, the default they were read with; the
downgrade drops the column and keeps the rows."""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import inspect, text

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR, Actor
from planbridge.db.session import Database
from planbridge.imports import staging
from planbridge.imports.dates import DateFormat
from planbridge.projects import service as projects
from planbridge.schema import migrate
from tests.conftest import T0

EMAIL = "ada@example.com"


def _admin_and_project(database: Database) -> tuple[Actor, str]:
    with database.transaction() as session:
        accounts.create_account(
            session,
            OPERATOR,
            email=EMAIL,
            name="Ada Admin",
            organisation="O",
            password="correct horse battery staple",
            now=T0,
            link_hours=72,
        )
        user = projects.get_user(session, EMAIL)
        project = projects.create_project(session, name="Old", code="OLD1", organisation="O")
        projects.add_member(session, project, user, "admin")
        return Actor(label=EMAIL, user_id=user.id, via="web"), project.code


def _downgrade(database: Database, revision: str) -> None:
    """As ``migrate.upgrade`` does it: on a connection of ours (closed after), not Alembic's."""
    config = migrate.alembic_config(database.engine)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _columns(database: Database) -> set[str]:
    return {c["name"] for c in inspect(database.engine).get_columns("staged_imports")}


def test_an_upload_staged_before_0009_is_applied_as_auto(fresh_database_url):
    database = Database.from_url(fresh_database_url())
    try:
        migrate.upgrade(database.engine, "0008")
        admin, code = _admin_and_project(database)
        assert "date_format" not in _columns(database)
        with database.transaction() as session:
            project = projects.get_project(session, code)
            session.execute(
                text(
                    "INSERT INTO staged_imports (key_sha256, project_id, user_id, filename, "
                    "p6_project, data, created_at) VALUES (:k, :p, :u, 'plan.csv', NULL, :d, :t)"
                ),
                {
                    "k": hashlib.sha256(b"old-key").hexdigest(),
                    "p": project.id,
                    "u": admin.user_id,
                    "d": b"external_id,name\n",
                    "t": T0,
                },
            )
        migrate.upgrade(database.engine)
        assert "date_format" in _columns(database)
        with database.transaction() as session:
            project = projects.get_project(session, code)
            upload = staging.take(session, project, admin, "old-key", now=T0)
        assert upload == staging.Staged(b"external_id,name\n", "plan.csv", None, DateFormat.auto)
    finally:
        database.dispose()


def test_the_date_format_is_kept_and_the_downgrade_drops_only_the_column(fresh_database_url):
    database = Database.from_url(fresh_database_url())
    try:
        migrate.upgrade(database.engine)
        admin, code = _admin_and_project(database)
        staged = staging.Staged(b"external_id,name\n", "plan.csv", None, DateFormat.mdy)
        with database.transaction() as session:
            project = projects.get_project(session, code)
            first = staging.stage(session, project, admin, staged, now=T0)
            second = staging.stage(session, project, admin, staged, now=T0)
        with database.transaction() as session:
            project = projects.get_project(session, code)
            assert staging.take(session, project, admin, first, now=T0) == staged

        _downgrade(database, "0008")
        assert "date_format" not in _columns(database)
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM staged_imports")) == 1
        migrate.upgrade(database.engine)
        with database.transaction() as session:
            project = projects.get_project(session, code)
            again = staging.take(session, project, admin, second, now=T0)
        assert again.date_format is DateFormat.auto, "the downgrade forgot it; auto is the default"
    finally:
        database.dispose()
