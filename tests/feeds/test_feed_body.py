"""The feed body: schema, relations, dates, history cut, gzip, ETag/304."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import httpx
import jsonschema
import pytest

from planbridge.catalog import FEED_TABLES as TABLES
from planbridge.feeds.schema import feed_schema
from tests.builders import publish_at, small_plan
from tests.conftest import T0


@pytest.fixture
def published(make_project, db):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0 - dt.timedelta(days=7), name="Week 46")
    publish_at(db, feed.project, T0, name="Week 47")
    return feed


def test_real_response_validates_against_the_shipped_json_schema(client, published):
    body = client.get(published.url, headers=published.auth).json()
    jsonschema.Draft202012Validator(feed_schema()).validate(body)


def test_schema_rejects_a_row_with_a_missing_column(client, published):
    body = client.get(published.url, headers=published.auth).json()
    del body["tasks"][0]["name"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(feed_schema()).validate(body)


def test_body_has_every_table_in_order_after_project_and_parameters(client, published):
    body = client.get(published.url, headers=published.auth).json()
    assert list(body) == ["project", "parameters", *(t.name for t in TABLES)]


def test_tables_relate_by_version_id_and_task_id(client, published):
    body = client.get(published.url, headers=published.auth).json()
    versions = {v["version_id"] for v in body["versions"]}
    tasks = {(t["version_id"], t["task_id"]) for t in body["tasks"]}
    assert len(versions) == 2 and len(tasks) == 6
    for table in ("resources", "status", "blockers"):
        assert body[table]
        for row in body[table]:
            assert (row["version_id"], row["task_id"]) in tasks
    for link in body["links"]:
        assert (link["version_id"], link["predecessor_task_id"]) in tasks
        assert (link["version_id"], link["successor_task_id"]) in tasks


def test_rows_carry_the_frozen_plan_with_iso_dates_and_accents(client, published):
    body = client.get(published.url, headers=published.auth).json()
    newest = body["versions"][0]
    assert newest["name"] == "Week 47"
    assert newest["published_at"] == "2026-11-20T15:00:00Z"
    task = next(t for t in body["tasks"] if t["version_id"] == newest["version_id"])
    assert task["name"] == "Containment – Zone A"
    assert task["start_date"] == "2026-11-16" and task["end_date"] == "2026-11-18"
    assert task["subcontractor"] == "Électricité Müller"
    assert task["tags"] == "critical; lookahead"
    delay = body["status"][0]
    assert delay["reason"] == "Awaiting access" and delay["reason_category"] == "space_access"
    assert delay["recorded_at"] == "2026-11-18T17:00:00Z"
    assert body["project"]["name"].endswith("Zürich Süd")


def test_versions_older_than_the_history_limit_are_never_returned(make_client, make_project, db):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0 - dt.timedelta(days=184), name="too old")
    publish_at(db, feed.project, T0 - dt.timedelta(days=182), name="just in")
    client = make_client()
    names = [v["name"] for v in client.get(feed.url, headers=feed.auth).json()["versions"]]
    assert names == ["just in"]
    short = make_client(history_days=30)
    assert short.get(feed.url, headers=feed.auth).json()["versions"] == []


def test_gzip_when_accepted_and_identical_to_identity(client, published):
    zipped = client.get(
        published.url, headers={**published.auth, "Accept-Encoding": "gzip, deflate"}
    )
    plain = client.get(published.url, headers={**published.auth, "Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.content == plain.content
    assert int(plain.headers["content-length"]) == len(plain.content)
    json.loads(plain.content)


def test_gzip_bytes_are_one_valid_member_with_exact_length(make_project, db, settings, clock):
    from planbridge.app import create_app

    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0)
    transport = httpx.ASGITransport(app=create_app(settings, db=db, clock=clock))

    async def fetch():
        headers = {**feed.auth, "Accept-Encoding": "gzip"}
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://t") as c,
            c.stream("GET", feed.url, headers=headers) as r,
        ):
            raw = b"".join([part async for part in r.aiter_raw()])
            return r, raw

    import asyncio

    response, raw = asyncio.run(fetch())
    assert int(response.headers["content-length"]) == len(raw)
    decoded = gzip.decompress(raw)
    assert json.loads(decoded)["project"]["id"] == feed.project.api_id


def test_gzip_refused_with_q_zero_gives_identity(client, published):
    response = client.get(published.url, headers={**published.auth, "Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in response.headers


def test_etag_gives_304_until_a_new_version_is_published(client, published, db):
    first = client.get(published.url, headers=published.auth)
    etag = first.headers["etag"]
    again = client.get(published.url, headers={**published.auth, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other_params = client.get(
        f"{published.url}?limit=1", headers={**published.auth, "If-None-Match": etag}
    )
    assert other_params.status_code == 200
    publish_at(db, published.project, T0 + dt.timedelta(hours=1))
    after = client.get(published.url, headers={**published.auth, "If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


def test_live_plan_edits_do_not_change_published_versions(client, published, db):
    from planbridge.planning import service as plan

    before = client.get(published.url, headers=published.auth)
    with db.transaction() as session:
        plan.add_task(
            session, published.project, name="Added later", start_date=dt.date(2026, 12, 1)
        )
    after = client.get(published.url, headers=published.auth)
    assert after.content == before.content
    assert after.headers["etag"] == before.headers["etag"]


def test_project_without_versions_gets_empty_tables(client, make_project):
    feed = make_project()
    body = client.get(feed.url, headers=feed.auth).json()
    assert all(body[t.name] == [] for t in TABLES)
