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
    assert version.pop("warnings") == []
    listed = client.get(api.url("/versions"), headers=api.as_member).json()["items"]
    assert listed == [version]
    feed = client.get(
        f"/power-bi/v1/{api.project.api_id}", headers={"Authorization": f"Bearer {api.feed_token}"}
    )
    assert [v["name"] for v in feed.json()["versions"]] == ["Week 48"]


def test_publish_without_a_body_names_the_week(client, api, new_task):
    new_task()
    response = client.post(api.url("/versions"), headers=api.as_admin)
    assert response.json()["name"] == "Week 47 2026"


def test_a_member_cannot_publish(client, api):
    response = client.post(api.url("/versions"), json={}, headers=api.as_member)
    assert "may publish" in assert_error(response, 403, "not_project_admin")["message"]
    assert client.get(api.url("/versions"), headers=api.as_member).json()["items"] == []


def test_version_name_is_validated(client, api):
    response = client.post(api.url("/versions"), json={"name": ""}, headers=api.as_admin)
    assert assert_error(response, 422, "invalid_input")["details"]["field"] == "name"


def test_an_empty_plan_is_refused_with_409_plan_empty(client, api):
    response = client.post(api.url("/versions"), json={}, headers=api.as_admin)
    error = assert_error(response, 409, "plan_empty")
    assert "nothing to publish" in error["message"]
    assert client.get(api.url("/versions"), headers=api.as_member).json()["items"] == []


def test_a_duplicate_name_is_refused_with_409_version_name_taken(client, api, new_task, clock):
    new_task()
    client.post(api.url("/versions"), json={"name": "Week 48"}, headers=api.as_admin)
    clock.advance(days=7)
    response = client.post(api.url("/versions"), json={"name": "Week 48"}, headers=api.as_admin)
    error = assert_error(response, 409, "version_name_taken")
    assert error["details"] == {"name": "Week 48", "number": 1}
    assert len(client.get(api.url("/versions"), headers=api.as_member).json()["items"]) == 1


def test_a_second_version_on_the_same_day_is_published_with_a_warning(client, api, new_task):
    new_task()
    first = client.post(api.url("/versions"), json={}, headers=api.as_admin).json()
    assert first["warnings"] == []
    second = client.post(api.url("/versions"), json={}, headers=api.as_admin)
    assert second.status_code == 201
    assert second.json()["name"] == "Week 47 2026 (2)"
    [warning] = second.json()["warnings"]
    assert "already published today" in warning and "PPC" in warning
