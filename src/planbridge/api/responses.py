"""What every Plan API route documents: its errors (authentication first) and its path."""

from __future__ import annotations

from typing import Any

from planbridge import errors
from planbridge.http_errors import documented

PREFIX = "/api/v1/projects/{project_code}"

AUTH_ERRORS: tuple[type[errors.PlanBridgeError], ...] = (
    errors.InvalidParameter,
    errors.TokenInQuery,
    errors.InvalidToken,
    errors.NotProjectMember,
    errors.Forbidden,
    errors.ProjectNotFound,
)


def errors_of(*extra: type[errors.PlanBridgeError]) -> dict[int | str, dict[str, Any]]:
    return documented(*AUTH_ERRORS, *extra)
