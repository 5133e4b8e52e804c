"""The Plan API in the OpenAPI document: every operation secured, its errors and examples shown."""

from __future__ import annotations

import pytest

CONNECTOR_PATHS = ("/api/v1/connector", "/api/v1/auth/")
"""Not the Plan API: the connector API and the Basic exchange (tests/exports/test_openapi.py)."""


@pytest.fixture
def openapi(client):
    return client.get("/openapi.json").json()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        if path.startswith("/api/v1/") and not path.startswith(CONNECTOR_PATHS):
            for method, operation in item.items():
                yield f"{method.upper()} {path}", operation


def _schema(openapi, ref_holder):
    schema = ref_holder["schema"]
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if "$ref" in s)
    if "$ref" not in schema:
        return schema
    return openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]


def test_every_operation_is_secured_summarised_and_documents_auth_errors(openapi):
    operations = dict(_operations(openapi))
    assert len(operations) >= 30
    for name, operation in operations.items():
        assert operation["security"] == [{"PersonalAccessToken": []}], name
        assert operation["summary"] and operation["tags"][0].startswith("Plan API"), name
        assert {"400", "401", "403", "404"} <= set(operation["responses"]), name
        assert "invalid_token" in operation["responses"]["401"]["description"], name


def test_every_body_and_response_has_an_example(openapi):
    for name, operation in _operations(openapi):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            assert _schema(openapi, body).get("examples"), name
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        content = operation["responses"][ok].get("content", {}).get("application/json")
        if content:
            schema = _schema(openapi, content)
            items = schema.get("properties", {}).get("items", {}).get("items")
            if items:
                schema = _schema(openapi, {"schema": items})
            assert schema.get("examples"), name


def test_writes_document_their_specific_errors(openapi):
    paths = openapi["paths"]
    patch = paths["/api/v1/projects/{project_code}/tasks/{task_id}"]["patch"]
    assert {"409", "412", "422", "428"} <= set(patch["responses"])
    assert any(p["name"] == "if-match" for p in patch["parameters"])
    publish = paths["/api/v1/projects/{project_code}/versions"]["post"]
    assert "not_project_admin" in publish["responses"]["403"]["description"]
    scheme = openapi["components"]["securitySchemes"]["PersonalAccessToken"]
    assert scheme["scheme"] == "bearer" and "pbp_" in scheme["description"]
