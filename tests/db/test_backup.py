"""``planbridge backup`` and ``restore``: a restored backup serves byte-identical feeds, and a
restore never replaces data by accident (SQLite online backup; PostgreSQL pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planbridge.app import create_app
from planbridge.cli.main import app as cli
from planbridge.db.session import Database
from tests.builders import publish_at, small_plan
from tests.conftest import T0


@pytest.fixture
def planbridge(monkeypatch):
    def run(url: str, *args: str, ok: bool = True):
        monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", url)
        result = CliRunner().invoke(cli, list(args))
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run


def _served(url, make_settings, clock, feed, path):
    database = Database.from_url(url)
    try:
        app = create_app(make_settings(), db=database, clock=clock)
        with TestClient(app) as client:
            responses = [
                client.get(path, headers={**feed.auth, "Accept-Encoding": encoding})
                for encoding in ("identity", "gzip")
            ]
    finally:
        database.dispose()
    assert all(r.status_code == 200 for r in responses), responses[0].text
    return [(r.headers["etag"], r.content) for r in responses]


def test_restored_backup_serves_byte_identical_feeds(
    db, database_url, fresh_database_url, make_project, make_settings, clock, planbridge, tmp_path
):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0.replace(day=13), name="Week 46")
    publish_at(db, feed.project, T0, name="Week 47")
    paths = [feed.url, f"{feed.url}/tables/tasks.csv"]
    before = [_served(database_url, make_settings, clock, feed, p) for p in paths]

    backup = tmp_path / "planbridge.backup"
    planbridge(database_url, "backup", str(backup))
    assert backup.stat().st_size > 0
    restored = fresh_database_url()
    result = planbridge(restored, "restore", str(backup), "--json")
    assert '"up_to_date": true' in result.stdout

    assert [_served(restored, make_settings, clock, feed, p) for p in paths] == before


def test_restore_refuses_a_database_with_data_unless_forced(
    db, database_url, fresh_database_url, make_project, planbridge, tmp_path
):
    make_project(code="KEEP")
    backup = tmp_path / "keep.backup"
    planbridge(database_url, "backup", str(backup))
    target = fresh_database_url()
    planbridge(target, "db", "upgrade")
    planbridge(target, "projects", "create", "--name", "Other", "--code", "OTHER")

    refused = planbridge(target, "restore", str(backup), ok=False)
    assert "already has" in refused.output and "--force" in refused.output
    listed = planbridge(target, "projects", "list", "--json").stdout
    assert "OTHER" in listed and "KEEP" not in listed

    planbridge(target, "restore", str(backup), "--force")
    listed = planbridge(target, "projects", "list", "--json").stdout
    assert "KEEP" in listed and "OTHER" not in listed


def test_backup_keeps_an_existing_file_unless_forced(db, database_url, planbridge, tmp_path):
    target = tmp_path / "existing.backup"
    target.write_bytes(b"precious")
    refused = planbridge(database_url, "backup", str(target), ok=False)
    assert f"{target} already exists" in refused.output
    assert target.read_bytes() == b"precious"
    planbridge(database_url, "backup", str(target), "--force")
    assert target.read_bytes() != b"precious"
    assert not list(tmp_path.glob("*.partial"))


def test_restore_of_a_file_that_is_not_a_backup_changes_nothing(
    db, fresh_database_url, planbridge, tmp_path: Path
):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    target = fresh_database_url()
    refused = planbridge(target, "restore", str(junk), ok=False)
    assert "is not a PlanBridge backup" in refused.output


def test_commands_refuse_a_missing_sqlite_file_naming_it(planbridge, tmp_path):
    missing = tmp_path / "nowhere" / "planbridge.db"
    refused = planbridge(f"sqlite:///{missing}", "backup", str(tmp_path / "b"), ok=False)
    assert f"no database at {missing}" in refused.output
    assert not missing.exists()
