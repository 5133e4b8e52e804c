"""Publishing through the Plan API: admins publish, anyone lists, the feed serves the version."""

from __future__ import annotations

from tests.error_shape import assert_error


def test_admin_publishes_with_name_and_comment_and_the_feed_serves_it(client, api, new_task):
    new_task()
    response = client.post(
        api.url("/versions"),
        json={"name": "Week 48", "comment": "Agreed Monday"},
        headers=api.as_admin,
    )
    assert response.status_code == 201, response.text
    version = response.json()
    assert (version["number"], version["name"], version["comment"]) == (
        1,
        "Week 48",
        "Agreed Monday",
    )
    assert version["task_count"] == 1 and version["published_at"] == "2026-11-20T15:00:00Z"
    listed = client.get(api.url("/versions"), headers=api.as_member).json()["items"]
    assert listed == [version]
    feed = client.get(
        f"/power-bi/v1/{api.project.api_id}", headers={"Authorization": f"Bearer {api.feed_token}"}
    )
    assert [v["name"] for v in feed.json()["versions"]] == ["Week 48"]


def test_publish_without_a_body_names_the_week(client, api):
    response = client.post(api.url("/versions"), headers=api.as_admin)
    assert response.json()["name"] == "Week 47 2026"


def test_a_member_cannot_publish(client, api):
    response = client.post(api.url("/versions"), json={}, headers=api.as_member)
    assert "may publish" in assert_error(response, 403, "not_project_admin")["message"]
    assert client.get(api.url("/versions"), headers=api.as_member).json()["items"] == []


def test_version_name_is_validated(client, api):
    response = client.post(api.url("/versions"), json={"name": ""}, headers=api.as_admin)
    assert assert_error(response, 422, "invalid_input")["details"]["field"] == "name"
