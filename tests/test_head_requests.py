"""HEAD answers wherever GET does, with the same status and headers and no body: on `/`, the
feed, metrics, files and OData routes (Power BI Service checks and some clients send HEAD)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.builders import publish_at, small_plan
from tests.server.test_loopback import server  # noqa: F401  (a real server on loopback)

VOLATILE = {"date"}


@pytest.fixture
def feed(make_project, db, clock):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, clock.now - dt.timedelta(days=1), name="Week A")
    return feed


def _same_answer(client, path, headers):
    got = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == got.status_code, path
    assert head.content == b"", path
    without = lambda h: {k: v for k, v in h.items() if k not in VOLATILE}  # noqa: E731
    assert without(head.headers) == without(got.headers), path
    return got


@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "?limit=1&resource=false",
        "/metrics",
        "/tables/tasks.csv",
        "/tables/tasks.xlsx",
        "/tables.xlsx",
    ],
)
def test_head_on_the_feed_metrics_and_files_matches_get(client, feed, suffix):
    got = _same_answer(client, feed.url + suffix, feed.auth)
    assert got.status_code == 200 and got.content


@pytest.mark.parametrize("path", ["", "$metadata", "Tasks", "Tasks?$top=1"])
def test_head_on_odata_matches_get(client, feed, path):
    got = _same_answer(client, f"/odata/v4/{feed.project.api_id}/{path}", feed.auth)
    assert got.status_code == 200


def test_head_on_anonymous_routes_matches_get(client):
    for path in ("/", "/healthz"):
        assert _same_answer(client, path, {}).status_code == 200


def test_head_refusals_match_get(client, feed):
    assert _same_answer(client, feed.url, {}).status_code == 401
    assert _same_answer(client, feed.url + "?limit=zero", feed.auth).status_code == 400
    assert _same_answer(client, "/power-bi/v1/p_nope", feed.auth).status_code in (401, 404)
    assert _same_answer(client, "/nope", {}).status_code == 404


@pytest.mark.slow
def test_head_through_a_real_server(server, make_project, db, clock):  # noqa: F811
    base, _ = server
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, clock.now - dt.timedelta(days=1), name="Week A")
    with httpx.Client(base_url=base) as http:
        for path in ("/", feed.url, f"/odata/v4/{feed.project.api_id}/$metadata"):
            got = http.get(path, headers=feed.auth)
            head = http.head(path, headers=feed.auth)
            assert (head.status_code, head.content) == (got.status_code, b""), path
            assert head.headers["content-length"] == got.headers["content-length"], path
