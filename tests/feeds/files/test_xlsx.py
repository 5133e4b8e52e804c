"""XLSX downloads: a sheet per table, each an Excel table, typed cells, accents intact."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from planbridge.catalog import FEED_TABLES
from tests.feeds.files.conftest import FORMULA_NOTE, TRICKY_NAME, table_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_xlsx(client, feed, url, query=""):
    response = client.get(url + (f"?{query}" if query else ""), headers=feed.auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert int(response.headers["content-length"]) == len(response.content)
    return response


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def records(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_all_tables_workbook_has_one_excel_table_per_sheet_in_feed_order(client, published):
    response = get_xlsx(client, published, f"{published.url}/tables.xlsx")
    book = workbook(response)
    assert book.sheetnames == [t.name for t in FEED_TABLES]
    for table in FEED_TABLES:
        sheet = book[table.name]
        assert list(sheet.tables) == [table.name]
        excel_table = sheet.tables[table.name]
        assert [c.name for c in excel_table.tableColumns] == list(table.column_names)
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        assert header == table.column_names
        min_ref, max_ref = excel_table.ref.split(":")
        assert min_ref == "A1"
        assert int("".join(ch for ch in max_ref if ch.isdigit())) == max(sheet.max_row, 2)
    assert response.headers["content-disposition"].endswith('-tables.xlsx"')


def test_row_counts_equal_the_json_feed(client, published):
    for query in ("", "limit=1"):
        body = client.get(f"{published.url}?{query}", headers=published.auth).json()
        book = workbook(get_xlsx(client, published, f"{published.url}/tables.xlsx", query))
        for table in FEED_TABLES:
            assert len(records(book[table.name])) == len(body[table.name]), table.name


def test_cells_are_typed_dates_datetimes_numbers_booleans(client, published):
    book = workbook(get_xlsx(client, published, f"{published.url}/tables.xlsx"))
    task = next(r for r in records(book["tasks"]) if r["name"] == "Containment – Zone A")
    assert task["start_date"] == dt.datetime(2026, 11, 16)
    assert task["subcontractor"] == "Électricité Müller"
    assert isinstance(task["task_id"], int) and isinstance(task["duration_days"], int)
    assert task["committed"] is False
    assert task["external_id"] is None
    sheet = book["tasks"]
    start_col = [c.name for c in FEED_TABLES[1].columns].index("start_date") + 1
    date_cell = sheet.cell(row=2, column=start_col)
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd"
    version = records(book["versions"])[0]
    assert version["published_at"] == dt.datetime(2026, 11, 20, 15, 0)
    assert version["name"] == "Week 47"
    resource = records(book["resources"])[0]
    assert isinstance(resource["quantity"], int | float)


def test_text_that_looks_like_a_formula_stays_text(client, published):
    response = get_xlsx(client, published, table_url(published, "tasks", "xlsx"))
    book = workbook(response)
    tricky = [r for r in records(book["tasks"]) if r["name"] == TRICKY_NAME]
    assert len(tricky) == 2
    assert tricky[0]["notes"] == FORMULA_NOTE
    assert tricky[0]["work_area"] == "Façade, north\r\nside"
    assert tricky[0]["external_id"] == "EXT-7"
    notes_col = [c.name for c in FEED_TABLES[1].columns].index("notes") + 1
    cells = [r[notes_col - 1] for r in book["tasks"].iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells if c.value == FORMULA_NOTE)


def test_one_table_workbook_has_a_single_sheet_and_pandas_reads_it(client, published):
    response = get_xlsx(client, published, table_url(published, "blockers", "xlsx"))
    book = workbook(response)
    assert book.sheetnames == ["blockers"] and list(book["blockers"].tables) == ["blockers"]
    frame = pd.read_excel(io.BytesIO(response.content), sheet_name="blockers")
    assert list(frame["title"]) == ["Approved drawings", "Approved drawings"]
    assert pd.api.types.is_datetime64_any_dtype(frame["raised_on"])
    assert response.headers["content-disposition"].endswith('-blockers.xlsx"')


@pytest.mark.parametrize(
    ("flag", "gone"),
    [
        ("resource", {"resources"}),
        ("status", {"status"}),
        ("blockers", {"blockers"}),
        ("metrics", {"ppc", "ppc_breakdown", "variance", "blocker_metrics", "tmr"}),
    ],
)
def test_flags_leave_sheets_out(client, published, flag, gone):
    url = f"{published.url}/tables.xlsx"
    book = workbook(get_xlsx(client, published, url, f"{flag}=false"))
    assert set(book.sheetnames) == {t.name for t in FEED_TABLES} - gone


def test_empty_project_gives_header_only_tables(client, make_project):
    feed = make_project()
    book = workbook(get_xlsx(client, feed, f"{feed.url}/tables.xlsx"))
    for table in FEED_TABLES:
        assert book[table.name].max_row == 1
        assert book[table.name].tables[table.name].ref.endswith("2")


def test_etag_gives_304_and_changes_with_a_new_version(client, published, db):
    from tests.builders import publish_at
    from tests.conftest import T0

    url = f"{published.url}/tables.xlsx"
    etag = get_xlsx(client, published, url).headers["etag"]
    again = client.get(url, headers={**published.auth, "If-None-Match": etag})
    assert again.status_code == 304
    publish_at(db, published.project, T0 + dt.timedelta(hours=1))
    assert get_xlsx(client, published, url).headers["etag"] != etag


def test_the_same_workbook_is_the_same_bytes_whatever_the_time(client, published):
    """The ETag promises identical bytes: no zip time or document timestamp may leak in."""
    import time

    url = f"{published.url}/tables.xlsx"
    first = client.get(url, headers=published.auth)
    time.sleep(2.1)  # the zip format stores times to 2 s
    second = client.get(url, headers=published.auth)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
