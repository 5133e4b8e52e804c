"""The project's lists: members read them, admins add to them; names are unique."""

from __future__ import annotations

import pytest

from planbridge import audit
from tests.error_shape import assert_error

LISTS = [
    ("subcontractors", {"name": "Tiling Ltd", "trade": "Finishes"}, "name"),
    ("locations", {"name": "Level 02", "kind": "level"}, "name"),
    ("folders", {"code": "1.2", "name": "Services"}, "code"),
    ("packages", {"name": "WP02 Mechanical"}, "name"),
    ("delay-reasons", {"label": "Rain", "category": "weather"}, "label"),
    ("blocker-categories", {"label": "Permit", "category": "permits_external"}, "label"),
]


@pytest.mark.parametrize(("path", "body", "key"), LISTS)
def test_admin_adds_member_reads(client, db, api, path, body, key):
    created = client.post(api.url(f"/{path}"), json=body, headers=api.as_admin)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in body} == body
    listed = client.get(api.url(f"/{path}"), headers=api.as_member).json()["items"]
    assert created.json() in listed and len(listed) == 2
    with db.transaction() as session:
        assert [e for e in audit.events(session, api.project.id) if e.action.endswith(".create")]


@pytest.mark.parametrize(("path", "body", "key"), LISTS)
def test_a_member_cannot_add_to_lists(client, api, path, body, key):
    response = client.post(api.url(f"/{path}"), json=body, headers=api.as_member)
    assert "Only project admins" in assert_error(response, 403, "not_project_admin")["message"]


@pytest.mark.parametrize(("path", "body", "key"), LISTS)
def test_duplicate_entry_gets_409_naming_the_field(client, api, path, body, key):
    client.post(api.url(f"/{path}"), json=body, headers=api.as_admin)
    response = client.post(api.url(f"/{path}"), json=body, headers=api.as_admin)
    assert assert_error(response, 409, "conflict")["details"]["field"] == key


def test_unknown_canonical_category_gets_422_listing_it(client, api):
    response = client.post(
        api.url("/delay-reasons"), json={"label": "Rain", "category": "rain"}, headers=api.as_admin
    )
    error = assert_error(response, 422, "invalid_input")
    assert error["details"]["field"] == "category" and "'weather'" in error["message"]


def test_parents_must_be_of_the_project(client, api):
    for path, body in (
        ("locations", {"name": "Zone A", "parent_id": 999}),
        ("folders", {"code": "9", "name": "x", "parent_id": 999}),
    ):
        response = client.post(api.url(f"/{path}"), json=body, headers=api.as_admin)
        assert assert_error(response, 422, "invalid_input")["details"]["field"] == "parent_id"
    zone = client.post(
        api.url("/locations"),
        json={"name": "Zone A", "kind": "zone", "parent_id": api.lists["location"]},
        headers=api.as_admin,
    )
    assert zone.json()["parent_id"] == api.lists["location"]


def test_calendars_and_members_are_listed(client, api):
    calendars = client.get(api.url("/calendars"), headers=api.as_member).json()["items"]
    assert [(c["name"], c["working_weekdays"]) for c in calendars] == [
        ("Standard", [0, 1, 2, 3, 4])
    ]
    members = client.get(api.url("/members"), headers=api.as_member).json()["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [
        (api.admin.user_id, "admin"),
        (api.member.user_id, "member"),
    ]
