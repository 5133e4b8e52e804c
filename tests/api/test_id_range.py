"""Ids outside the database's integer range are a 404 (in the path) or a 422 (in a body), on
SQLite and PostgreSQL alike, with or without a token — never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import TASK
from tests.error_shape import assert_error

TOO_BIG = [2**31, 2**63, 10**30]
"""Past PostgreSQL's ``integer`` (2^31-1), past SQLite's and ``bigint``'s (2^63-1), and far."""


@pytest.mark.parametrize("big", TOO_BIG)
def test_a_project_id_out_of_range_is_a_404_without_a_token(client, api, big):
    assert_error(client.get(f"/api/v1/projects/{big}"), 404, "project_not_found")
    assert_error(client.get(f"/api/v1/projects/{big}/tasks"), 404, "project_not_found")


def test_a_numeric_project_ref_in_range_still_finds_the_project(client, api):
    response = client.get(f"/api/v1/projects/{api.project.id}", headers=api.as_member)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("big", TOO_BIG)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/tasks/{big}"),
        ("PATCH", "/tasks/{big}"),
        ("DELETE", "/tasks/{big}"),
        ("DELETE", "/links/{big}"),
        ("GET", "/tasks/{big}/resources"),
        ("DELETE", "/tasks/{task}/resources/{big}"),
        ("GET", "/tasks/{big}/progress"),
        ("PATCH", "/tasks/{task}/progress/{big}"),
        ("POST", "/tasks/{task}/blockers/{big}/resolve"),
    ],
)
def test_an_id_out_of_range_in_the_path_is_a_404(client, api, new_task, big, method, path):
    task = new_task()["id"]
    url = api.url(path.format(big=big, task=task))
    headers = {**api.as_member, "If-Match": '"1"'}

    authenticated = client.request(method, url, json={}, headers=headers)
    anonymous = client.request(method, url, json={})

    assert_error(authenticated, 404, "not_found")
    assert anonymous.status_code in (401, 404), anonymous.text


@pytest.mark.parametrize("big", TOO_BIG)
def test_an_id_out_of_range_in_a_query_filter_is_a_400(client, api, big):
    response = client.get(api.url("/links"), params={"task_id": big}, headers=api.as_member)

    assert_error(response, 400, "invalid_parameter")


@pytest.mark.parametrize("big", TOO_BIG)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/tasks", {**TASK, "parent_id": "{big}"}),
        ("/tasks", {**TASK, "subcontractor_id": "{big}"}),
        ("/tasks", {**TASK, "assignee_ids": ["{big}"]}),
        ("/links", {"predecessor_id": "{big}", "successor_id": 1}),
    ],
)
def test_an_id_out_of_range_in_a_body_is_a_422_naming_the_field(client, api, big, path, body):
    filled = {k: _fill(v, big) for k, v in body.items()}

    response = client.post(api.url(path), json=filled, headers=api.as_member)

    error = assert_error(response, 422, "invalid_input")
    assert "out of range" in error["message"]
    assert error["details"]["field"].split("[")[0] in body


def _fill(value, big):
    if value == "{big}":
        return big
    if isinstance(value, list):
        return [_fill(v, big) for v in value]
    return value
