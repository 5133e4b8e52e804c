"""The app factory, the anonymous endpoints, the OpenAPI document and the error shape."""

from __future__ import annotations

import os
import subprocess
import sys

from planbridge import errors
from tests.error_shape import assert_error


def test_importing_the_app_and_cli_builds_nothing(tmp_path):
    database = tmp_path / "never.db"
    code = (
        "import planbridge.app, planbridge.cli.main, planbridge.schema.models\n"
        "assert not hasattr(planbridge.app, 'app')\n"
    )
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tmp_path)
    assert not database.exists()


def test_root_answers_anonymously_with_name_version_and_docs(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "PlanBridge"
    assert body["docs"].endswith("/docs")


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_unknown_route_and_wrong_method_use_the_error_shape(client):
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.post("/"), 405, "method_not_allowed")


def test_openapi_documents_every_endpoint_and_feed_error(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in [
        "/",
        "/healthz",
        "/power-bi/v1/{project_api_id}",
        "/power-bi/v1/{project_api_id}/metrics",
    ]:
        assert path in paths, path
    feed = paths["/power-bi/v1/{project_api_id}"]["get"]
    described = " ".join(r.get("description", "") for r in feed["responses"].values())
    for error in (
        errors.InvalidParameter,
        errors.TokenInQuery,
        errors.InvalidToken,
        errors.IntegrationDisabled,
        errors.ProjectSuspended,
        errors.ProjectNotFound,
        errors.ResponseTooLarge,
        errors.RateLimited,
    ):
        assert str(error.status) in feed["responses"]
        assert error.code in described
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_unexpected_errors_become_a_500_in_the_error_shape_without_a_trace(settings, db, clock):
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from planbridge.app import create_app

    client = TestClient(create_app(settings, db=db, clock=clock), raise_server_exceptions=False)
    with db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE projects RENAME TO projects_gone"))
    try:
        response = client.get("/power-bi/v1/p_anything")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE projects_gone RENAME TO projects"))
    error = assert_error(response, 500, "internal_error")
    assert "Traceback" not in response.text and "projects" not in error["message"]
