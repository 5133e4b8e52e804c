"""A database made by the previous release, kept as data: every row of every table, as written
by PlanBridge 0.1.0 at schema revision 0002, plus the feed that release served from it.

``load`` writes the rows into a database migrated to ``RELEASE_REVISION`` through tables
reflected from that database (so only the columns the old schema has), on SQLite or PostgreSQL.
The file was generated once, with 0.1.0's code, by ``python -m tests.db.release_data --write``;
regenerating it with a later release would no longer test an upgrade, so do not.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, MetaData, text

from tests.conftest import REPO

RELEASE = "0.1.0"
RELEASE_REVISION = "0002"
FIXTURE = REPO / "tests" / "data" / f"release-{RELEASE}.json"
AT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode()}
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return {"datetime": aware.astimezone(dt.UTC).isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dict | list):
        return {"json": value}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (kind, raw), *_ = value.items()
    if kind == "b64":
        return base64.b64decode(raw)
    if kind == "datetime":
        return dt.datetime.fromisoformat(raw)
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "decimal":
        return decimal.Decimal(raw)
    return raw


def dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(engine)
    tables: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            rows = connection.execute(table.select()).mappings()
            tables[name] = [{str(k): _encode(v) for k, v in row.items()} for row in rows]
    return tables


def load(engine: Engine, tables: dict[str, list[dict[str, Any]]]) -> None:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # the rows are whole: check no FK midway
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in metadata.tables.values():
            if table.name == "alembic_version":
                continue
            rows = [{k: _decode(v) for k, v in row.items()} for row in tables[table.name]]
            if rows:
                connection.execute(table.insert(), rows)
            if connection.dialect.name == "postgresql" and "id" in table.c and rows:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'(SELECT max(id) FROM "{table.name}"))'
                    )
                )


def generate() -> dict[str, Any]:
    """Build the release's database with its own services and record it (0.1.0 code only)."""
    from fastapi.testclient import TestClient

    from planbridge.actors import Actor
    from planbridge.app import create_app
    from planbridge.db.session import Database
    from planbridge.integrations import personal_tokens
    from planbridge.integrations import service as integrations
    from planbridge.projects import service as projects
    from planbridge.schema import migrate
    from planbridge.settings import load_settings
    from tests.builders import publish_at, small_plan

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'release.db'}"
        db = Database.from_url(url)
        migrate.upgrade(db.engine, RELEASE_REVISION)
        with db.transaction() as session:
            project = projects.create_project(
                session,
                name="Quay Street",
                code="QS1",
                organisation="Old Release Ltd",
                timezone="Europe/London",
                tier="pro",
            )
            user = projects.create_user(
                session, email="ana@example.com", name="Ana Souza", organisation="Old Release Ltd"
            )
            projects.add_member(session, project, user, "admin")
            admin = Actor(label=user.email, user_id=user.id)
            integrations.set_integration(session, project, admin, enabled=True)
            feed = integrations.create_token(
                session,
                project,
                admin,
                name="BI team",
                days=90,
                max_days=90,
                default_days=90,
                now=AT - dt.timedelta(days=10),
            )
            personal_tokens.create_token(
                session,
                project,
                admin,
                user=user,
                name="Scheduler",
                days=30,
                max_days=90,
                default_days=30,
                now=AT - dt.timedelta(days=10),
            )
        small_plan(db, project)
        publish_at(db, project, AT - dt.timedelta(days=7), name="Week 46")
        publish_at(db, project, AT - dt.timedelta(hours=1), name="Week 47")
        settings = load_settings(database_url=url, _env_file=None)
        with TestClient(create_app(settings, db=db, clock=lambda: AT)) as client:
            served = client.get(
                f"/power-bi/v1/{project.api_id}",
                headers={"Authorization": f"Bearer {feed.secret}", "Accept-Encoding": "identity"},
            )
            assert served.status_code == 200, served.text
        data = {
            "release": RELEASE,
            "revision": RELEASE_REVISION,
            "at": AT.isoformat(),
            "feed_token": feed.secret,
            "feed_path": f"/power-bi/v1/{project.api_id}",
            "feed": served.json(),
            "tables": dump(db.engine),
        }
        db.dispose()
    return data


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.db.release_data --write (0.1.0 code only)")
    FIXTURE.write_bytes(orjson.dumps(generate(), option=orjson.OPT_INDENT_2) + b"\n")
