"""The connector API in the OpenAPI document: every operation but the anonymous root is secured
by the connector's bearer scheme, summarised, and documents 401 invalid_token."""

from __future__ import annotations


def test_connector_operations_are_secured_and_document_invalid_token(client):
    paths = client.get("/openapi.json").json()["paths"]
    operations = {
        f"{method.upper()} {path}": operation
        for path, item in paths.items()
        if path.startswith("/api/v1/connector/")
        for method, operation in item.items()
    }
    assert len(operations) == 7
    for name, operation in operations.items():
        assert operation["security"] == [{"ConnectorBearer": []}], name
        assert operation["summary"], name
        assert "invalid_token" in operation["responses"]["401"]["description"], name
    basic = paths["/api/v1/auth/basic"]["post"]
    assert "invalid_credentials" in basic["responses"]["401"]["description"]
