"""One helper that checks the error shape every endpoint shares."""

from __future__ import annotations

from typing import Any

import httpx


def assert_error(response: httpx.Response | Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "hint", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["hint"], str)
    assert isinstance(error["details"], dict)
    return error
