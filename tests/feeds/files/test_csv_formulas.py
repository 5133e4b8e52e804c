"""CSV injection: text cells that a spreadsheet would run as a formula are neutralised with a
leading single quote (OWASP), numbers stay numbers, XLSX stays typed, and a setting turns it
off for tools that need the raw text."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from planbridge.planning import service as plan
from tests.builders import publish_at
from tests.conftest import T0
from tests.feeds.files.conftest import table_url

DANGEROUS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.com/x","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
SAFE = ["Pour slab", "1st fix", "Level -1 walls", "'already quoted"]


@pytest.fixture
def planted(make_project, db):
    feed = make_project()
    with db.transaction() as session:
        tasks = [
            plan.add_task(
                session, feed.project, name=name, start_date=dt.date(2026, 11, 23), notes=name
            )
            for name in DANGEROUS + SAFE
        ]
        plan.add_link(session, tasks[0], tasks[1], "FS", lag_days=-2)
    publish_at(db, feed.project, T0, name="Week 47")
    return feed


def _frame(client, feed, table: str) -> pd.DataFrame:
    response = client.get(table_url(feed, table, "csv"), headers=feed.auth)
    assert response.status_code == 200, response.text
    return pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", keep_default_na=False)


def _json_tasks(client, feed) -> list[dict]:
    return client.get(feed.url, headers=feed.auth).json()["tasks"]


def test_text_cells_that_start_a_formula_get_a_leading_quote(client, planted):
    frame = _frame(client, planted, "tasks")
    stored = _json_tasks(client, planted)

    assert sorted(t["notes"] for t in stored) == sorted(DANGEROUS + SAFE)
    assert sorted(frame["notes"]) == sorted(["'" + note for note in DANGEROUS] + SAFE)
    quoted = ["'" + t["name"] if t["name"][0] in "=+-@" else t["name"] for t in stored]
    assert sorted(frame["name"]) == sorted(quoted)


def test_numbers_stay_numbers_negative_ones_too(client, planted):
    links = _frame(client, planted, "links")

    assert list(links["lag_days"]) == [-2]
    assert links["lag_days"].dtype.kind == "i"
    assert _frame(client, planted, "tasks")["duration_days"].dtype.kind == "i"


def test_the_setting_turns_neutralising_off_for_raw_values(make_client, planted):
    frame = _frame(make_client(csv_neutralise_formulas=False), planted, "tasks")

    assert sorted(frame["notes"]) == sorted(DANGEROUS + SAFE)


def test_the_etag_differs_when_the_setting_differs(make_client, planted):
    url = table_url(planted, "tasks", "csv")
    on = make_client().get(url, headers=planted.auth).headers["etag"]
    off = make_client(csv_neutralise_formulas=False).get(url, headers=planted.auth)

    assert off.headers["etag"] != on


def test_xlsx_keeps_the_text_unchanged_and_typed_as_text(client, planted):
    response = client.get(table_url(planted, "tasks", "xlsx"), headers=planted.auth)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["tasks"]
    names = [c.value for c in next(sheet.iter_cols(min_row=2)) if c.value is not None]
    header = [c.value for c in sheet[1]]
    name_cells = [row[header.index("name")] for row in sheet.iter_rows(min_row=2)]

    assert len(names) == len(DANGEROUS + SAFE)
    assert all(cell.data_type == "s" for cell in name_cells)
    assert "=cmd|' /C calc'!A0" in {cell.value for cell in name_cells}
