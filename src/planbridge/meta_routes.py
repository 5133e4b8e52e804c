"""Anonymous endpoints: ``/`` (so Power BI's Service test of the base URL passes) and probes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from planbridge import __version__
from planbridge.context import AppContext, get_context
from planbridge.db.outage import unavailable_reason
from planbridge.http_errors import ErrorBody, database_unavailable, error_response, json_response
from planbridge.schema import migrate

router = APIRouter(tags=["service"])


class ServiceInfo(BaseModel):
    name: str
    version: str
    docs: str
    feed: str


@router.get("/", response_model=ServiceInfo, summary="Service information (anonymous)")
def root(ctx: Annotated[AppContext, Depends(get_context)]) -> Response:
    base = ctx.settings.public_url
    info: dict[str, Any] = {
        "name": "PlanBridge",
        "version": __version__,
        "docs": f"{base}/docs",
        "feed": f"{base}/power-bi/v1/{{project_api_id}}",
    }
    return json_response(info)


@router.get("/healthz", summary="Liveness: the process answers (anonymous)")
def healthz() -> Response:
    """Liveness only: never looks at the database, so an orchestrator does not restart a
    healthy process during a database outage. Readiness is `/readyz`."""
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    summary="Readiness: the database answers, accepts writes and has the current schema",
    responses={503: {"model": ErrorBody, "description": "Error codes: database_unavailable"}},
)
def readyz(ctx: Annotated[AppContext, Depends(get_context)]) -> Response:
    """`200` when requests can be served; `503 database_unavailable` with `Retry-After` and
    `details.checks` naming what is wrong (unreachable, read-only, schema not migrated)."""
    checks = readiness(ctx.db.engine)
    if all(value == "ok" for value in checks.values()):
        return json_response({"status": "ready", "checks": checks})
    failed = next(value for value in checks.values() if value != "ok")
    error = database_unavailable(failed)
    return error_response(
        error.status,
        error.code,
        error.message,
        error.hint,
        {**error.details, "checks": checks},
        headers=error.headers,
    )


def readiness(engine: Engine) -> dict[str, str]:
    """``database``, ``writable`` and ``schema``: each ``ok`` or what is wrong."""
    checks = {"database": "ok", "writable": "ok", "schema": "ok"}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            checks["writable"] = _writable(connection)
        checks["schema"] = "ok" if migrate.is_up_to_date(engine) else "schema_outdated"
    except SQLAlchemyError as exc:
        reason = unavailable_reason(exc) or "unreachable"
        checks["database"] = reason
        checks["writable"] = checks["schema"] = "unknown"
    return checks


def _writable(connection: Connection) -> str:
    """SQLite: write the header's user_version unchanged and roll back (a read-only file or a
    ``mode=ro`` connection refuses); PostgreSQL: is the session read-only?"""
    try:
        if connection.dialect.name == "sqlite":
            version = connection.exec_driver_sql("PRAGMA user_version").scalar()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                connection.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")
            finally:
                connection.exec_driver_sql("ROLLBACK")
            return "ok"
        read_only = connection.execute(text("SHOW transaction_read_only")).scalar()
        connection.rollback()
    except SQLAlchemyError as exc:
        return unavailable_reason(exc) or "read_only"
    return "read_only" if read_only == "on" else "ok"
