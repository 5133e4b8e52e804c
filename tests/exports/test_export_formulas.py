"""Safe exports: the connector's CSV and TXT export files neutralise cells a spreadsheet would
run as formulas exactly as the feed's CSV files do (a leading single quote, OWASP), numbers
stay numbers, and the same ``csv_neutralise_formulas`` setting turns it off."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from planbridge.planning import service as plan
from planbridge.projects.models import Project
from tests.builders import publish_at
from tests.connector_fixtures import access_token, bearer
from tests.feeds.files.test_csv_formulas import DANGEROUS, SAFE

BASE = "/api/v1/connector/projects/QST/exports"


@pytest.fixture
def planted(team, db, clock):
    with db.transaction() as session:
        project = session.get(Project, team.project.id)
        assert project is not None
        for name in DANGEROUS + SAFE:
            plan.add_task(session, project, name=name, start_date=dt.date(2026, 11, 23), notes=name)
    clock.advance(days=7)
    publish_at(db, team.project, clock.now, name="Week 48")
    return team


def _download(client, team, fmt: str) -> list[dict[str, str]]:
    admin = access_token(client, team.admin)
    body = {
        "name": f"Notes {fmt}",
        "table": "tasks",
        "format": fmt,
        "columns": ["name", "notes", "duration_days"],
    }
    action = client.post(BASE, json=body, headers=bearer(admin))
    assert action.status_code == 201, action.text
    download = client.get(f"{BASE}/{action.json()['id']}/download", headers=bearer(admin))
    assert download.status_code == 200, download.text
    delimiter = "\t" if fmt == "txt" else ","
    text = download.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("fmt", ["csv", "txt"])
def test_export_cells_that_start_a_formula_get_a_leading_quote(make_client, planted, tmp_path, fmt):
    rows = _download(make_client(exports_dir=str(tmp_path)), planted, fmt)
    notes = [row["notes"] for row in rows if row["notes"]]
    assert sorted(notes) == sorted(["'" + note for note in DANGEROUS] + SAFE)
    assert not [row for row in rows if row["name"][:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert all(row["duration_days"].isdigit() for row in rows)


def test_the_feed_setting_turns_it_off_for_exports_too(make_client, planted, tmp_path):
    client = make_client(exports_dir=str(tmp_path), csv_neutralise_formulas=False)
    rows = _download(client, planted, "csv")
    assert sorted(row["notes"] for row in rows if row["notes"]) == sorted(DANGEROUS + SAFE)
