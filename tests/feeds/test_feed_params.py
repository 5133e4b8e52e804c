"""The feed's query parameters: limit, resource, status, blockers, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import publish_at, small_plan
from tests.conftest import T0
from tests.error_shape import assert_error


@pytest.fixture
def weekly(make_project, db):
    """A project with 7 weekly versions, the last one published at T0."""
    feed = make_project()
    small_plan(db, feed.project)
    for week in range(7):
        publish_at(db, feed.project, T0 - dt.timedelta(weeks=6 - week), name=f"Week {week + 1}")
    return feed


def _numbers(response):
    return [v["number"] for v in response.json()["versions"]]


def test_default_is_the_5_newest_versions_newest_first(client, weekly):
    response = client.get(weekly.url, headers=weekly.auth)
    assert _numbers(response) == [7, 6, 5, 4, 3]
    assert response.json()["parameters"] == {
        "limit": 5,
        "resource": True,
        "status": True,
        "blockers": True,
        "metrics": True,
        "published_from": None,
        "published_to": None,
    }
    version_ids = {v["version_id"] for v in response.json()["versions"]}
    assert {t["version_id"] for t in response.json()["tasks"]} == version_ids


@pytest.mark.parametrize(
    "limit, expected", [("1", [7]), ("3", [7, 6, 5]), ("50", [7, 6, 5, 4, 3, 2, 1])]
)
def test_limit_chooses_how_many_versions(client, weekly, limit, expected):
    response = client.get(f"{weekly.url}?limit={limit}", headers=weekly.auth)
    assert _numbers(response) == expected


def test_limit_above_the_cap_is_lowered_and_reported(make_client, weekly):
    client = make_client(feed_max_versions=2)
    response = client.get(f"{weekly.url}?limit=40", headers=weekly.auth)
    assert _numbers(response) == [7, 6]
    assert response.json()["parameters"]["limit"] == 2


@pytest.mark.parametrize("bad", ["0", "-1", "x", "2.5", "", " "])
def test_bad_limit_gets_400_naming_the_parameter(client, weekly, bad):
    error = assert_error(
        client.get(weekly.url, params={"limit": bad}, headers=weekly.auth), 400, "invalid_parameter"
    )
    assert "'limit'" in error["message"]
    assert "1 to 52" in error["hint"]


@pytest.mark.parametrize("word", ["false", "FALSE", "False", "0", "no", "No", "NO"])
@pytest.mark.parametrize(
    "flag, table", [("resource", "resources"), ("status", "status"), ("blockers", "blockers")]
)
def test_each_false_form_switches_its_table_off(client, weekly, word, flag, table):
    response = client.get(weekly.url, params={flag: word}, headers=weekly.auth)
    assert response.status_code == 200
    body = response.json()
    assert body[table] == []
    assert body["parameters"][flag] is False
    assert body["tasks"], "other tables stay"


@pytest.mark.parametrize("word", ["true", "TRUE", "1", "yes", "Yes"])
def test_each_true_form_keeps_the_table(client, weekly, word):
    body = client.get(weekly.url, params={"resource": word}, headers=weekly.auth).json()
    assert len(body["resources"]) == 2 * 5
    assert body["parameters"]["resource"] is True


def test_parameters_combine(client, weekly):
    body = client.get(
        f"{weekly.url}?limit=3&resource=false&status=false", headers=weekly.auth
    ).json()
    assert [v["number"] for v in body["versions"]] == [7, 6, 5]
    assert body["resources"] == [] and body["status"] == []
    assert len(body["blockers"]) == 3


@pytest.mark.parametrize("bad", ["maybe", "2", "on", "tru"])
def test_bad_boolean_gets_400_with_allowed_values(client, weekly, bad):
    error = assert_error(
        client.get(weekly.url, params={"blockers": bad}, headers=weekly.auth),
        400,
        "invalid_parameter",
    )
    assert "'blockers'" in error["message"]
    assert "true, false, 1, 0, yes, no" in error["hint"]


def test_unknown_parameter_gets_400_listing_the_allowed_ones(client, weekly):
    error = assert_error(
        client.get(f"{weekly.url}?limt=3", headers=weekly.auth), 400, "invalid_parameter"
    )
    assert "'limt'" in error["message"]
    assert (
        "limit, resource, status, blockers, metrics, published_from, published_to" in error["hint"]
    )


def test_repeated_parameter_gets_400(client, weekly):
    error = assert_error(
        client.get(f"{weekly.url}?limit=1&limit=2", headers=weekly.auth), 400, "invalid_parameter"
    )
    assert "more than once" in error["message"]


def test_published_range_selects_versions_for_incremental_refresh(client, weekly):
    response = client.get(
        weekly.url,
        params={"published_from": "2026-10-30T15:00:00Z", "published_to": "2026-11-13T15:00:00Z"},
        headers=weekly.auth,
    )
    # Weekly versions 1..7 end at T0 = 2026-11-20T15:00Z: from is inclusive, to exclusive.
    assert _numbers(response) == [5, 4]
    assert response.json()["parameters"]["published_from"] == "2026-10-30T15:00:00Z"


def test_published_range_accepts_dates_and_offsets(client, weekly):
    response = client.get(
        weekly.url,
        params={"published_from": "2026-11-20", "published_to": "2026-11-20T17:00:00+01:00"},
        headers=weekly.auth,
    )
    assert _numbers(response) == [7]


@pytest.mark.parametrize(
    "query, needle",
    [
        ({"published_from": "last week"}, "'published_from' must be an ISO 8601"),
        ({"published_to": "2026-13-01"}, "'published_to' must be an ISO 8601"),
        (
            {"published_from": "2026-11-20", "published_to": "2026-11-01"},
            "must be earlier than",
        ),
    ],
)
def test_bad_published_range_gets_400(client, weekly, query, needle):
    error = assert_error(
        client.get(weekly.url, params=query, headers=weekly.auth), 400, "invalid_parameter"
    )
    assert needle in error["message"]


def test_a_range_without_limit_sends_every_version_in_it_never_the_default_5(client, weekly):
    """Power BI's incremental refresh sends only the range: a partition gets all of it."""
    response = client.get(
        weekly.url, params={"published_from": "2026-10-01T00:00:00Z"}, headers=weekly.auth
    )
    assert _numbers(response) == [7, 6, 5, 4, 3, 2, 1]
    assert response.json()["parameters"]["limit"] == 52  # the cap, as applied
    limited = client.get(
        weekly.url, params={"published_from": "2026-10-01", "limit": "2"}, headers=weekly.auth
    )
    assert _numbers(limited) == [7, 6]  # an explicit limit still chooses the newest


def test_a_range_holding_more_than_the_cap_is_refused_not_cut(make_client, weekly):
    client = make_client(feed_max_versions=3)
    query = {"published_from": "2026-10-01T00:00:00Z", "published_to": "2026-11-21T00:00:00Z"}
    error = assert_error(
        client.get(weekly.url, params=query, headers=weekly.auth), 400, "invalid_parameter"
    )
    assert "More than 3 versions were published in the requested range" in error["message"]
    assert "shorter range" in error["hint"]
    exact = {"published_from": "2026-11-06T00:00:00Z", "published_to": "2026-11-21T00:00:00Z"}
    assert _numbers(client.get(weekly.url, params=exact, headers=weekly.auth)) == [7, 6, 5]
