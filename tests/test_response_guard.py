"""Every response carries the defence-in-depth headers, authenticated data is never stored by a
cache, and nothing shaped like a PlanBridge token is ever echoed in a response body."""

from __future__ import annotations

import datetime as dt

import pytest

from planbridge.integrations import secrets
from planbridge.integrations.secrets import looks_like_token
from tests.api.conftest import ApiProject, issue_pat
from tests.builders import publish_at, small_plan
from tests.conftest import T0

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture
def api(db, clock, make_project) -> ApiProject:
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0 - dt.timedelta(days=1), name="Week 47")
    pat = issue_pat(db, feed.project, feed.admin.user_id, clock.now)
    return ApiProject(feed.project, feed.admin, feed.admin, pat, pat, feed.token, {})


def _data_requests(api: ApiProject) -> list[tuple[str, dict[str, str]]]:
    feed = {"Authorization": f"Bearer {api.feed_token}"}
    feed_url = f"/power-bi/v1/{api.project.api_id}"
    return [
        (feed_url, feed),
        (f"{feed_url}/metrics", feed),
        (f"{feed_url}/tables/tasks.csv", feed),
        (f"{feed_url}/tables/tasks.xlsx", feed),
        (f"{feed_url}/tables.xlsx", feed),
        (f"/odata/v4/{api.project.api_id}/", feed),
        (f"/odata/v4/{api.project.api_id}/Tasks", feed),
        (api.url(""), api.as_admin),
        (api.url("/tasks"), api.as_admin),
        (api.url("/versions"), api.as_admin),
    ]


def _assert_guarded(response) -> None:
    for name, value in EVERYWHERE.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")


def test_authenticated_data_is_no_store_and_carries_the_headers(client, api):
    for url, headers in _data_requests(api):
        response = client.get(url, headers=headers)

        assert response.status_code == 200, (url, response.text)
        assert response.headers["cache-control"] == "no-store", url
        _assert_guarded(response)


def test_a_304_revalidation_still_works_and_is_no_store(client, api):
    url, headers = _data_requests(api)[0]
    etag = client.get(url, headers=headers).headers["etag"]

    again = client.get(url, headers={**headers, "If-None-Match": etag})

    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-store"
    _assert_guarded(again)


@pytest.mark.parametrize(
    "url", ["/", "/healthz", "/templates/schedule.csv", "/openapi.json", "/no/such/page"]
)
def test_anonymous_pages_and_errors_carry_the_headers_too(client, url):
    _assert_guarded(client.get(url))


def test_errors_of_data_endpoints_are_no_store(client, api):
    for url, _ in _data_requests(api):
        if url.endswith("/"):
            continue  # the OData service document is anonymous (odata.md)
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.headers["cache-control"] == "no-store", url
        _assert_guarded(response)


def _token_urls(api: ApiProject, token: str) -> list[str]:
    feed = f"/power-bi/v1/{api.project.api_id}"
    return [
        f"/power-bi/v1/{token}",
        f"/power-bi/v1/{token}/metrics",
        f"/power-bi/v1/x{token}/tables/tasks.csv",
        f"{feed}/tables/{token}.csv",
        f"/odata/v4/{token}/Tasks",
        f"/odata/v4/{api.project.api_id}/{token}",
        f"/api/v1/projects/{token}",
        f"/api/v1/projects/{token}/tasks",
        api.url(f"/tasks/{token}"),
        f"/{token}",
    ]


@pytest.mark.parametrize("prefix", ["pbt_", "pbp_"])
def test_a_token_in_the_path_is_never_echoed(client, api, prefix):
    token = secrets.generate(prefix)
    assert looks_like_token(token)
    for url in _token_urls(api, token):
        for headers in ({}, api.as_admin, {"Authorization": f"Bearer {api.feed_token}"}):
            response = client.get(url, headers=headers)

            assert response.status_code < 500, (url, response.text)
            assert token not in response.text, url
            assert token[4:] not in response.text, url
            _assert_guarded(response)
