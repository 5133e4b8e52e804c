"""Cross-project isolation: every GET route of a project's data, asked for project B with each
kind of credential that belongs to project A only, is refused (401, 403 or 404) and never
carries B's rows.

The routes come from the live app (``walk`` of tests/feeds/test_gate.py, which also proves the
walk sees every route), so a new project route is in the matrix the day it is added; one with
a path parameter this file cannot fill fails the test until ``FILL`` learns it. Each credential
is first shown to work on project A, so a refusal here is isolation, not a broken credential.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.integrations import service as integrations
from planbridge.planning import service as plan
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from tests.api.conftest import issue_pat
from tests.builders import publish_at
from tests.conftest import issue_token
from tests.connector_fixtures import access_token, bearer
from tests.feeds.test_gate import EXTRA, walk
from tests.web.conftest import sign_in

#: Path parameters that name a project: a route with one of them serves one project's data.
PROJECT_PARAMS = {"code", "project_code", "project_api_id"}
#: Routes that hold no project data and answer anonymously (tested in tests/feeds).
ANONYMOUS = {"/odata/v4/{project_api_id}"}
#: Listings of several projects: B must not appear in them.
LISTINGS = ["/projects", "/api/v1/connector/projects", "/api/v1/connector"]
SECRET = "B-ONLY Pour secret slab"
REFUSED = {401, 403, 404}


@dataclass
class World:
    a: Project
    b: Project
    b_task_id: int
    b_action_id: int
    b_token_id: int
    credentials: dict[str, tuple[TestClient, dict[str, str]]]


def _project(db, code: str, name: str, admin: str, clock) -> tuple[Project, int]:
    with db.transaction() as session:
        project = projects.create_project(
            session, name=name, code=code, organisation="Test Org", tier="pro"
        )
        projects.add_member(session, project, projects.get_user(session, admin), "admin")
        integrations.set_integration(session, project, OPERATOR, enabled=True)
        task = plan.add_task(
            session, project, name=f"{SECRET} {code}", start_date=dt.date(2026, 11, 23)
        )
        task_id = task.id
    publish_at(db, project, clock.now, name="Week 47")
    return project, task_id


@pytest.fixture
def world(db, clock, make_client, make_user) -> World:
    alice = make_user("alice@example.com", "Alice of A")
    bob = make_user("bob@example.com", "Bob of B")
    a, _ = _project(db, "ISA", "Alpha Tower", alice, clock)
    b, b_task = _project(db, "ISB", "Bravo Bridge", bob, clock)
    with db.transaction() as session:
        alice_id = projects.get_user(session, alice).id
        b_token = integrations.create_token(
            session,
            b,
            OPERATOR,
            name="b feed",
            days=None,
            max_days=90,
            default_days=90,
            now=clock.now,
        )
        b_token_id = b_token.token.id
    api = make_client()
    created = api.post(
        "/api/v1/connector/projects/ISB/exports",
        json={"name": "B tasks", "table": "tasks", "format": "csv"},
        headers=bearer(access_token(api, bob)),
    )
    assert created.status_code == 201, created.text
    browser = make_client()
    assert sign_in(browser, alice).status_code == 303
    credentials = {
        "feed token of A": (api, bearer(issue_token(db, a, clock.now))),
        "personal access token of a member of A": (
            api,
            bearer(issue_pat(db, a, alice_id, clock.now)),
        ),
        "OAuth access token of a member of A": (api, bearer(access_token(api, alice))),
        "web session of a member of A": (browser, {}),
    }
    return World(a, b, b_task, created.json()["id"], b_token_id, credentials)


def _fill(world: World, project: Project) -> dict[str, str]:
    return {
        "code": project.code,
        "project_code": project.code,
        "project_api_id": project.api_id,
        "table": "tasks",
        "resource_path": "Tasks",
        "task_id": str(world.b_task_id),
        "action": str(world.b_action_id),
        "action_id": str(world.b_action_id),
        "token_id": str(world.b_token_id),
        "name": f"{project.code}.pq",
        "chart": "ppc-trend",
    }


def project_routes(app) -> list[str]:
    """Every GET route that serves one project's data, as a path template."""
    found = []
    for path, methods in walk(app.routes):
        names = set(re.findall(r"\{(\w+)(?::\w+)?\}", path))
        if "GET" in methods and names & PROJECT_PARAMS and path not in ANONYMOUS:
            found.append(path)
    return found


def _urls(path: str, fill: dict[str, str]) -> list[str]:
    names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
    unknown = set(names) - fill.keys()
    assert not unknown, f"{path}: teach FILL (_fill) a value for {unknown}"
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: fill[m.group(1)], path)
    return [url] + [url.replace("Tasks", extra) for extra in EXTRA.get(path, [])]


def _to_login(response) -> bool:
    """A page that sends a caller without a session of its own to the sign-in page."""
    location = response.headers.get("location", "")
    return response.status_code in (302, 303) and location.startswith("/login")


def test_the_matrix_covers_every_family_of_project_routes(settings):
    routes = project_routes(create_app(settings))
    families = ("/power-bi/", "/odata/", "/api/v1/projects/", "/api/v1/connector/", "/projects/")
    for family in families:
        assert any(r.startswith(family) for r in routes), family


def test_each_credential_works_on_its_own_project(world):
    own = {
        "feed token of A": f"/power-bi/v1/{world.a.api_id}",
        "personal access token of a member of A": "/api/v1/projects/ISA/tasks",
        "OAuth access token of a member of A": "/api/v1/connector/projects/ISA/exports",
        "web session of a member of A": "/projects/ISA",
    }
    for kind, (client, headers) in world.credentials.items():
        response = client.get(own[kind], headers=headers, follow_redirects=False)
        assert response.status_code == 200, (kind, response.status_code, response.text[:200])


@pytest.mark.parametrize(
    "kind",
    [
        "feed token of A",
        "personal access token of a member of A",
        "OAuth access token of a member of A",
        "web session of a member of A",
    ],
)
def test_no_credential_of_project_a_reads_project_b(world, settings, kind):
    client, headers = world.credentials[kind]
    fill = _fill(world, world.b)
    leaks = []
    for path in project_routes(client.app):
        for url in _urls(path, fill):
            response = client.get(url, headers=headers, follow_redirects=False)
            body = response.content.decode("utf-8", "replace")
            refused = response.status_code in REFUSED or _to_login(response)
            if not refused or SECRET in body or "Bravo Bridge" in body:
                leaks.append((url, response.status_code, body[:120]))
    for url in LISTINGS:
        response = client.get(url, headers=headers, follow_redirects=False)
        body = response.content.decode("utf-8", "replace")
        if "ISB" in body or "Bravo Bridge" in body:
            leaks.append((url, response.status_code, body[:120]))
    assert not leaks, f"{kind} reached project B: {leaks}"
