"""Tasks through the Plan API: create, read, update, delete, list; every write audited; every
invalid input named by its field."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from planbridge import audit
from planbridge.planning import service as plan
from planbridge.planning.models import Task, TaskResource
from tests.api.conftest import TASK
from tests.error_shape import assert_error


def _events(db, api, action):
    with db.transaction() as session:
        return [e for e in audit.events(session, api.project.id) if e.action == action]


def test_create_returns_201_with_etag_location_and_next_activity_id(client, db, api):
    lists = api.lists
    body = {
        **TASK,
        "external_id": "EL-1040",
        "subcontractor_id": lists["subcontractor"],
        "location_id": lists["location"],
        "folder_id": lists["folder"],
        "package_id": lists["package"],
        "owner_id": api.member.user_id,
        "assignee_ids": [api.admin.user_id],
        "tags": ["lookahead"],
        "committed": True,
    }
    response = client.post(api.url("/tasks"), json=body, headers=api.as_member)
    assert response.status_code == 201, response.text
    task = response.json()
    assert task["activity_id"] == "A-0001"
    assert (task["start_date"], task["end_date"], task["duration_days"]) == (
        "2026-11-23",
        "2026-11-25",
        3,
    )
    assert task["row_version"] == 1 and response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == api.url(f"/tasks/{task['id']}")
    assert {k: task[k] for k in body} == body
    [event] = _events(db, api, "task.create")
    assert event.actor == api.member.label and event.details["via"].startswith("pat ")


def test_end_date_alone_gives_the_duration_in_working_days(new_task):
    task = new_task(duration_days=None, end_date="2026-11-30")  # Mon..Mon over a weekend
    assert task["duration_days"] == 6


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"end_date": "2026-11-20"}, "end_date", "is before start_date"),
        ({"duration_days": 0}, "duration_days", "greater than or equal to 1"),
        ({"start_date": "2026-11-21"}, "start_date", "not a working day"),
        ({"end_date": "2026-11-26"}, "duration_days", "disagrees"),
        ({"subcontractor_id": 999}, "subcontractor_id", "is not a subcontractor of project"),
        ({"location_id": 999}, "location_id", "is not a location"),
        ({"folder_id": 999}, "folder_id", "is not a folder"),
        ({"calendar_id": 999}, "calendar_id", "is not a calendar"),
        ({"parent_id": 999}, "parent_id", "is not a task"),
        ({"owner_id": 999}, "owner_id", "is not a member"),
        ({"assignee_ids": [999]}, "assignee_ids", "is not a member"),
        ({"status": "done"}, "status", "'backlog', 'planned'"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"start_date": "next monday"}, "start_date", "valid date"),
        ({"subcontractor": "Sparks"}, "subcontractor", "Extra inputs are not permitted"),
        ({"tags": ["x" * 101]}, "tags[0]", "at most 100 characters"),
    ],
)
def test_invalid_task_gets_422_naming_the_field(client, api, change, field, words):
    response = client.post(api.url("/tasks"), json={**TASK, **change}, headers=api.as_member)
    error = assert_error(response, 422, "invalid_input")
    assert error["details"]["field"] == field
    assert words in error["message"]


def test_every_body_problem_is_listed(client, api):
    response = client.post(
        api.url("/tasks"), json={"duration_days": 0, "shift": "dawn"}, headers=api.as_member
    )
    error = assert_error(response, 422, "invalid_input")
    fields = [e["field"] for e in error["details"]["errors"]]
    assert set(fields) == {"name", "start_date", "duration_days", "shift"}
    assert "(and 3 more problems)" in error["message"]


def test_malformed_json_or_no_body_gets_422(client, api):
    headers = {**api.as_member, "Content-Type": "application/json"}
    broken = client.post(api.url("/tasks"), content=b"{nope", headers=headers)
    assert "not valid JSON" in assert_error(broken, 422, "invalid_input")["message"]
    empty = client.post(api.url("/tasks"), headers=api.as_member)
    assert "JSON body is required" in assert_error(empty, 422, "invalid_input")["message"]


def test_duplicate_external_or_activity_id_gets_409_naming_the_other_task(client, api, new_task):
    first = new_task(external_id="EL-1", activity_id="X-1")
    for field, value in (("external_id", "EL-1"), ("activity_id", "X-1")):
        response = client.post(
            api.url("/tasks"), json={**TASK, field: value}, headers=api.as_member
        )
        error = assert_error(response, 409, "conflict")
        assert error["details"] == {"field": field, "task_id": first["id"]}


def test_activity_ids_stay_unique_after_a_delete(client, api, new_task):
    a, b = new_task(), new_task()
    client.delete(api.url(f"/tasks/{a['id']}"), headers={**api.as_member, "If-Match": '"1"'})
    assert new_task()["activity_id"] not in {b["activity_id"]}


def test_get_returns_etag_and_304_when_unchanged(client, api, new_task):
    task = new_task()
    response = client.get(api.url(f"/tasks/{task['id']}"), headers=api.as_member)
    assert response.json() == task and response.headers["ETag"] == '"1"'
    again = client.get(
        api.url(f"/tasks/{task['id']}"), headers={**api.as_member, "If-None-Match": '"1"'}
    )
    assert again.status_code == 304


def test_unknown_task_gets_404_and_another_projects_task_too(client, api, make_api_project):
    assert_error(client.get(api.url("/tasks/999"), headers=api.as_member), 404, "not_found")
    other = make_api_project()
    theirs = client.post(other.url("/tasks"), json=TASK, headers=other.as_member).json()
    response = client.get(api.url(f"/tasks/{theirs['id']}"), headers=api.as_member)
    assert_error(response, 404, "not_found")


def test_non_numeric_task_id_gets_400_naming_it(client, api):
    error = assert_error(
        client.get(api.url("/tasks/abc"), headers=api.as_member), 400, "invalid_parameter"
    )
    assert error["details"]["field"] == "task_id"


def test_patch_changes_only_sent_fields_and_bumps_the_version(client, db, api, clock, new_task):
    task = new_task(notes="old")
    clock.advance(hours=1)
    response = client.patch(
        api.url(f"/tasks/{task['id']}"),
        json={"status": "in_progress", "notes": None},
        headers={**api.as_member, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["notes"], body["name"]) == ("in_progress", None, task["name"])
    assert body["row_version"] == 2 and response.headers["ETag"] == '"2"'
    assert body["updated_at"] == "2026-11-20T16:00:00Z"
    [event] = _events(db, api, "task.update")
    assert event.details["fields"] == ["notes", "status"]


def test_patch_that_changes_nothing_keeps_the_version(client, api, new_task):
    task = new_task()
    response = client.patch(
        api.url(f"/tasks/{task['id']}"),
        json={"name": task["name"]},
        headers={**api.as_member, "If-Match": '"1"'},
    )
    assert response.json()["row_version"] == 1


def test_patch_replans_dates(client, api, new_task):
    task = new_task()  # Mon 23 .. Wed 25, 3 days
    url = api.url(f"/tasks/{task['id']}")

    def patch(version, **change):
        response = client.patch(url, json=change, headers={**api.as_member, "If-Match": version})
        assert response.status_code == 200, response.text
        return response.json()

    moved = patch('"1"', start_date="2026-11-25")
    assert (moved["end_date"], moved["duration_days"]) == ("2026-11-27", 3)
    longer = patch('"2"', duration_days=4)
    assert longer["end_date"] == "2026-11-30"
    shorter = patch('"3"', end_date="2026-11-26")
    assert shorter["duration_days"] == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"start_date": None}, "start_date"),
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"parent_id": "self"}, "parent_id"),
        ({"folder_id": 999}, "folder_id"),
    ],
)
def test_invalid_patch_gets_422_and_changes_nothing(client, api, new_task, change, field):
    task = new_task()
    if change.get("parent_id") == "self":
        change = {"parent_id": task["id"]}
    url = api.url(f"/tasks/{task['id']}")
    response = client.patch(url, json=change, headers={**api.as_member, "If-Match": '"1"'})
    assert assert_error(response, 422, "invalid_input")["details"]["field"] == field
    assert client.get(url, headers=api.as_member).json() == task


def test_a_parent_cannot_become_its_own_descendant(client, api, new_task):
    parent = new_task()
    child = new_task(parent_id=parent["id"])
    response = client.patch(
        api.url(f"/tasks/{parent['id']}"),
        json={"parent_id": child["id"]},
        headers={**api.as_member, "If-Match": '"1"'},
    )
    assert "own ancestor" in assert_error(response, 422, "invalid_input")["message"]


def test_delete_removes_the_task_and_its_records_and_frees_its_children(client, db, api, new_task):
    parent = new_task()
    child = new_task(parent_id=parent["id"])
    client.post(
        api.url(f"/tasks/{parent['id']}/resources"),
        json={"kind": "labour", "name": "Electricians", "quantity": 2, "unit": "people"},
        headers=api.as_member,
    )
    response = client.delete(
        api.url(f"/tasks/{parent['id']}"), headers={**api.as_member, "If-Match": '"1"'}
    )
    assert response.status_code == 204
    assert_error(
        client.get(api.url(f"/tasks/{parent['id']}"), headers=api.as_member), 404, "not_found"
    )
    orphan = client.get(api.url(f"/tasks/{child['id']}"), headers=api.as_member).json()
    assert orphan["parent_id"] is None and orphan["row_version"] == 2
    with db.transaction() as session:
        assert session.scalars(select(TaskResource)).all() == []
    [event] = _events(db, api, "task.delete")
    assert event.details["name"] == parent["name"]


def test_list_filters_by_each_field(client, db, api, clock, new_task):
    lists = api.lists
    a = new_task(subcontractor_id=lists["subcontractor"], external_id="P6-1", committed=True)
    b = new_task(location_id=lists["location"], folder_id=lists["folder"], status="backlog")
    c = new_task(package_id=lists["package"], type="milestone", parent_id=a["id"])
    clock.advance(days=1)
    client.patch(
        api.url(f"/tasks/{b['id']}"),
        json={"notes": "later"},
        headers={**api.as_member, "If-Match": '"1"'},
    )

    def ids(query):
        response = client.get(api.url(f"/tasks?{query}"), headers=api.as_member)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert ids("") == [a["id"], b["id"], c["id"]]
    assert ids(f"subcontractor_id={lists['subcontractor']}") == [a["id"]]
    assert ids(f"location_id={lists['location']}") == [b["id"]]
    assert ids(f"folder_id={lists['folder']}") == [b["id"]]
    assert ids(f"package_id={lists['package']}") == [c["id"]]
    assert ids("status=backlog&status=planned") == [a["id"], b["id"], c["id"]]
    assert ids("status=backlog") == [b["id"]]
    assert ids("external_id=P6-1") == [a["id"]]
    assert ids("type=milestone") == [c["id"]]
    assert ids(f"parent_id={a['id']}") == [c["id"]]
    assert ids("committed=true") == [a["id"]]
    assert ids("updated_since=2026-11-21T00:00:00Z") == [b["id"]]


def test_list_pages_with_a_cursor(client, api, new_task):
    made = [new_task()["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(api.url(f"/tasks?{query}"), headers=api.as_member).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("statuss=planned", "statuss"),
        ("status=done", "status[0]"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=abc", "cursor"),
        ("updated_since=2026-11-21T00:00:00", "updated_since"),
        ("updated_since=yesterday", "updated_since"),
    ],
)
def test_bad_list_parameter_gets_400_naming_it(client, api, query, field):
    response = client.get(api.url(f"/tasks?{query}"), headers=api.as_member)
    assert assert_error(response, 400, "invalid_parameter")["details"]["field"] == field


def test_service_functions_flush_and_leave_commit_to_the_caller(db, api, clock):
    with pytest.raises(RuntimeError), db.transaction() as session:
        plan.create_task(
            session,
            api.project,
            {"name": "Rolled back", "start_date": dt.date(2026, 11, 23)},
            now=clock.now,
        )
        raise RuntimeError
    with db.transaction() as session:
        assert session.scalars(select(Task)).all() == []
