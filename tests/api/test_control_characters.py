"""NUL and other C0 control characters are refused with a 422 naming the field or row, on
SQLite and PostgreSQL alike (PostgreSQL cannot store NUL, SQLite silently would); tab, line
feed and carriage return stay allowed in text. Server logs never carry row values."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from planbridge.http_errors import error_response
from tests.api.conftest import TASK
from tests.error_shape import assert_error
from tests.imports.apply_support import csv_file

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"]


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_a_task_field_is_a_422_naming_it(client, db, api, char):
    for field in ("name", "notes", "external_id"):
        body = {**TASK, field: f"Pour{char}slab"}

        response = client.post(api.url("/tasks"), json=body, headers=api.as_member)

        error = assert_error(response, 422, "invalid_input")
        assert error["details"]["field"] == field
        assert f"U+{ord(char):04X}" in error["message"]
    assert client.get(api.url("/tasks"), headers=api.as_member).json()["items"] == []


def test_tab_line_feed_and_carriage_return_stay_allowed(client, api):
    body = {**TASK, "notes": "Line one\r\nLine two\tend"}

    response = client.post(api.url("/tasks"), json=body, headers=api.as_member)

    assert response.status_code == 201, response.text
    assert response.json()["notes"] == "Line one\r\nLine two\tend"


def test_a_control_character_deep_in_a_bulk_body_names_its_place(client, api):
    tasks = [{**TASK, "external_id": f"B-{n}"} for n in range(4)]
    tasks[3]["name"] = "bad\x00name"

    response = client.post(
        api.url("/tasks/bulk-upsert"), json={"tasks": tasks}, headers=api.as_member
    )

    error = assert_error(response, 422, "invalid_input")
    assert error["details"]["field"] == "tasks[3].name"


def test_a_patch_with_a_nul_is_refused(client, api, new_task):
    task = new_task()
    response = client.patch(
        api.url(f"/tasks/{task['id']}"),
        json={"name": "x\x00"},
        headers={**api.as_member, "If-Match": f'"{task["row_version"]}"'},
    )

    assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/P%00X",
        "/api/v1/projects/P%00X/tasks",
        "/power-bi/v1/abc%00def",
        "/power-bi/v1/abc%00def/tables/tasks.csv",
        "/odata/v4/abc%00def/Tasks",
    ],
)
def test_a_nul_in_a_path_is_a_404_for_everyone(client, api, url):
    assert client.get(url).status_code == 404
    assert client.get(url, headers=api.as_member).status_code == 404


def test_a_nul_in_a_query_value_is_a_400(client, api, make_project):
    feed = make_project()
    for url, auth in [(api.url("/tasks"), api.as_member), (feed.url, feed.auth)]:
        response = client.get(url, params={"external_id": "a\x00"}, headers=auth)
        assert_error(response, 400, "invalid_parameter")


def test_an_import_with_a_nul_in_a_cell_names_its_row(client, db, api):
    data = csv_file(
        {"external_id": "R-1", "name": "Pour slab", "start": "2026-11-23", "duration_days": "2"},
        {
            "external_id": "R-2",
            "name": "Strike\x00forms",
            "start": "2026-11-25",
            "duration_days": "1",
        },
    )

    response = client.post(
        api.url("/imports"),
        content=data,
        params={"filename": "plan.csv"},
        headers={**api.as_member, "Content-Type": "text/csv"},
    )

    error = assert_error(response, 422, "import_rejected")
    problems = error["details"]["problems"]
    assert any(p["location"] == "row 3" and p["field"] == "name" for p in problems), problems
    assert client.get(api.url("/tasks"), headers=api.as_member).json()["items"] == []


def test_an_unexpected_database_error_is_logged_without_row_values(client, db, caplog):
    secret_value = "row-value-7f3a"

    app = client.app

    @app.get("/test-only/boom")
    def boom():
        with db.transaction() as session:
            session.execute(
                text("SELECT no_such_column FROM projects WHERE code = :c"), {"c": secret_value}
            )
        return error_response(200, "ok", "unreachable")

    with (
        caplog.at_level(logging.ERROR, logger="planbridge"),
        TestClient(app, raise_server_exceptions=False) as plain,
    ):
        response = plain.get("/test-only/boom")

    assert_error(response, 500, "internal_error")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    logged = "\n".join(
        r.getMessage()
        + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        + str(getattr(r, "fields", ""))
        for r in caplog.records
    )
    assert "no_such_column" in logged or "OperationalError" in logged or "Error" in logged
    assert secret_value not in logged
