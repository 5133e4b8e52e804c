"""Bulk upsert by external_id: names or ids resolved, one idempotent call, every problem named
by item and field, dry run and prune, audited."""

from __future__ import annotations

from sqlalchemy import select

from planbridge import audit
from planbridge.planning.enums import TaskStatus
from planbridge.planning.models import Task
from tests.api.conftest import TASK
from tests.error_shape import assert_error
from tests.imports.apply_support import snapshot

SKIP = ("personal_access_tokens",)  # a token's last use is recorded in its own transaction


def _item(external_id: str, **fields):
    return {"external_id": external_id, "name": f"Task {external_id}", **TASK, **fields}


def _call(client, api, tasks, *, headers=None, **options):
    return client.post(
        api.url("/tasks/bulk-upsert"),
        json={"tasks": tasks, **options},
        headers=headers or api.as_member,
    )


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def _tasks(db, api):
    with db.transaction() as session:
        rows = session.scalars(select(Task).where(Task.project_id == api.project.id)).all()
        return {t.external_id or t.activity_id: _plain(t) for t in rows}


def _plain(task):
    return {
        "id": task.id,
        "name": task.name,
        "activity_id": task.activity_id,
        "end_date": task.end_date.isoformat(),
        "duration_days": task.duration_days,
        "subcontractor_id": task.subcontractor_id,
        "location_id": task.location_id,
        "folder_id": task.folder_id,
        "package_id": task.package_id,
        "calendar_id": task.calendar_id,
        "parent_id": task.parent_id,
        "status": task.status,
        "row_version": task.row_version,
    }


def _events(db, api, action):
    with db.transaction() as session:
        return [e for e in audit.events(session, api.project.id) if e.action == action]


SYNC = [
    _item("EL-1", subcontractor="sparks ltd", location=" Level 01 ", folder="1.1", package="WP01"),
    _item("EL-2", subcontractor_id=None, end_date="2026-11-30", duration_days=None),
    _item("EL-3", calendar="Standard", parent_external_id="EL-1", tags=["lookahead"]),
]


def test_creates_tasks_resolving_names_and_reports_ids(client, db, api):
    out = _ok(_call(client, api, SYNC))

    assert out["counts"] == {"added": 3, "updated": 0, "unchanged": 0, "missing": 0, "pruned": 0}
    assert out["added"] == ["EL-1", "EL-2", "EL-3"] and out["dry_run"] is False
    assert out["activity_ids"] == {"EL-1": "A-0001", "EL-2": "A-0002", "EL-3": "A-0003"}
    tasks = _tasks(db, api)
    assert {ext: task["id"] for ext, task in tasks.items()} == out["task_ids"]
    lists = api.lists
    first = tasks["EL-1"]
    assert (first["subcontractor_id"], first["location_id"], first["folder_id"]) == (
        lists["subcontractor"],
        lists["location"],
        lists["folder"],
    )
    assert first["package_id"] == lists["package"] and first["end_date"] == "2026-11-25"
    assert tasks["EL-2"]["duration_days"] == 6  # Mon..Mon over a weekend
    assert tasks["EL-3"]["parent_id"] == first["id"]
    assert tasks["EL-3"]["calendar_id"] == lists["calendar"]
    [event] = _events(db, api, "task.bulk_upsert")
    assert event.actor == api.member.label and event.details["via"].startswith("pat ")
    assert event.details["added"] == 3 and event.details["fields"] == "all"


def test_the_same_call_twice_changes_nothing_the_second_time(client, db, api):
    _ok(_call(client, api, SYNC))
    before = _tasks(db, api)

    again = _ok(_call(client, api, SYNC))

    assert again["counts"] == {"added": 0, "updated": 0, "unchanged": 3, "missing": 0, "pruned": 0}
    assert again["unchanged"] == ["EL-1", "EL-2", "EL-3"]
    assert set(again["task_ids"]) == {"EL-1", "EL-2", "EL-3"} and again["activity_ids"] == {}
    assert _tasks(db, api) == before


def test_a_changed_task_is_updated_with_a_new_version_and_ids_work_as_well_as_names(
    client, db, api
):
    _ok(_call(client, api, SYNC))
    changed = [
        {**SYNC[0], "name": "Renamed", "subcontractor": None, "subcontractor_id": None},
        SYNC[1],
        {**SYNC[2], "calendar": None, "calendar_id": api.lists["calendar"]},
    ]

    out = _ok(_call(client, api, changed))

    assert (out["updated"], out["unchanged"]) == (["EL-1"], ["EL-2", "EL-3"])
    first = _tasks(db, api)["EL-1"]
    assert (first["name"], first["subcontractor_id"], first["row_version"]) == ("Renamed", None, 2)
    assert client.get(api.url(f"/tasks/{first['id']}"), headers=api.as_member).headers["ETag"] == (
        '"2"'
    )


def test_every_problem_is_named_by_item_and_field_and_nothing_is_written(client, db, api):
    before = snapshot(db, skip=SKIP)
    bad = [
        _item("A", subcontractor="Nobody"),
        _item("B", folder="9.9", location_id=999),
        _item("A"),
        _item("C", calendar="Night shift", start_date="2026-11-21"),
        _item("D", start_date="2026-11-21"),
        _item("E", package="WP01", package_id=api.lists["package"]),
        _item("F", owner_id=999, assignee_ids=[api.admin.user_id, 998]),
        _item("G", parent_external_id="NOPE"),
        _item("H", end_date="2026-11-24", duration_days=3),
    ]

    error = assert_error(_call(client, api, bad), 422, "invalid_input")

    found = [(p["index"], p["field"]) for p in error["details"]["errors"]]
    assert found == [
        (0, "tasks[0].subcontractor"),
        (1, "tasks[1].location_id"),
        (1, "tasks[1].folder"),
        (2, "tasks[2].external_id"),
        (3, "tasks[3].calendar"),
        (4, "tasks[4].start_date"),
        (5, "tasks[5].package"),
        (6, "tasks[6].owner_id"),
        (6, "tasks[6].assignee_ids[1]"),
        (8, "tasks[8].duration_days"),
        (7, "tasks[7].parent_external_id"),
    ]
    messages = {p["field"]: p["message"] for p in error["details"]["errors"]}
    assert "'Nobody' is not a subcontractor of project" in messages["tasks[0].subcontractor"]
    assert "also the external_id of tasks[0]" in messages["tasks[2].external_id"]
    assert "The next working day is 2026-11-23" in messages["tasks[4].start_date"]
    assert "not both" in messages["tasks[5].package"]
    assert error["message"].startswith("tasks[0].subcontractor: 'Nobody'")
    assert "(and 10 more problems)" in error["message"]
    assert error["details"]["field"] == "tasks[0].subcontractor"
    assert snapshot(db, skip=SKIP) == before


def test_schema_problems_name_the_item_and_field(client, api):
    error = assert_error(
        _call(client, api, [_item("A"), _item("B", duration_days=0, colour="red")]),
        422,
        "invalid_input",
    )
    fields = {p["field"] for p in error["details"]["errors"]}
    assert fields == {"tasks[1].duration_days", "tasks[1].colour"}
    assert_error(_call(client, api, []), 422, "invalid_input")
    assert_error(_call(client, api, [_item("A")], fields=["colour"]), 422, "invalid_input")


def test_parents_may_come_later_in_the_call_but_never_make_a_loop(client, db, api):
    out = _ok(_call(client, api, [_item("CHILD", parent_external_id="PARENT"), _item("PARENT")]))
    tasks = _tasks(db, api)
    assert tasks["CHILD"]["parent_id"] == out["task_ids"]["PARENT"]

    loop = [
        _item("CHILD", parent_external_id="PARENT"),
        _item("PARENT", parent_external_id="CHILD"),
        _item("SELF", parent_external_id="SELF"),
    ]
    error = assert_error(_call(client, api, loop), 422, "invalid_input")
    problems = {p["field"]: p["message"] for p in error["details"]["errors"]}
    assert problems["tasks[2].parent_external_id"] == "is the task itself"
    assert "own ancestor (CHILD → PARENT → CHILD)" in problems["tasks[0].parent_external_id"]
    assert "own ancestor" in problems["tasks[1].parent_external_id"]
    assert _tasks(db, api) == tasks


def test_a_loop_through_a_stored_parent_is_refused(client, api):
    _ok(_call(client, api, [_item("TOP"), _item("LOW", parent_external_id="TOP")]))

    error = assert_error(
        _call(client, api, [_item("TOP", parent_external_id="LOW")]), 422, "invalid_input"
    )

    assert "own ancestor (TOP → LOW → TOP)" in error["message"]


def test_dry_run_reports_and_changes_nothing(client, db, api):
    _ok(_call(client, api, SYNC[:1]))
    before = snapshot(db, skip=SKIP)

    out = _ok(_call(client, api, [{**SYNC[0], "name": "New name"}, SYNC[1]], dry_run=True))

    assert out["dry_run"] is True
    assert (out["added"], out["updated"]) == (["EL-2"], ["EL-1"])
    assert "EL-2" not in out["task_ids"] and out["activity_ids"] == {"EL-2": "A-0002"}
    assert snapshot(db, skip=SKIP) == before


def test_prune_needs_an_admin_and_removes_only_synced_tasks(client, db, api, new_task):
    hand_made = new_task(name="Made by hand")
    _ok(_call(client, api, SYNC))

    error = assert_error(_call(client, api, SYNC[:1], prune=True), 403, "not_project_admin")
    assert "prune tasks" in error["message"]
    dry = _ok(_call(client, api, SYNC[:1], prune=True, dry_run=True, headers=api.as_admin))
    assert dry["pruned"] == ["EL-2", "EL-3"] and len(_tasks(db, api)) == 4

    kept = _ok(_call(client, api, SYNC[:1]))
    assert (kept["missing"], kept["pruned"]) == (["EL-2", "EL-3"], [])

    out = _ok(_call(client, api, SYNC[:1], prune=True, headers=api.as_admin))

    assert out["counts"]["pruned"] == 2 and out["pruned"] == ["EL-2", "EL-3"]
    assert set(_tasks(db, api)) == {"EL-1", hand_made["activity_id"]}
    [*_, event] = _events(db, api, "task.bulk_upsert")
    assert event.actor == api.admin.label and event.details["pruned"] == 2


def test_fields_limit_what_a_sync_overwrites(client, db, api):
    _ok(_call(client, api, SYNC[:1]))
    task_id = _tasks(db, api)["EL-1"]["id"]
    response = client.patch(
        api.url(f"/tasks/{task_id}"),
        json={"status": "in_progress"},
        headers={**api.as_member, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    nightly = [{**SYNC[0], "name": "From P6", "duration_days": 4}]

    out = _ok(_call(client, api, nightly, fields=["name", "duration_days"]))

    assert out["updated"] == ["EL-1"]
    task = _tasks(db, api)["EL-1"]
    assert (task["name"], task["duration_days"], task["end_date"]) == (
        "From P6",
        4,
        "2026-11-26",
    )
    assert task["status"] == TaskStatus.in_progress  # not owned: PlanBridge's value stays
    again = _ok(_call(client, api, nightly, fields=["name", "duration_days"]))
    assert again["unchanged"] == ["EL-1"]
    [*_, event] = _events(db, api, "task.bulk_upsert")
    assert event.details["fields"] == [
        "calendar_id",
        "duration_days",
        "end_date",
        "name",
        "start_date",
    ]


def test_options_belong_in_the_body_and_auth_is_required(client, api):
    response = client.post(
        api.url("/tasks/bulk-upsert?dry_run=true"), json={"tasks": SYNC}, headers=api.as_member
    )
    error = assert_error(response, 400, "invalid_parameter")
    assert error["details"]["field"] == "dry_run" and "JSON body" in error["hint"]
    assert_error(
        client.post(api.url("/tasks/bulk-upsert"), json={"tasks": SYNC}), 401, "invalid_token"
    )
    feed = {"Authorization": f"Bearer {api.feed_token}"}
    assert_error(_call(client, api, SYNC, headers=feed), 401, "invalid_token")
