"""A data request made with a feed token that expires within 14 days says so in two response
headers, on every data route (feed, metrics, files, OData), HEAD included; a token with more
time left adds nothing, and the headers never carry the token."""

from __future__ import annotations

import pytest

from tests.conftest import issue_token
from tests.feeds.test_gate import data_urls

DAYS = "PlanBridge-Token-Expires-In-Days"
AT = "PlanBridge-Token-Expires-At"


@pytest.fixture
def urls(settings):
    return data_urls(settings)


def _get(client, feed, url, token, method="GET"):
    response = client.request(
        method,
        url.replace("{api_id}", feed.project.api_id),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code < 500, (url, response.text)
    return response


def test_every_data_route_announces_a_token_expiring_within_14_days(
    client, db, make_project, clock, urls
):
    feed = make_project()
    soon = issue_token(db, feed.project, clock.now, days=10)
    for url in urls:
        response = _get(client, feed, url, soon)
        assert response.headers[DAYS] == "10", url
        assert response.headers[AT] == "2026-11-30T15:00:00Z", url
        assert soon not in str(response.headers)
    assert _get(client, feed, urls[0], soon, method="HEAD").headers[DAYS] == "10"


def test_a_token_with_more_than_14_days_left_adds_no_header(client, make_project, clock, urls):
    feed = make_project()  # its token lives 90 days
    for url in urls:
        response = _get(client, feed, url, feed.token)
        assert DAYS not in response.headers and AT not in response.headers, url


def test_days_left_count_down_with_the_clock_rounded_up(client, make_project, clock):
    feed = make_project()
    clock.advance(days=75, hours=12)  # 14.5 days left
    assert DAYS not in _get(client, feed, feed.url, feed.token).headers
    clock.advance(hours=12)  # exactly 14 days left
    assert _get(client, feed, feed.url, feed.token).headers[DAYS] == "14"
    clock.advance(days=13, hours=23)  # one hour left
    assert _get(client, feed, feed.url, feed.token).headers[DAYS] == "1"
    clock.advance(hours=1)
    response = _get(client, feed, feed.url, feed.token)
    assert response.status_code == 401 and DAYS not in response.headers


def test_other_routes_never_carry_the_notice(client, make_project, clock):
    feed = make_project()
    clock.advance(days=80)
    assert DAYS not in client.get("/healthz").headers
    assert DAYS in _get(client, feed, feed.url, feed.token).headers
