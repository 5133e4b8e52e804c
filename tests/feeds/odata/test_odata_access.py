"""The OData feed keeps the JSON feed's rules: tokens, the source switch, suspension, fair use;
and every response, success or error, carries ``OData-Version: 4.0`` exactly once."""

from __future__ import annotations

import pytest

from planbridge.actors import OPERATOR
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from tests.feeds.odata.odata_shape import assert_odata_error, assert_odata_version_once

PATHS = ["", "$metadata", "Tasks", "Tasks/$count", "Versions?$count=true"]


@pytest.mark.parametrize(
    "path",
    [
        *PATHS,
        "Nope",
        "Tasks?$expand=Version",
        "Tasks?$filter=nope eq 1",
        "Tasks(1)",
        "Tasks?$skiptoken=xyz",
    ],
)
def test_odata_version_header_is_sent_exactly_once(client, published, path):
    response = client.get(published.root + path, headers=published.auth)
    assert_odata_version_once(response)


DATA_PATHS = ["Tasks", "Tasks/$count", "Versions?$count=true"]


@pytest.mark.parametrize("path", DATA_PATHS)
def test_missing_token_gets_401_with_bearer_challenge(client, published, path):
    response = client.get(published.root + path)
    error = assert_odata_error(response, 401, "invalid_token")
    assert "Authorization" in error["innererror"]["hint"]
    assert response.headers["www-authenticate"].startswith("Bearer ")


@pytest.mark.parametrize("path", ["", "$metadata"])
def test_service_document_and_metadata_answer_anonymously_for_test_connection(
    make_client, published, path
):
    """They are the same for every project and hold no data: Power BI's Service test of the
    bare URL passes, no budget is spent, and an unknown id learns nothing."""
    client = make_client(feed_requests_per_hour=1)
    for _ in range(3):
        assert client.get(published.root + path).status_code == 200
    unknown = client.get(f"/odata/v4/p_unknown/{path}")
    assert unknown.status_code == 200
    assert unknown.content.replace(b"p_unknown", b"") == client.get(
        published.root + path
    ).content.replace(published.api_id.encode(), b"")
    assert client.get(published.root + "Tasks", headers=published.auth).status_code == 200
    assert client.get(f"{published.root}$metadata?token={published.token}").status_code == 400


def test_wrong_token_gets_401(client, published, make_project):
    other = make_project()
    response = client.get(
        published.root + "Tasks", headers={"Authorization": f"Bearer {other.token}"}
    )
    assert_odata_error(response, 401, "invalid_token")


def test_token_in_the_query_string_is_refused(client, published):
    response = client.get(published.root + f"Tasks?token={published.token}")
    assert_odata_error(response, 400, "token_in_query")


def test_unknown_project_gets_404(client, published):
    response = client.get("/odata/v4/p_nope/Tasks", headers=published.auth)
    assert_odata_error(response, 404, "project_not_found")


def test_disabled_source_gets_403(client, make_project, db):
    feed = make_project(enabled=False)
    response = client.get(f"/odata/v4/{feed.project.api_id}/Tasks", headers=feed.auth)
    assert_odata_error(response, 403, "integration_disabled")


def test_suspended_feed_gets_403_with_the_reason(client, make_project, db):
    feed = make_project()
    with db.transaction() as session:
        project = projects.get_project(session, feed.project.code)
        integrations.set_feed_suspended(
            session, project, OPERATOR, suspended=True, reason="Polling every second"
        )
    response = client.get(f"/odata/v4/{feed.project.api_id}/Tasks", headers=feed.auth)
    error = assert_odata_error(response, 403, "project_suspended")
    assert "Polling every second" in error["message"]


def test_odata_and_json_requests_share_the_fair_use_budget(make_client, make_project):
    feed = make_project()
    client = make_client(feed_requests_per_hour=3)
    root = f"/odata/v4/{feed.project.api_id}/"
    assert client.get(feed.url, headers=feed.auth).status_code == 200
    assert client.get(root, headers=feed.auth).status_code == 200  # free: no data
    assert client.get(root + "Tasks", headers=feed.auth).status_code == 200
    assert client.get(root + "Versions", headers=feed.auth).status_code == 200
    response = client.get(root + "Tasks", headers=feed.auth)
    error = assert_odata_error(response, 429, "rate_limited")
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 1200
    assert error["innererror"]["details"]["retry_after_s"] == retry
    assert client.get(feed.url, headers=feed.auth).status_code == 429


def test_a_project_without_versions_has_empty_sets(client, make_project):
    feed = make_project()
    root = f"/odata/v4/{feed.project.api_id}/"
    body = client.get(root + "Tasks?$count=true", headers=feed.auth).json()
    assert body["value"] == [] and body["@odata.count"] == 0
    assert "@odata.nextLink" not in body
    assert client.get(root + "Versions/$count", headers=feed.auth).text == "0"
