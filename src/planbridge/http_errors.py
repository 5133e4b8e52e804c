"""One JSON error shape everywhere: ``{"error": {"code", "message", "hint", "details"}}``."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from planbridge.db.outage import RETRY_AFTER_SECONDS, unavailable_reason
from planbridge.errors import DatabaseUnavailable, PlanBridgeError
from planbridge.security_headers import FRAME_ANCESTORS, SECURITY_HEADERS

LOG = logging.getLogger("planbridge.errors")
UNEXPECTED_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": FRAME_ANCESTORS,
    "Cache-Control": "no-store",
}
"""A 500 is answered outside every middleware, so it brings the guard's headers itself."""


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `invalid_token`.")
    message: str = Field(description="What went wrong, in one sentence.")
    hint: str = Field(description="What to do about it (may be empty).")
    details: dict[str, Any] = Field(
        default_factory=dict, description="Structured extras, e.g. sizes for response_too_large."
    )


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str = "",
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"code": code, "message": message, "hint": hint, "details": details or {}}}
    return json_response(body, status=status, headers=headers)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(data), status_code=status, headers=headers, media_type="application/json"
    )


async def _domain(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlanBridgeError)
    return error_response(exc.status, exc.code, exc.message, exc.hint, exc.details, exc.headers)


async def _http(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error_response(
        exc.status_code,
        getattr(exc, "code", None) or codes.get(exc.status_code, "http_error"),
        str(exc.detail),
        getattr(exc, "hint", ""),
        getattr(exc, "details", None),
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _validation(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return error_response(400, "invalid_parameter", f"{where}: {first.get('msg', 'invalid value')}")


MESSAGES = {
    "unreachable": "The database does not answer.",
    "read_only": "The database is read-only, so PlanBridge cannot record anything.",
    "busy": "The database is busy with other writes.",
    "overloaded": "The database has no free connection.",
    "io_error": "The database cannot read or write its files.",
    "disk_full": "The database's disk is full.",
}


def database_unavailable(reason: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        MESSAGES.get(reason, "The database is unavailable."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        details={"reason": reason},
    )


async def _database(request: Request, exc: Exception) -> Response:
    reason = unavailable_reason(exc)
    if reason is None:
        return await _unexpected(request, exc)
    LOG.warning("database unavailable", extra={"fields": {"reason": reason, "error": _kind(exc)}})
    return await _domain(request, database_unavailable(reason))


async def _unexpected(_: Request, exc: Exception) -> Response:
    LOG.error(
        "unhandled error",
        extra={"fields": {"error": _kind(exc), "traceback": _frames(exc)}},
    )
    return error_response(
        500,
        "internal_error",
        "Something went wrong on our side; nothing was changed.",
        "Try again later; if it persists, tell the operator the time of the request.",
        headers=UNEXPECTED_HEADERS,
    )


def _kind(exc: BaseException) -> str:
    """The error's class and, for a database error, the driver's class and SQLSTATE — never its
    message: SQLAlchemy and driver messages carry the statement's parameters (row values)."""
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        state = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(
            orig, "sqlite_errorname", None
        )
        return f"{type(exc).__name__} ({type(orig).__name__}{f' {state}' if state else ''})"
    if isinstance(exc, StatementError):
        return f"{type(exc).__name__} ({type(exc.orig).__name__})"
    return f"{type(exc).__module__}.{type(exc).__name__}"


def _frames(exc: BaseException) -> list[str]:
    """Where it happened: file, line and function of each frame, without any values."""
    return [
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    ]


def install(app: FastAPI) -> None:
    app.add_exception_handler(PlanBridgeError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(SQLAlchemyError, _database)
    app.add_exception_handler(Exception, _unexpected)


def documented(*errors: type[PlanBridgeError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route: each status with the codes it may carry."""
    by_status: dict[int, list[str]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error.code)
    return {
        status: {"model": ErrorBody, "description": "Error codes: " + ", ".join(sorted(codes))}
        for status, codes in sorted(by_status.items())
    }
