"""A database made by the previous release upgrades to the newest schema with
``planbridge db upgrade`` and serves the feed it served before."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from typer.testing import CliRunner

from planbridge.app import create_app
from planbridge.cli.main import app as cli
from planbridge.db.session import Database
from planbridge.schema import migrate
from planbridge.settings import load_settings
from tests.db.release_data import FIXTURE, RELEASE_REVISION, load


def test_previous_release_database_upgrades_and_serves_its_feed(
    db, fresh_database_url, monkeypatch
):
    release = json.loads(FIXTURE.read_text(encoding="utf-8"))
    url = fresh_database_url()
    old = create_engine(url)
    migrate.upgrade(old, RELEASE_REVISION)
    load(old, release["tables"])
    old.dispose()

    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", url)
    engine = create_engine(url)
    newer = migrate.head_revision(engine) != RELEASE_REVISION
    engine.dispose()
    if newer:  # once this release has migrations of its own, commands ask for the upgrade
        stale = CliRunner().invoke(cli, ["projects", "list"])
        assert stale.exit_code == 1 and "run: planbridge db upgrade" in stale.output
    upgraded = CliRunner().invoke(cli, ["db", "upgrade", "--json"])
    assert upgraded.exit_code == 0, upgraded.output

    database = Database.from_url(url)
    try:
        assert migrate.is_up_to_date(database.engine)
        at = dt.datetime.fromisoformat(release["at"])
        settings = load_settings(database_url=url, _env_file=None)
        with TestClient(create_app(settings, db=database, clock=lambda: at)) as client:
            response = client.get(
                release["feed_path"], headers={"Authorization": f"Bearer {release['feed_token']}"}
            )
    finally:
        database.dispose()
    assert response.status_code == 200, response.text
    body = response.json()
    before = release["feed"]
    assert [v["name"] for v in body["versions"]] == ["Week 47", "Week 46"]
    assert [(v["version_id"], v["number"]) for v in body["versions"]] == [
        (v["version_id"], v["number"]) for v in before["versions"]
    ]
    assert body["tasks"] == before["tasks"]
    assert body["ppc"] == before["ppc"]
