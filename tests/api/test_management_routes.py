"""Every write of the Plan API is a management action the services authorize and audit: each
non-GET route under /api/ is listed here, is refused to a plain member where it needs an admin
(403 not_project_admin, nothing written, no audit row) and, when it succeeds, leaves exactly
one audit row naming the actor and the token it came through. A new write route fails
``test_every_write_route_is_walked`` until it is added here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from planbridge.audit.models import AuditEvent
from planbridge.errors import Forbidden
from planbridge.planning import actions
from planbridge.projects.models import Project
from planbridge.publishing import service as publishing
from tests.api.conftest import TASK, ApiProject
from tests.error_shape import assert_error
from tests.imports.apply_support import csv_file

P = "/api/v1/projects/{project_code}"
T = f"{P}/tasks/{{task_id}}"
CSV = csv_file({"external_id": "W-1", "name": "Walk", "start": "2026-11-23", "duration_days": "2"})
BULK = {"tasks": [{"external_id": "B-1", "name": "Bulk", "start_date": "2026-11-23"}]}


@dataclass
class Plan:
    """What a write route acts on: two linked tasks (the first with a resource, progress and a
    blocker) and a third one."""

    task: dict[str, Any]
    other: dict[str, Any]
    third: dict[str, Any]
    link: int
    resource: int
    progress: int
    blocker: int


Call = Callable[[Any, ApiProject, Plan, dict[str, str]], Any]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    call: Call
    admin_only: bool = False
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.path.removeprefix(P) or '/'}{self.variant}"


def _url(api: ApiProject, plan: Plan, path: str) -> str:
    return path.format(
        project_code=api.code,
        task_id=plan.task["id"],
        link_id=plan.link,
        resource_id=plan.resource,
        progress_id=plan.progress,
        blocker_id=plan.blocker,
    )


def post(path: str, body: Any = None, **params: Any) -> Call:
    return lambda c, api, plan, h: c.post(
        _url(api, plan, path), json=body, params=params, headers=h
    )


def patch(path: str, body: Any) -> Call:
    return lambda c, api, plan, h: c.patch(_url(api, plan, path), json=body, headers=h)


def delete(path: str) -> Call:
    return lambda c, api, plan, h: c.delete(_url(api, plan, path), headers=h)


def _if_match(plan: Plan, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "If-Match": f'"{plan.task["row_version"]}"'}


def _upload(**params: Any) -> Call:
    def call(c: Any, api: ApiProject, plan: Plan, h: dict[str, str]) -> Any:
        headers = {**h, "Content-Type": "application/octet-stream"}
        return c.post(
            api.url("/imports"),
            content=CSV,
            params={"filename": "w.csv", **params},
            headers=headers,
        )

    return call


CASES = [
    Case("POST", f"{P}/versions", post(f"{P}/versions", {}), admin_only=True),
    Case("POST", f"{P}/tasks", post(f"{P}/tasks", {**TASK, "name": "New"})),
    Case(
        "PATCH",
        T,
        lambda c, api, plan, h: c.patch(
            _url(api, plan, T), json={"notes": "walked"}, headers=_if_match(plan, h)
        ),
    ),
    Case(
        "DELETE",
        T,
        lambda c, api, plan, h: c.delete(_url(api, plan, T), headers=_if_match(plan, h)),
    ),
    Case("POST", f"{P}/tasks/bulk-upsert", post(f"{P}/tasks/bulk-upsert", BULK)),
    Case(
        "POST",
        f"{P}/tasks/bulk-upsert",
        post(f"{P}/tasks/bulk-upsert", {**BULK, "prune": True}),
        admin_only=True,
        variant=" prune",
    ),
    Case(
        "POST",
        f"{P}/links",
        lambda c, api, plan, h: c.post(
            api.url("/links"),
            json={"predecessor_id": plan.other["id"], "successor_id": plan.third["id"]},
            headers=h,
        ),
    ),
    Case("DELETE", f"{P}/links/{{link_id}}", delete(f"{P}/links/{{link_id}}")),
    Case(
        "POST",
        f"{T}/resources",
        post(f"{T}/resources", {"kind": "plant", "name": "Crane", "quantity": 1, "unit": "each"}),
    ),
    Case("DELETE", f"{T}/resources/{{resource_id}}", delete(f"{T}/resources/{{resource_id}}")),
    Case(
        "POST",
        f"{T}/progress",
        post(f"{T}/progress", {"day": "2026-11-24", "type": "on_schedule"}),
    ),
    Case(
        "PATCH",
        f"{T}/progress/{{progress_id}}",
        patch(f"{T}/progress/{{progress_id}}", {"comment": "walked"}),
    ),
    Case("POST", f"{T}/blockers", post(f"{T}/blockers", {"title": "Drawings"})),
    Case(
        "PATCH",
        f"{T}/blockers/{{blocker_id}}",
        patch(f"{T}/blockers/{{blocker_id}}", {"title": "Drawings rev B"}),
    ),
    Case(
        "POST",
        f"{T}/blockers/{{blocker_id}}/resolve",
        post(f"{T}/blockers/{{blocker_id}}/resolve", {"resolved_on": "2026-11-25"}),
    ),
    Case(
        "POST",
        f"{P}/subcontractors",
        post(f"{P}/subcontractors", {"name": "Walkers"}),
        admin_only=True,
    ),
    Case("POST", f"{P}/locations", post(f"{P}/locations", {"name": "Roof"}), admin_only=True),
    Case(
        "POST",
        f"{P}/folders",
        post(f"{P}/folders", {"code": "9", "name": "Walk"}),
        admin_only=True,
    ),
    Case("POST", f"{P}/packages", post(f"{P}/packages", {"name": "WP99"}), admin_only=True),
    Case(
        "POST",
        f"{P}/delay-reasons",
        post(f"{P}/delay-reasons", {"label": "Rain", "category": "weather"}),
        admin_only=True,
    ),
    Case(
        "POST",
        f"{P}/blocker-categories",
        post(f"{P}/blocker-categories", {"label": "Permits", "category": "permits_external"}),
        admin_only=True,
    ),
    Case("POST", f"{P}/imports", _upload()),
    Case("POST", f"{P}/imports", _upload(prune="true"), admin_only=True, variant=" prune"),
]


CONNECTOR_PATHS = ("/api/v1/connector", "/api/v1/auth/")
"""Not the Plan API (bearer access tokens): walked in tests/exports/test_connector_writes.py."""


def _write_routes(app: Any) -> Iterator[tuple[str, str]]:
    def walk(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            elif isinstance(route, APIRoute):
                yield route

    for route in walk(app.routes):
        if route.path.startswith("/api/") and not route.path.startswith(CONNECTOR_PATHS):
            for method in route.methods - {"GET", "HEAD", "OPTIONS"}:
                yield method, route.path


def test_every_write_route_is_walked(client):
    assert set(_write_routes(client.app)) == {(case.method, case.path) for case in CASES}


def _audit_rows(db: Any) -> list[AuditEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _count(db: Any) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def plan(client: Any, api: ApiProject) -> Plan:
    def ok(response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    h = api.as_admin
    task = ok(client.post(api.url("/tasks"), json=TASK, headers=h))
    other = ok(client.post(api.url("/tasks"), json={**TASK, "name": "Other"}, headers=h))
    third = ok(client.post(api.url("/tasks"), json={**TASK, "name": "Third"}, headers=h))
    base = f"/tasks/{task['id']}"
    link = ok(
        client.post(
            api.url("/links"),
            json={"predecessor_id": task["id"], "successor_id": other["id"]},
            headers=h,
        )
    )
    resource = ok(
        client.post(
            api.url(f"{base}/resources"),
            json={"kind": "labour", "name": "Crew", "quantity": 2, "unit": "people"},
            headers=h,
        )
    )
    progress = ok(
        client.post(
            api.url(f"{base}/progress"),
            json={"day": "2026-11-23", "type": "on_schedule"},
            headers=h,
        )
    )
    blocker = ok(client.post(api.url(f"{base}/blockers"), json={"title": "Access"}, headers=h))
    task = ok(client.get(api.url(base), headers=h))
    return Plan(task, other, third, link["id"], resource["id"], progress["id"], blocker["id"])


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_write_route_is_authorized_and_audited_once(client, db, api, plan, case):
    before = _count(db)
    if case.admin_only:
        refused = case.call(client, api, plan, api.as_member)
        error = assert_error(refused, 403, "not_project_admin")
        assert error["message"].startswith("Only project admins may ")
        assert _count(db) == before, "a refused write left an audit row"
    actor, headers = (api.admin, api.as_admin) if case.admin_only else (api.member, api.as_member)
    response = case.call(client, api, plan, headers)
    assert response.status_code < 300, response.text
    new = _audit_rows(db)[before:]
    assert len(new) == 1, [e.action for e in new]
    assert new[0].actor == actor.label
    assert new[0].project_id == api.project.id
    assert new[0].details["via"].startswith("pat ")


def test_an_archived_project_refuses_every_write_in_the_services_too(db, api, plan):
    """The Plan API refuses writes to an archived project at authentication; the services refuse
    them as well, so a page or command cannot forget."""
    with db.transaction() as session:
        session.get(Project, api.project.id).archived = True
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    with db.transaction() as session, pytest.raises(Forbidden, match="archived"):
        project = session.get(Project, api.project.id)
        actions.create_task(session, project, api.member, {**TASK}, now=now)
    with db.transaction() as session, pytest.raises(Forbidden, match="archived"):
        project = session.get(Project, api.project.id)
        publishing.publish(session, project, api.admin, now=now, chunk_rows=100)
