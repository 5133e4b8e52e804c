"""Metric tables in the feed, the `metrics` flag, the /metrics endpoint, and the demo's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from planbridge.actors import OPERATOR
from planbridge.catalog import METRIC_TABLES
from planbridge.demo import generator
from planbridge.integrations.service import set_integration
from tests.builders import publish_at, small_plan
from tests.conftest import T0, issue_token
from tests.error_shape import assert_error

METRIC_NAMES = [t.name for t in METRIC_TABLES]


@pytest.fixture
def two_weeks(make_project, db):
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0 - dt.timedelta(days=7))
    publish_at(db, feed.project, T0)
    return feed


def test_feed_carries_metric_tables_for_the_versions_it_returns(client, two_weeks):
    body = client.get(two_weeks.url, headers=two_weeks.auth).json()
    newest, first = (v["version_id"] for v in body["versions"])
    assert {r["version_id"] for r in body["ppc"]} == {newest}
    assert {r["metric"] for r in body["ppc"]} == {"ppc_task_day", "ppc_task"}
    assert all(r["formula_version"] >= 1 for name in METRIC_NAMES for r in body[name])
    assert {r["version_id"] for r in body["blocker_metrics"]} == {newest, first}
    only_newest = client.get(f"{two_weeks.url}?limit=1", headers=two_weeks.auth).json()
    assert {r["version_id"] for r in only_newest["blocker_metrics"]} == {newest}


def test_metrics_false_switches_every_metric_table_off_and_shrinks_the_body(client, two_weeks):
    full = client.get(two_weeks.url, headers=two_weeks.auth)
    without = client.get(f"{two_weeks.url}?metrics=false", headers=two_weeks.auth)
    assert all(without.json()[name] == [] for name in METRIC_NAMES)
    assert without.json()["tasks"] == full.json()["tasks"]
    assert int(without.headers["content-length"]) < int(full.headers["content-length"])


def test_metrics_endpoint_serves_versions_and_metric_tables_only(client, two_weeks):
    response = client.get(f"{two_weeks.url}/metrics", headers=two_weeks.auth)
    body = response.json()
    assert list(body) == ["project", "parameters", "versions", *METRIC_NAMES]
    assert body["parameters"] == {"limit": 5, "published_from": None, "published_to": None}
    full = client.get(two_weeks.url, headers=two_weeks.auth).json()
    for name in METRIC_NAMES:
        assert body[name] == full[name]


def test_metrics_endpoint_follows_the_same_rules(client, two_weeks):
    url = f"{two_weeks.url}/metrics"
    assert_error(client.get(url), 401, "invalid_token")
    assert_error(
        client.get(f"{url}?status=false", headers=two_weeks.auth), 400, "invalid_parameter"
    )
    assert_error(client.get(f"{url}?token={two_weeks.token}"), 400, "token_in_query")
    etag = client.get(url, headers=two_weeks.auth).headers["etag"]
    assert client.get(url, headers={**two_weeks.auth, "If-None-Match": etag}).status_code == 304


def test_demo_metrics_look_plausible(db, make_client):
    with db.transaction() as session:
        project = generator.build(session, tasks=300, weeks=6, seed=1, now=T0, code="PLAUS").project
        set_integration(session, project, OPERATOR, enabled=True)
    token = issue_token(db, project, T0)
    client = make_client()
    body = client.get(
        f"/power-bi/v1/{project.api_id}/metrics?limit=6",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    task_day = [r["value"] for r in body["ppc"] if r["metric"] == "ppc_task_day"]
    assert len(task_day) == 5
    assert all(0.55 <= v <= 0.95 for v in task_day), task_day
    reasons = [r for r in body["variance"] if r["level"] == "reason"]
    assert len({r["reason"] for r in reasons}) >= 5, "a Pareto needs several reasons"
