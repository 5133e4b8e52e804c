"""The OpenAPI document, completed with what cross-cutting layers may answer.

Routes document their own errors (``http_errors.documented``, ``api.responses.errors_of``);
this adds, once for every operation, the statuses that come from outside the route itself:

- ``400 invalid_parameter``: a bad or control-character query or path value (request guard,
  validation); FastAPI's default ``422 HTTPValidationError`` is replaced by the error shape
  PlanBridge really sends;
- ``404 not_found``: a path parameter that names nothing (an id out of range, a token pasted
  into the path);
- ``413 request_too_large``: a request body over its route family's limit (``body_limits``);
- ``503 database_unavailable``: every operation that reads the database (``Retry-After``);
- for OData, the errors of the feed gate (401, 403, 404, 429) in OData's own error shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from planbridge.db.outage import RETRY_AFTER_SECONDS

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
ODATA_ERROR_REF = {"$ref": "#/components/schemas/ODataErrorBody"}
ODATA_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ODataErrorBody",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "target": {"type": "string"},
                "innererror": {"type": "object"},
            },
        }
    },
}
WITHOUT_DATABASE = ("/", "/healthz", "/templates/")
"""Operations that never touch the database (a prefix ending in / covers a family)."""

COMMON = {
    400: "invalid_parameter (a query, path or header value is invalid)",
    404: "not_found (the path names nothing)",
    413: "request_too_large (the body is over its route family's limit, docs/settings.md)",
    503: "database_unavailable (retry after Retry-After seconds)",
}
ODATA = {
    401: "invalid_token",
    403: "forbidden, integration_disabled, project_suspended, plan_not_eligible",
    404: "project_not_found, resource_not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


def install(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            complete(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ODataErrorBody"] = ODATA_ERROR_SCHEMA
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            _complete_operation(path, operation["responses"], "requestBody" in operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(document["paths"]):
            schemas.pop(unused, None)


def _complete_operation(path: str, responses: dict[str, Any], has_body: bool) -> None:
    odata = path.startswith("/odata/")
    ref = ODATA_ERROR_REF if odata else ERROR_REF
    for status, entry in responses.items():
        if status.startswith(("4", "5")):
            _use_error_shape(entry, ref)
    wanted = {400: COMMON[400]}
    if "{" in path:
        wanted[404] = COMMON[404]
    if has_body:
        wanted[413] = COMMON[413]
    if not _without_database(path):
        wanted[503] = COMMON[503]
    if odata:
        wanted.update(ODATA)
    for code, codes in wanted.items():
        entry = responses.setdefault(str(code), {"description": f"Error codes: {codes}"})
        _use_error_shape(entry, ref)
        if code == 503:
            entry["headers"] = {
                "Retry-After": {
                    "description": f"Seconds to wait before retrying ({RETRY_AFTER_SECONDS}).",
                    "schema": {"type": "integer"},
                }
            }


def _use_error_shape(entry: dict[str, Any], ref: dict[str, str]) -> None:
    """Errors are JSON in the one error shape (OData's own for OData), never FastAPI's default
    ``HTTPValidationError``."""
    content = entry.setdefault("content", {})
    json_entry = content.setdefault("application/json", {})
    schema = json_entry.get("schema")
    if schema is None or "HTTPValidationError" in str(schema):
        json_entry["schema"] = dict(ref)
    if entry.get("description") == "Validation Error":
        entry["description"] = "Error codes: invalid_input, invalid_parameter"


def _without_database(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in WITHOUT_DATABASE)
