"""No data endpoint can skip the gate: every GET route of the app under ``/power-bi/`` and
``/odata/`` is found by walking the app, and each one refuses exactly what the gate refuses,
with the same status and error code (JSON and OData error bodies both carry ``error.code``)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.projects.models import Project, Tier

#: A value for each path parameter a data route may have; a new parameter fails the walk.
FILL = {"project_api_id": "{api_id}", "table": "tasks", "resource_path": "Tasks"}
#: Routes that hold no data and answer anonymously (the OData service document; ``$metadata``
#: is the same route as the entity sets and is tested in tests/feeds/odata).
ANONYMOUS = {"/odata/v4/{project_api_id}"}
#: Extra URLs of a catch-all route, each a data request of its own.
EXTRA = {"/odata/v4/{project_api_id}/{resource_path:path}": ["Tasks/$count", "Versions"]}


def walk(routes, prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, included routers opened (FastAPI keeps them whole)."""
    found = []
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            found += walk(router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute | Route):
            found.append((prefix + route.path, set(route.methods or ())))
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            found.append((prefix + route.path + "/{path}", {"GET", "HEAD"}))  # our own files
        else:
            raise AssertionError(f"unknown kind of route {route!r}: teach walk() to open it")
    return found


def data_urls(settings) -> list[str]:
    app = create_app(settings)
    urls = []
    every = walk(app.routes)
    plain = {re.sub(r":\w+\}", "}", p) for p, _ in every}  # OpenAPI drops {x:path}'s ":path"
    assert set(app.openapi()["paths"]) <= plain, "the walk misses a route"
    paths = [(path, methods) for path, methods in every if "GET" in methods]
    for path, _ in paths:
        if not path.startswith(("/power-bi/", "/odata/")) or path in ANONYMOUS:
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", path)
        unknown = set(names) - FILL.keys()
        assert not unknown, f"{path}: give FILL a value for {unknown}"
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: FILL[m.group(1)], path)
        urls.append(url)
        for extra in EXTRA.get(path, []):
            urls.append(url.replace(FILL["resource_path"], extra))
    return urls


def test_the_walk_finds_every_kind_of_data_route(settings):
    urls = data_urls(settings)
    assert set(urls) >= {
        "/power-bi/v1/{api_id}",
        "/power-bi/v1/{api_id}/metrics",
        "/power-bi/v1/{api_id}/tables/tasks.csv",
        "/power-bi/v1/{api_id}/tables/tasks.xlsx",
        "/power-bi/v1/{api_id}/tables.xlsx",
        "/odata/v4/{api_id}/Tasks",
        "/odata/v4/{api_id}/Tasks/$count",
    }


def _code(response) -> str:
    return response.json()["error"]["code"]


def pytest_generate_tests(metafunc):
    if "url" in metafunc.fixturenames:
        from planbridge.settings import load_settings

        urls = data_urls(load_settings(database_url="sqlite://", _env_file=None))
        metafunc.parametrize("url", urls)


def _set(db, feed, **values):
    with db.transaction() as session:
        project = session.get(Project, feed.project.id)
        for key, value in values.items():
            setattr(project, key, value)


def test_each_data_route_serves_a_valid_token(client, make_project, url):
    feed = make_project()
    response = client.get(url.format(api_id=feed.project.api_id), headers=feed.auth)
    assert response.status_code == 200, response.text


def test_each_data_route_wants_a_token(client, make_project, url):
    feed = make_project()
    response = client.get(url.format(api_id=feed.project.api_id))
    assert (response.status_code, _code(response)) == (401, "invalid_token")
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_each_data_route_refuses_a_token_in_the_url(client, make_project, url):
    feed = make_project()
    target = url.format(api_id=feed.project.api_id)
    response = client.get(f"{target}?token={feed.token}", headers=feed.auth)
    assert (response.status_code, _code(response)) == (400, "token_in_query")


def test_each_data_route_refuses_another_projects_token(client, make_project, url):
    feed, other = make_project(), make_project()
    response = client.get(url.format(api_id=feed.project.api_id), headers=other.auth)
    assert (response.status_code, _code(response)) == (401, "invalid_token")


def test_each_data_route_refuses_an_unknown_project(client, make_project, url):
    feed = make_project()
    response = client.get(url.format(api_id="p_unknown"), headers=feed.auth)
    assert (response.status_code, _code(response)) == (404, "project_not_found")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"tier": Tier.free}, "plan_not_eligible"),
        ({"integration_enabled": False}, "integration_disabled"),
        ({"feed_suspended": True, "feed_suspended_reason": "maintenance"}, "project_suspended"),
    ],
    ids=["free-tier", "disabled", "suspended"],
)
def test_each_data_route_refuses_a_project_without_a_serving_feed(
    client, make_project, db, url, change, code
):
    feed = make_project()
    _set(db, feed, **change)
    response = client.get(url.format(api_id=feed.project.api_id), headers=feed.auth)
    assert (response.status_code, _code(response)) == (403, code)


def test_each_data_route_spends_the_fair_use_budget(make_client, make_project, url):
    client = make_client(feed_requests_per_hour=1)
    feed = make_project()
    target = url.format(api_id=feed.project.api_id)
    assert client.get(target, headers=feed.auth).status_code == 200
    response = client.get(target, headers=feed.auth)
    assert (response.status_code, _code(response)) == (429, "rate_limited")
    assert "retry-after" in response.headers


def test_disabling_through_the_service_is_refused_the_same_way(client, make_project, db, url):
    feed = make_project()
    with db.transaction() as session:
        project = projects.get_project(session, feed.project.code)
        integrations.set_integration(session, project, OPERATOR, enabled=False)
    response = client.get(url.format(api_id=feed.project.api_id), headers=feed.auth)
    assert (response.status_code, _code(response)) == (403, "integration_disabled")
