"""Checks every OData response shares: the version header once, the OData error body."""

from __future__ import annotations

from typing import Any


def assert_odata_version_once(response: Any) -> None:
    assert response.headers.get_list("odata-version") == ["4.0"], response.headers


def assert_odata_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert_odata_version_once(response)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "target", "innererror"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error
