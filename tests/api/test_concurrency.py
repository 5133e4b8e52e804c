"""Optimistic concurrency: two tools editing one task cannot silently overwrite each other."""

from __future__ import annotations

from tests.error_shape import assert_error


def test_stale_if_match_gets_412_with_the_current_version(make_client, api, new_task):
    task = new_task()
    url = api.url(f"/tasks/{task['id']}")
    scheduler, site_app = make_client(), make_client()
    seen_by_scheduler = scheduler.get(url, headers=api.as_admin).headers["ETag"]
    seen_by_site_app = site_app.get(url, headers=api.as_member).headers["ETag"]
    first = scheduler.patch(
        url, json={"duration_days": 5}, headers={**api.as_admin, "If-Match": seen_by_scheduler}
    )
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    second = site_app.patch(
        url, json={"status": "complete"}, headers={**api.as_member, "If-Match": seen_by_site_app}
    )
    error = assert_error(second, 412, "version_mismatch")
    assert error["details"] == {"current_version": 2, "sent_versions": [1]}
    assert second.headers["ETag"] == '"2"'
    current = site_app.get(url, headers=api.as_member).json()
    assert (current["duration_days"], current["status"]) == (5, "planned")
    retried = site_app.patch(
        url, json={"status": "complete"}, headers={**api.as_member, "If-Match": '"2"'}
    )
    assert retried.json()["row_version"] == 3


def test_missing_if_match_gets_428_on_patch_and_delete(client, api, new_task):
    task = new_task()
    url = api.url(f"/tasks/{task['id']}")
    for response in (
        client.patch(url, json={"name": "x"}, headers=api.as_member),
        client.delete(url, headers=api.as_member),
    ):
        error = assert_error(response, 428, "precondition_required")
        assert error["details"] == {"current_version": 1}
    assert client.get(url, headers=api.as_member).json()["name"] == task["name"]


def test_stale_delete_gets_412_and_keeps_the_task(client, api, new_task):
    task = new_task()
    url = api.url(f"/tasks/{task['id']}")
    client.patch(url, json={"name": "Renamed"}, headers={**api.as_member, "If-Match": '"1"'})
    assert_error(
        client.delete(url, headers={**api.as_member, "If-Match": '"1"'}), 412, "version_mismatch"
    )
    assert client.get(url, headers=api.as_member).status_code == 200


def test_if_match_accepts_bare_weak_and_lists_but_not_star(client, api, new_task):
    task = new_task()
    url = api.url(f"/tasks/{task['id']}")

    def patch(if_match, name):
        return client.patch(
            url, json={"name": name}, headers={**api.as_member, "If-Match": if_match}
        )

    assert patch("1", "a").status_code == 200
    assert patch('W/"2"', "b").status_code == 200
    assert patch('"7", "3"', "c").status_code == 200
    error = assert_error(patch("*", "d"), 400, "invalid_parameter")
    assert "'*' is not accepted" in error["hint"]
