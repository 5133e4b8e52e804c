"""Every write route of the connector API and the Basic exchange is listed here: each is refused
to a plain member where it needs a project admin (403, nothing written, no audit row) and, when
it succeeds, leaves exactly the audit rows named, with the grant it came through. A new write
route fails ``test_every_write_route_is_walked`` until it is added here."""

from __future__ import annotations

from fastapi.routing import APIRoute
from sqlalchemy import func, select

from planbridge.audit.models import AuditEvent
from tests.connector_fixtures import access_token, basic_header, bearer
from tests.error_shape import assert_error

BASE = "/api/v1/connector/projects/{code}/exports"
WALKED = {
    ("POST", BASE),
    ("DELETE", BASE + "/{action}"),
    ("POST", BASE + "/{action}/run"),
    ("POST", "/api/v1/auth/basic"),
}


def _rows(db) -> list[AuditEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _count(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _routes(routes):
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_write_route_is_walked(client):
    found = {
        (method, route.path)
        for route in _routes(client.app.routes)
        if route.path.startswith(("/api/v1/connector", "/api/v1/auth/"))
        for method in route.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert found == WALKED


def test_admin_writes_are_refused_to_members_and_audited_once(make_client, team, db, tmp_path):
    client = make_client(exports_dir=str(tmp_path))
    admin, member = access_token(client, team.admin), access_token(client, team.member)
    url = BASE.format(code="QST")
    body = {"name": "Tasks", "table": "tasks"}

    before = _count(db)
    assert_error(client.post(url, json=body, headers=bearer(member)), 403, "not_project_admin")
    assert _count(db) == before
    assert client.post(url, json=body, headers=bearer(admin)).status_code == 201
    (created,) = _rows(db)[before:]
    assert (created.action, created.actor) == ("export_action.create", team.admin)
    assert created.details["via"].startswith("basic grant ")

    before = _count(db)
    assert client.post(f"{url}/Tasks/run", headers=bearer(member)).status_code == 200
    (ran,) = _rows(db)[before:]
    assert (ran.action, ran.actor) == ("export_action.run", team.member)

    before = _count(db)
    assert_error(client.delete(f"{url}/Tasks", headers=bearer(member)), 403, "not_project_admin")
    assert _count(db) == before
    assert client.delete(f"{url}/Tasks", headers=bearer(admin)).status_code == 204
    (deleted,) = _rows(db)[before:]
    assert (deleted.action, deleted.actor) == ("export_action.delete", team.admin)


def test_the_basic_exchange_audits_the_sign_in_and_the_exchange(client, team, db):
    before = _count(db)
    assert client.post("/api/v1/auth/basic", headers=basic_header(team.member)).status_code == 200
    assert [e.action for e in _rows(db)[before:]] == ["user.sign_in", "user.basic_exchange"]
