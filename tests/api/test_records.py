"""Resources, progress updates and blockers on a task."""

from __future__ import annotations

import pytest

from planbridge import audit
from tests.error_shape import assert_error


@pytest.fixture
def task(new_task):
    return new_task(duration_days=5)  # Mon 2026-11-23 .. Fri 2026-11-27


def _post(client, api, task, what, body):
    return client.post(api.url(f"/tasks/{task['id']}/{what}"), json=body, headers=api.as_member)


def _actions(db, api):
    with db.transaction() as session:
        return [e.action for e in audit.events(session, api.project.id)]


# ---------------------------------------------------------------- resources
def test_resources_create_list_delete(client, db, api, task):
    body = {"kind": "plant", "name": "Scissor lift", "quantity": 1.5, "unit": "days"}
    created = _post(client, api, task, "resources", body)
    assert created.status_code == 201
    resource = created.json()
    assert {k: resource[k] for k in body} == body and resource["task_id"] == task["id"]
    url = api.url(f"/tasks/{task['id']}/resources")
    assert client.get(url, headers=api.as_member).json()["items"] == [resource]
    assert client.delete(f"{url}/{resource['id']}", headers=api.as_member).status_code == 204
    assert client.get(url, headers=api.as_member).json()["items"] == []
    assert_error(client.delete(f"{url}/{resource['id']}", headers=api.as_member), 404, "not_found")
    assert {"resource.create", "resource.delete"} <= set(_actions(db, api))


@pytest.mark.parametrize(
    ("change", "field"),
    [({"quantity": -1}, "quantity"), ({"kind": "people"}, "kind"), ({"unit": ""}, "unit")],
)
def test_invalid_resource_gets_422_naming_the_field(client, api, task, change, field):
    body = {"kind": "labour", "name": "Electricians", "quantity": 2, "unit": "people", **change}
    error = assert_error(_post(client, api, task, "resources", body), 422, "invalid_input")
    assert error["details"]["field"] == field


def test_records_of_an_unknown_task_get_404(client, api):
    for what in ("resources", "progress", "blockers"):
        response = client.get(api.url(f"/tasks/999/{what}"), headers=api.as_member)
        assert_error(response, 404, "not_found")


# ---------------------------------------------------------------- progress
DELAY = {
    "day": "2026-11-24",
    "type": "delayed",
    "reason": "awaiting ACCESS",
    "impact": "extend",
    "amount_days": 1,
    "comment": "Scaffold not ready",
}


def test_a_delay_is_recorded_with_its_reason_category_and_recorder(client, db, api, task, clock):
    created = _post(client, api, task, "progress", DELAY)
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["reason"] == "Awaiting access" and record["category"] == "space_access"
    assert record["reason_id"] == api.lists["reason"]
    assert record["by_user_id"] == api.member.user_id
    assert record["recorded_at"] == "2026-11-20T15:00:00Z"
    by_id = _post(
        client,
        api,
        task,
        "progress",
        {**DELAY, "reason": None, "reason_id": api.lists["reason"], "day": "2026-11-25"},
    )
    assert by_id.json()["reason"] == "Awaiting access"
    done = _post(client, api, task, "progress", {"day": "2026-11-27", "type": "complete"})
    assert done.json()["impact"] is None
    listed = client.get(api.url(f"/tasks/{task['id']}/progress"), headers=api.as_member)
    assert [r["type"] for r in listed.json()["items"]] == ["delayed", "delayed", "complete"]
    assert _actions(db, api).count("progress.create") == 3


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"reason": "Rain"}, "reason", "is not in project"),
        ({"reason": None}, "reason", "needs a reason"),
        ({"reason_id": 999, "reason": None}, "reason_id", "is not in project"),
        ({"reason_id": 1}, "reason", "not both"),
        ({"impact": None}, "impact", "needs an impact"),
        ({"amount_days": 0}, "amount_days", "at least 1"),
        ({"day": "2026-11-20"}, "day", "outside task"),
        ({"day": "2026-11-30"}, "day", "outside task"),
        ({"type": "on_schedule"}, "impact", "delays only"),
        ({"type": "late"}, "type", "'delayed'"),
    ],
)
def test_invalid_progress_gets_422_naming_the_field(client, api, task, change, field, words):
    error = assert_error(
        _post(client, api, task, "progress", {**DELAY, **change}), 422, "invalid_input"
    )
    assert error["details"]["field"] == field and words in error["message"]


def test_unknown_reason_lists_the_allowed_labels(client, api, task):
    response = _post(client, api, task, "progress", {**DELAY, "reason": "Rain"})
    error = assert_error(response, 422, "invalid_input")
    assert error["details"]["allowed"] == ["Awaiting access"]
    assert "Allowed: Awaiting access." in error["hint"]


def test_progress_update_corrects_a_record_and_keeps_the_rules(client, db, api, task):
    record = _post(client, api, task, "progress", DELAY).json()
    url = api.url(f"/tasks/{task['id']}/progress/{record['id']}")
    changed = client.patch(url, json={"amount_days": 2, "comment": None}, headers=api.as_member)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["amount_days"], changed.json()["comment"]) == (2, None)
    cleared = client.patch(url, json={"reason": None}, headers=api.as_member)
    assert assert_error(cleared, 422, "invalid_input")["details"]["field"] == "reason"
    to_done = client.patch(
        url, json={"type": "complete", "impact": None, "amount_days": 0}, headers=api.as_member
    )
    assert to_done.json()["type"] == "complete"
    assert "progress.update" in _actions(db, api)
    missing = api.url(f"/tasks/{task['id']}/progress/999")
    assert_error(client.patch(missing, json={}, headers=api.as_member), 404, "not_found")


# ---------------------------------------------------------------- blockers
def test_blocker_lifecycle_raise_update_resolve(client, db, api, task):
    created = _post(
        client, api, task, "blockers", {"title": "Approved drawings", "category": "design"}
    )
    assert created.status_code == 201, created.text
    blocker = created.json()
    assert blocker["raised_on"] == "2026-11-20"  # today in Europe/Zurich
    assert (blocker["category"], blocker["canonical_category"]) == (
        "Design",
        "information_design",
    )
    assert blocker["status"] == "open"
    url = api.url(f"/tasks/{task['id']}/blockers/{blocker['id']}")
    patched = client.patch(
        url, json={"due_on": "2026-11-25", "owner_id": api.admin.user_id}, headers=api.as_member
    )
    assert patched.json()["due_on"] == "2026-11-25"
    resolved = client.post(
        f"{url}/resolve", json={"resolved_on": "2026-11-24"}, headers=api.as_member
    )
    assert (resolved.json()["status"], resolved.json()["resolved_on"]) == ("resolved", "2026-11-24")
    again = client.post(f"{url}/resolve", headers=api.as_member)
    assert assert_error(again, 409, "conflict")["details"] == {"resolved_on": "2026-11-24"}
    listing = api.url(f"/tasks/{task['id']}/blockers")
    assert client.get(f"{listing}?status=open", headers=api.as_member).json()["items"] == []
    assert len(client.get(f"{listing}?status=resolved", headers=api.as_member).json()["items"]) == 1
    assert {"blocker.create", "blocker.update", "blocker.resolve"} <= set(_actions(db, api))


def test_resolve_without_body_means_today(client, api, task):
    blocker = _post(client, api, task, "blockers", {"title": "Permit"}).json()
    url = api.url(f"/tasks/{task['id']}/blockers/{blocker['id']}/resolve")
    assert client.post(url, headers=api.as_member).json()["resolved_on"] == "2026-11-20"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"title": "x", "category": "Weather"}, "category", "is not in project"),
        ({"title": "x", "due_on": "2026-11-01"}, "due_on", "cannot be before"),
        ({"title": "x", "owner_id": 999}, "owner_id", "is not a member"),
        ({"title": ""}, "title", "at least 1 character"),
    ],
)
def test_invalid_blocker_gets_422_naming_the_field(client, api, task, body, field, words):
    error = assert_error(_post(client, api, task, "blockers", body), 422, "invalid_input")
    assert error["details"]["field"] == field and words in error["message"]


def test_invalid_blocker_update_and_resolve_name_the_field(client, api, task):
    blocker = _post(
        client, api, task, "blockers", {"title": "Permit", "raised_on": "2026-11-18"}
    ).json()
    url = api.url(f"/tasks/{task['id']}/blockers/{blocker['id']}")
    bad_due = client.patch(url, json={"due_on": "2026-11-17"}, headers=api.as_member)
    assert assert_error(bad_due, 422, "invalid_input")["details"]["field"] == "due_on"
    bad_title = client.patch(url, json={"title": None}, headers=api.as_member)
    assert assert_error(bad_title, 422, "invalid_input")["details"]["field"] == "title"
    early = client.post(f"{url}/resolve", json={"resolved_on": "2026-11-17"}, headers=api.as_member)
    assert assert_error(early, 422, "invalid_input")["details"]["field"] == "resolved_on"
