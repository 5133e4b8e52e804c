"""CSV downloads: BOM, RFC 4180 quoting, accents, row counts equal to the JSON feed's."""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd
import pytest

from planbridge.catalog import FEED_TABLES
from tests.feeds.files.conftest import CONTROL_ID, FORMULA_NOTE, TRICKY_NAME, table_url


def get_csv(client, feed, table="tasks", query="", **headers):
    url = table_url(feed, table, "csv") + (f"?{query}" if query else "")
    response = client.get(url, headers={**feed.auth, **headers})
    assert response.status_code == 200, response.text
    return response


def test_csv_starts_with_a_utf8_bom_by_default_and_pandas_reads_accents(client, published):
    response = get_csv(client, published)
    assert response.content.startswith(codecs.BOM_UTF8)
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert "Containment – Zone A" in set(frame["name"])
    assert set(frame["subcontractor"].dropna()) == {"Électricité Müller"}


@pytest.mark.parametrize("word", ["false", "0", "NO"])
def test_bom_false_leaves_plain_utf8(client, published, word):
    content = get_csv(client, published, query=f"bom={word}").content
    assert content.startswith(b"version_id,task_id,")
    assert "Électricité Müller".encode() in content


def test_header_is_the_registry_columns_and_lines_end_in_crlf(client, published):
    text = get_csv(client, published, query="bom=false").content.decode()
    tasks = next(t for t in FEED_TABLES if t.name == "tasks")
    assert text.split("\r\n", 1)[0] == ",".join(tasks.column_names)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "").replace("then\nfill", "")


def test_commas_quotes_and_newlines_are_quoted_rfc4180(client, published):
    text = get_csv(client, published, query="bom=false").content.decode()
    assert '"Cut ""core"", then\nfill – Zone B"' in text
    assert '"Façade, north\r\nside"' in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    tricky = [r for r in rows if r["name"] == TRICKY_NAME]
    assert len(tricky) == 2
    assert tricky[0]["work_area"] == "Façade, north\r\nside"
    assert tricky[0]["notes"] == "'" + FORMULA_NOTE  # neutralised: docs/files.md
    assert tricky[0]["external_id"] == CONTROL_ID


def test_values_are_the_json_feeds_text_nulls_empty_booleans_lowercase(client, published):
    text = get_csv(client, published, query="bom=false").content.decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    first = next(r for r in rows if r["name"] == "Containment – Zone A")
    assert first["start_date"] == "2026-11-16"
    assert first["committed"] == "false"
    assert first["external_id"] == ""
    assert first["tags"] == "critical; lookahead"
    versions = get_csv(client, published, "versions", "bom=false").content.decode()
    assert "2026-11-20T15:00:00Z" in versions


@pytest.mark.parametrize(
    "query", ["", "limit=1", "published_from=2026-11-15", "published_to=2026-11-15"]
)
def test_row_counts_equal_the_json_feed_for_every_table(client, published, query):
    body = client.get(f"{published.url}?{query}", headers=published.auth).json()
    for table in FEED_TABLES:
        content = get_csv(client, published, table.name, query).content
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
        assert list(frame.columns) == list(table.column_names)
        assert len(frame) == len(body[table.name]), table.name
    assert len(body["tasks"]) in (0, 4, 8)


def test_rows_are_in_feed_order_newest_version_first(client, published):
    body = client.get(published.url, headers=published.auth).json()
    frame = pd.read_csv(io.BytesIO(get_csv(client, published).content), encoding="utf-8-sig")
    assert list(frame["task_id"]) == [t["task_id"] for t in body["tasks"]]
    assert list(frame["version_id"]) == [t["version_id"] for t in body["tasks"]]


def test_gzip_is_negotiated_and_decodes_to_the_same_bytes(client, published):
    zipped = get_csv(client, published, **{"Accept-Encoding": "gzip"})
    plain = get_csv(client, published, **{"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    # served from the byte cache: a file of known length
    assert plain.headers["content-length"] == str(len(plain.content))
    assert zipped.content == plain.content


def test_attachment_is_named_after_project_code_and_table(client, make_project):
    feed = make_project(code="ZH-07")
    response = get_csv(client, feed, "status")
    assert response.headers["content-disposition"] == 'attachment; filename="ZH-07-status.csv"'


def test_project_without_versions_gets_the_header_only(client, make_project):
    feed = make_project()
    content = get_csv(client, feed, "blockers").content
    assert content.count(b"\r\n") == 1


def test_etag_gives_304_and_differs_with_bom(client, published, db):
    first = get_csv(client, published)
    etag = first.headers["etag"]
    again = client.get(
        table_url(published, "tasks", "csv"), headers={**published.auth, "If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    assert get_csv(client, published, query="bom=false").headers["etag"] != etag
    assert get_csv(client, published, "links").headers["etag"] != etag


def test_duckdb_reads_the_csv_with_types(client, published, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "tasks.csv"
    path.write_bytes(get_csv(client, published).content)
    connection = duckdb.connect()
    relation = connection.read_csv(str(path), header=True)
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    assert types["start_date"] == "DATE"
    assert types["committed"] == "BOOLEAN"
    assert types["task_id"] in ("BIGINT", "INTEGER")
    names = {row[0] for row in relation.select("name").fetchall()}
    assert {"Containment – Zone A", TRICKY_NAME} <= names
    connection.close()
