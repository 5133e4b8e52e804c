"""The size limit's advice and the fair-use budget."""

from __future__ import annotations

import pytest

from planbridge.demo import generator
from tests.conftest import T0
from tests.error_shape import assert_error


@pytest.fixture
def big_pro(db, make_project):
    """A pro demo project whose 5-version feed is a little over 1 MiB."""
    from tests.conftest import issue_token

    with db.transaction() as session:
        result = generator.build(
            session, tasks=300, weeks=6, seed=3, now=T0, code="BIG", tier="pro", chunk_rows=100
        )
        from planbridge.actors import OPERATOR
        from planbridge.integrations.service import set_integration

        set_integration(session, result.project, OPERATOR, enabled=True)
    token = issue_token(db, result.project, T0)
    return result.project, {"Authorization": f"Bearer {token}"}


def test_over_the_limit_gets_422_with_size_limit_and_advice(make_client, big_pro):
    project, auth = big_pro
    client = make_client(feed_max_mb_pro=1)
    url = f"/power-bi/v1/{project.api_id}"
    full = make_client(feed_max_mb_pro=32).get(url, headers=auth)
    assert full.status_code == 200 and len(full.content) > 1024 * 1024

    error = assert_error(client.get(url, headers=auth), 422, "response_too_large")
    details = error["details"]
    assert details["size_bytes"] == len(full.content)
    assert details["limit_bytes"] == 1024 * 1024
    fitting = details["largest_fitting_limit"]
    assert 1 <= fitting < 5
    assert f"limit={fitting}" in details["suggested_parameters"]
    assert f"largest limit that fits is {fitting}" in error["hint"]
    # The advice is exact: the suggested limit fits, one more does not.
    assert client.get(f"{url}?limit={fitting}", headers=auth).status_code == 200
    assert client.get(f"{url}?limit={fitting + 1}", headers=auth).status_code == 422
    flags = {f["parameter"]: f for f in details["flags"]}
    assert set(flags) == {"resource=false", "status=false", "blockers=false", "metrics=false"}
    for parameter, flag in flags.items():
        smaller = client.get(f"{url}?{parameter}", headers=auth)
        assert (smaller.status_code == 200) == flag["fits"]
        assert flag["size_bytes"] < details["size_bytes"]


def test_size_limit_is_not_a_401_or_403(make_client, big_pro):
    project, auth = big_pro
    response = make_client(feed_max_mb_pro=1).get(f"/power-bi/v1/{project.api_id}", headers=auth)
    assert response.status_code not in (401, 403)


def test_enterprise_has_its_own_larger_limit(make_client, db, make_project):
    feed = make_project(tier="enterprise")
    client = make_client(feed_max_mb_pro=1, feed_max_mb_enterprise=2)
    assert client.get(feed.url, headers=feed.auth).status_code == 200


def test_fair_use_budget_gives_429_with_retry_after_seconds(make_client, make_project, clock):
    feed = make_project()
    client = make_client(feed_requests_per_hour=3)
    for _ in range(3):
        assert client.get(feed.url, headers=feed.auth).status_code == 200
    response = client.get(feed.url, headers=feed.auth)
    error = assert_error(response, 429, "rate_limited")
    retry = int(response.headers["retry-after"])
    assert retry == 1200  # one request per 20 minutes is earned back
    assert error["details"]["retry_after_s"] == retry
    clock.advance(seconds=retry - 1)
    assert client.get(feed.url, headers=feed.auth).status_code == 429
    clock.advance(seconds=1)
    assert client.get(feed.url, headers=feed.auth).status_code == 200


def test_fair_use_is_per_project(make_client, make_project):
    a, b = make_project(), make_project()
    client = make_client(feed_requests_per_hour=1)
    assert client.get(a.url, headers=a.auth).status_code == 200
    assert client.get(a.url, headers=a.auth).status_code == 429
    assert client.get(b.url, headers=b.auth).status_code == 200


def test_unauthenticated_requests_do_not_spend_the_budget(make_client, make_project):
    feed = make_project()
    client = make_client(feed_requests_per_hour=1)
    for _ in range(3):
        assert client.get(feed.url).status_code == 401
    assert client.get(feed.url, headers=feed.auth).status_code == 200
