"""Logic links: create, list, delete; no self-links, duplicates, loops or foreign tasks."""

from __future__ import annotations

import pytest

from planbridge import audit
from tests.error_shape import assert_error


@pytest.fixture
def chain(new_task):
    return [new_task()["id"] for _ in range(3)]


def _link(client, api, before, after, **kw):
    body = {"predecessor_id": before, "successor_id": after, **kw}
    return client.post(api.url("/links"), json=body, headers=api.as_member)


def test_create_list_and_delete_links(client, db, api, chain):
    a, b, c = chain
    created = _link(client, api, a, b, type="SS", lag_days=-1)
    assert created.status_code == 201, created.text
    link = created.json()
    assert {k: link[k] for k in ("predecessor_id", "successor_id", "type", "lag_days")} == {
        "predecessor_id": a,
        "successor_id": b,
        "type": "SS",
        "lag_days": -1,
    }
    assert _link(client, api, b, c).json()["type"] == "FS"
    listed = client.get(api.url("/links"), headers=api.as_member).json()["items"]
    assert len(listed) == 2
    only_c = client.get(api.url(f"/links?task_id={c}"), headers=api.as_member).json()["items"]
    assert [x["predecessor_id"] for x in only_c] == [b]
    deleted = client.delete(api.url(f"/links/{link['id']}"), headers=api.as_member)
    assert deleted.status_code == 204
    assert_error(
        client.delete(api.url(f"/links/{link['id']}"), headers=api.as_member), 404, "not_found"
    )
    with db.transaction() as session:
        actions = [e.action for e in audit.events(session, api.project.id)]
    assert actions.count("link.create") == 2 and actions.count("link.delete") == 1


def test_link_errors_name_the_field(client, api, chain, make_api_project):
    a, b, c = chain
    _link(client, api, a, b)
    _link(client, api, b, c)
    cases = [
        (_link(client, api, a, a), 422, "successor_id", "itself"),
        (_link(client, api, 999, a), 422, "predecessor_id", "is not a task"),
        (_link(client, api, a, 999), 422, "successor_id", "is not a task"),
        (_link(client, api, c, a), 422, "predecessor_id", "loop"),
        (_link(client, api, a, b, type="XX"), 422, "type", "'FS'"),
    ]
    for response, status, field, words in cases:
        error = assert_error(response, status, "invalid_input")
        assert error["details"]["field"] == field and words in error["message"]
    assert_error(_link(client, api, a, b), 409, "conflict")
    other = make_api_project()
    theirs = client.post(
        other.url("/tasks"),
        json={"name": "t", "start_date": "2026-11-23"},
        headers=other.as_member,
    ).json()
    assert_error(_link(client, api, a, theirs["id"]), 422, "invalid_input")
