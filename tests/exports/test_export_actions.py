"""Export actions over HTTP: admins save them, members run, preview and download them; the
file equals the feed's CSV of the same rows, its manifest tells its rows and SHA-256, Range
works, and the download cap refuses with the clear message before a byte is sent."""

from __future__ import annotations

import csv
import hashlib
import io

from planbridge.actors import OPERATOR
from planbridge.audit import events
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from tests.conftest import issue_token
from tests.connector_fixtures import access_token, bearer
from tests.error_shape import assert_error

BASE = "/api/v1/connector/projects/QST/exports"


def new_action(client, token, **fields):
    body = {"name": "All tasks", "table": "tasks", "format": "csv", **fields}
    return client.post(BASE, json=body, headers=bearer(token))


def test_admin_saves_an_action_and_members_see_it(make_client, team, tmp_path, db):
    client = make_client(exports_dir=str(tmp_path))
    admin, member = access_token(client, team.admin), access_token(client, team.member)

    created = new_action(client, admin, columns=["task_id", "name", "status"])
    assert created.status_code == 201, created.text
    assert created.json()["columns"] == ["task_id", "name", "status"]

    listed = client.get(BASE, headers=bearer(member)).json()["export_actions"]
    assert [a["name"] for a in listed] == ["All tasks"]
    with db.transaction() as session:
        assert [e.action for e in events(session, team.project.id)][-1] == "export_action.create"


def test_a_member_may_not_save_and_an_outsider_sees_no_project(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    member, outsider = access_token(client, team.member), access_token(client, team.outsider)
    assert_error(new_action(client, member), 403, "not_project_admin")
    assert_error(client.get(BASE, headers=bearer(outsider)), 404, "project_not_found")


def test_bad_definitions_are_named(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    admin = access_token(client, team.admin)
    assert_error(new_action(client, admin, table="nope"), 422, "invalid_input")
    assert_error(new_action(client, admin, format="xlsx"), 422, "invalid_input")
    assert_error(new_action(client, admin, columns=["name", "colour"]), 422, "invalid_input")
    bad_filter = [{"column": "duration_days", "op": "gt", "value": "three"}]
    assert_error(new_action(client, admin, filters=bad_filter), 422, "invalid_input")
    new_action(client, admin)
    assert_error(new_action(client, admin), 409, "conflict")


def test_the_file_equals_the_feed_csv_of_the_same_version(make_client, team, tmp_path, db, clock):
    client = make_client(exports_dir=str(tmp_path))
    admin = access_token(client, team.admin)
    action = new_action(client, admin, bom=True).json()
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        integrations.set_integration(session, project, OPERATOR, enabled=True)
    feed_token = issue_token(db, team.project, clock.now)
    feed_csv = client.get(
        f"/power-bi/v1/{team.project.api_id}/tables/tasks.csv?limit=1&bom=true",
        headers=bearer(feed_token),
    )
    assert feed_csv.status_code == 200

    download = client.get(f"{BASE}/{action['id']}/download", headers=bearer(admin))
    assert download.status_code == 200
    assert download.content == feed_csv.content
    assert download.headers["x-planbridge-sha256"] == hashlib.sha256(download.content).hexdigest()
    assert download.headers["x-planbridge-rows"] == "3"
    assert download.headers["content-type"].startswith("text/csv")


def test_a_run_writes_one_immutable_file_per_version_with_a_manifest(
    make_client, team, tmp_path, db, clock
):
    from tests.builders import publish_at

    client = make_client(exports_dir=str(tmp_path))
    admin = access_token(client, team.admin)
    new_action(client, admin, versions=2)
    first = client.post(f"{BASE}/All tasks/run", headers=bearer(admin)).json()["files"]
    assert [(f["version"], f["written_now"]) for f in first] == [(1, True)]

    clock.advance(days=7)
    publish_at(db, team.project, clock.now, name="Week 48")
    admin = access_token(client, team.admin)
    second = client.post(f"{BASE}/All tasks/run", headers=bearer(admin)).json()["files"]
    assert [(f["version"], f["written_now"]) for f in second] == [(2, True), (1, False)]
    assert second[1]["sha256"] == first[0]["sha256"]
    files = sorted(p for p in tmp_path.rglob("*.csv"))
    assert len(files) == 2
    for manifest in second:
        (path,) = [p for p in files if p.name.startswith(f"v{manifest['version']}-")]
        data = path.read_bytes()
        assert len(data) == manifest["bytes"]
        assert hashlib.sha256(data).hexdigest() == manifest["sha256"]
        assert len(list(csv.reader(io.StringIO(data.decode())))) - 1 == manifest["rows"]
    old = client.get(f"{BASE}/All tasks/download?version=1", headers=bearer(admin))
    assert hashlib.sha256(old.content).hexdigest() == first[0]["sha256"]
    with db.transaction() as session:
        runs = [e for e in events(session, team.project.id) if e.action == "export_action.run"]
    assert [e.details["files_written"] for e in runs] == [1, 1]  # repeats are not audited


def test_txt_is_tab_separated_with_the_chosen_columns_and_filters(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    admin = access_token(client, team.admin)
    filters = [{"column": "type", "op": "eq", "value": "milestone"}]
    action = new_action(
        client, admin, name="Milestones", format="txt", columns=["name", "type"], filters=filters
    ).json()
    download = client.get(f"{BASE}/{action['id']}/download", headers=bearer(admin))
    assert download.headers["content-type"].startswith("text/tab-separated-values")
    assert download.content == b"name\ttype\r\nPower on\tmilestone\r\n"


def test_range_requests_get_the_asked_bytes(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    admin = access_token(client, team.admin)
    new_action(client, admin)
    whole = client.get(f"{BASE}/All tasks/download", headers=bearer(admin)).content
    part = client.get(
        f"{BASE}/All tasks/download", headers={**bearer(admin), "Range": "bytes=10-29"}
    )
    assert part.status_code == 206
    assert part.content == whole[10:30]


def test_over_the_cap_a_run_is_refused_with_the_clear_message_and_writes_nothing(
    make_client, team, tmp_path
):
    client = make_client(exports_dir=str(tmp_path), export_max_mb=0.0001)  # about 104 bytes
    admin = access_token(client, team.admin)
    new_action(client, admin)
    response = client.get(f"{BASE}/All tasks/download", headers=bearer(admin))
    error = assert_error(response, 422, "download_too_large")
    assert error["message"] == "PlanBridge supports file downloads up to 0.0001 MB in size."
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert_error(
        client.post(f"{BASE}/All tasks/run", headers=bearer(admin)), 422, "download_too_large"
    )


def test_a_written_file_over_a_lowered_cap_is_refused_before_any_byte(make_client, team, tmp_path):
    roomy = make_client(exports_dir=str(tmp_path))
    admin = access_token(roomy, team.admin)
    new_action(roomy, admin)
    assert roomy.post(f"{BASE}/All tasks/run", headers=bearer(admin)).status_code == 200
    tight = make_client(exports_dir=str(tmp_path), export_max_mb=0.0001)
    response = tight.get(f"{BASE}/All tasks/download", headers=bearer(admin))
    assert_error(response, 422, "download_too_large")
    assert b"task_id" not in response.content


def test_the_default_cap_is_said_as_5_gb(make_client, team, tmp_path):
    from planbridge.exports.service import too_large

    assert too_large(5120).message == "PlanBridge supports file downloads up to 5 GB in size."


def test_no_token_is_401_and_a_token_in_the_url_is_refused(make_client, team, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    assert_error(client.get(BASE), 401, "invalid_token")
    token = access_token(client, team.admin)
    assert_error(client.get(f"{BASE}?access_token={token}"), 400, "token_in_query")
