"""Shared fixtures: a real database (SQLite file, or a fresh PostgreSQL database per run), the
app in-process over HTTP, a settable clock, and small builders for projects and tokens.

Choose the database with ``PLANBRIDGE_TEST_DB``: ``sqlite`` (default) or ``postgresql`` (a new
database on ``PLANBRIDGE_TEST_PG``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
created for this run and dropped after it). Tests that touch the database are marked ``db``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from planbridge.actors import OPERATOR, Actor
from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from planbridge.schema import migrate
from planbridge.schema.models import Base
from planbridge.settings import Settings, load_settings

T0 = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "db: uses the database (runs on SQLite and PostgreSQL)")


@pytest.fixture(scope="session", autouse=True)
def _default_data_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The default database location (``$XDG_DATA_HOME/planbridge``) of every command and
    process a test starts is in this run's temporary folder, never the user's own."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind = os.environ.get("PLANBRIDGE_TEST_DB", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if kind != "postgresql":
        raise pytest.UsageError("PLANBRIDGE_TEST_DB must be sqlite or postgresql")
    server = make_url(
        os.environ.get("PLANBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    name = f"planbridge_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def db(_migrated: Database) -> Iterator[Database]:
    """The migrated database, emptied after each test."""
    yield _migrated
    _empty(_migrated)


def _empty(database: Database) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


class Clock:
    """A settable clock for the app and services (time, not our code, is the test double)."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        return load_settings(database_url=database_url, _env_file=None, **overrides)

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def make_client(
    db: Database, clock: Clock, make_settings: Callable[..., Settings]
) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides), db=db, clock=clock))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@dataclass
class FeedProject:
    project: Project
    token: str
    admin: Actor

    @property
    def url(self) -> str:
        return f"/power-bi/v1/{self.project.api_id}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def issue_token(db: Database, project: Project, now: dt.datetime, days: int | None = None) -> str:
    with db.transaction() as session:
        issued = integrations.create_token(
            session,
            project,
            OPERATOR,
            name="test token",
            days=days,
            max_days=90,
            default_days=90,
            now=now,
        )
    return issued.secret


@pytest.fixture
def make_project(db: Database, clock: Clock) -> Callable[..., FeedProject]:
    counter = iter(range(1, 1000))

    def build(*, tier: str = "pro", enabled: bool = True, code: str | None = None) -> FeedProject:
        n = next(counter)
        with db.transaction() as session:
            project = projects.create_project(
                session,
                name=f"Project {n} – Zürich Süd",
                code=code or f"P{n:03d}",
                organisation="Test Org",
                timezone="Europe/Zurich",
                tier=tier,
            )
            user = projects.create_user(
                session, email=f"admin{n}@example.com", name=f"Admin {n}", organisation="Test Org"
            )
            projects.add_member(session, project, user, "admin")
            if enabled:
                integrations.set_integration(session, project, OPERATOR, enabled=True)
            admin = Actor(label=user.email, user_id=user.id)
        return FeedProject(project=project, token=issue_token(db, project, clock.now), admin=admin)

    return build


REPO = Path(__file__).resolve().parents[1]
