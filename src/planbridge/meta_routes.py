"""Anonymous endpoints: ``/`` (so Power BI's Service test of the base URL passes) and probes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import text

from planbridge import __version__
from planbridge.context import AppContext, get_context
from planbridge.http_errors import error_response, json_response

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


@router.get("/healthz", summary="Liveness and database check (anonymous)")
def healthz(ctx: Annotated[AppContext, Depends(get_context)]) -> Response:
    try:
        with ctx.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return error_response(503, "database_unavailable", "The database does not answer.")
    return json_response({"status": "ok", "database": "ok"})
