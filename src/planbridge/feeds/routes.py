"""``GET /power-bi/v1/{project_api_id}``: the Published Plans feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.context import AppContext, get_context
from planbridge.feeds import assemble, params
from planbridge.feeds.catalog import FEED_TABLES, METRIC_TABLES
from planbridge.feeds.tables import VERSIONS, Table
from planbridge.http_errors import documented
from planbridge.integrations import fair_use
from planbridge.integrations.service import authenticate
from planbridge.projects.models import Project, Tier

router = APIRouter(tags=["feed"])
bearer = HTTPBearer(auto_error=False, description="A feed token: `Authorization: Bearer pbt_...`")

FEED_ERRORS = documented(
    errors.InvalidParameter,
    errors.TokenInQuery,
    errors.InvalidToken,
    errors.IntegrationDisabled,
    errors.ProjectSuspended,
    errors.PlanNotEligible,
    errors.ProjectNotFound,
    errors.ResponseTooLarge,
    errors.RateLimited,
)


def find_project(session: Session, api_id: str) -> Project:
    project = session.scalar(select(Project).where(Project.api_id == api_id))
    if project is None:
        raise errors.ProjectNotFound(f"No project with id '{api_id}'.")
    return project


def ensure_serving(project: Project) -> None:
    if project.feed_suspended:
        raise errors.ProjectSuspended(
            f"The feed of project {project.code} is suspended"
            + (f": {project.feed_suspended_reason}." if project.feed_suspended_reason else ".")
        )
    if project.tier == Tier.free:
        raise errors.PlanNotEligible(f"Project {project.code} is on the free tier.")
    if not project.integration_enabled:
        raise errors.IntegrationDisabled(
            f"The Power BI source of project {project.code} is disabled."
        )


@dataclass(frozen=True, slots=True)
class Gate:
    """A request that passed every check: the project, its parameters and the request time."""

    project: Project
    params: params.FeedParams
    now: dt.datetime


def authorize(
    request: Request, ctx: AppContext, project_api_id: str
) -> tuple[Project, dt.datetime]:
    """The checks every feed endpoint (JSON, metrics, files, OData) makes, in order: no token in
    the URL, a known project, a valid token (its last use recorded even if a later check fails),
    a serving and enabled source, and the fair-use budget."""
    params.refuse_token_in_query(request.query_params.multi_items())
    now = ctx.clock()
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        authenticate(session, project, request.headers.get("authorization"), now=now)
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        ensure_serving(project)
        fair_use.consume(session, project.id, ctx.settings.feed_requests_per_hour, now.timestamp())
    return project, now


def admit(request: Request, ctx: AppContext, project_api_id: str, allowed: tuple[str, ...]) -> Gate:
    """:func:`authorize`, then the query parameters of a JSON-feed endpoint."""
    project, now = authorize(request, ctx, project_api_id)
    wanted = params.parse(
        request.query_params.multi_items(),
        default_limit=ctx.settings.feed_default_versions,
        max_limit=ctx.settings.feed_max_versions,
        allowed=allowed,
    )
    return Gate(project, wanted, now)


def serve(request: Request, ctx: AppContext, gate: Gate, tables: Sequence[Table]) -> Response:
    """Lay out the body from stored chunks, answer 304 or the size error, else stream it."""
    settings = ctx.settings
    project = gate.project
    with ctx.db.transaction() as session:
        versions = assemble.recent_versions(
            session,
            project,
            params=gate.params,
            history_days=settings.history_days,
            now=gate.now,
        )
        version_ids = [v.id for v in versions]
        index = assemble.chunk_index(session, version_ids)
    doc = assemble.project_doc(project)
    body = assemble.layout(doc, gate.params, version_ids, index, tables)
    limit_bytes = settings.feed_max_bytes(project.tier.value)
    assert limit_bytes is not None, "authorize() refuses tiers without a feed"
    headers = {"ETag": body.etag, "Cache-Control": "no-store", "Vary": "Accept-Encoding"}
    if body.etag in matching_etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    assemble.check_size(
        body,
        limit_bytes=limit_bytes,
        project=doc,
        params=gate.params,
        version_ids=version_ids,
        index=index,
        tables=tables,
    )
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        zipped = body.gzipped()
        headers["Content-Length"] = str(zipped.size)
        stream = assemble.stream_gzip(ctx.db.engine, zipped)
    else:
        headers["Content-Length"] = str(body.size)
        stream = assemble.stream_identity(ctx.db.engine, body)
    return StreamingResponse(stream, media_type="application/json", headers=headers)


ProjectApiId = Annotated[str, Path(max_length=64, description="The project's feed id.")]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
Context = Annotated[AppContext, Depends(get_context)]


@router.get(
    "/power-bi/v1/{project_api_id}",
    summary="Published plans of a project as flat JSON tables",
    response_description="A JSON object: `project`, `parameters` and one array per table "
    "(see docs/feed.md). Gzip when `Accept-Encoding` allows it.",
    responses={**FEED_ERRORS, 304: {"description": "Not modified (If-None-Match matched)."}},
)
def published_plans(
    request: Request, project_api_id: ProjectApiId, ctx: Context, _credentials: Credentials = None
) -> Response:
    """Versions are newest first. Query parameters: `limit` (versions, default 5),
    `resource`, `status`, `blockers`, `metrics` (true|false|1|0|yes|no, default true)."""
    gate = admit(request, ctx, project_api_id, params.FEED_PARAMS)
    return serve(request, ctx, gate, FEED_TABLES)


@router.get(
    "/power-bi/v1/{project_api_id}/metrics",
    summary="Last Planner metrics of a project's published versions",
    response_description="`project`, `parameters`, `versions` and the metric tables "
    "(see docs/metrics.md).",
    responses={**FEED_ERRORS, 304: {"description": "Not modified (If-None-Match matched)."}},
)
def published_metrics(
    request: Request, project_api_id: ProjectApiId, ctx: Context, _credentials: Credentials = None
) -> Response:
    """The metric tables alone (with `versions` to relate them), same token and rules as the
    feed. Query parameter: `limit` (versions, default 5)."""
    gate = admit(request, ctx, project_api_id, params.METRICS_PARAMS)
    return serve(request, ctx, gate, (VERSIONS, *METRIC_TABLES))


def matching_etags(header: str) -> set[str]:
    """Entity tags in If-None-Match, compared weakly (RFC 9110 section 13.1.2)."""
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return tags | {f"W/{t}" for t in tags if not t.startswith("W/")}


def accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, qvalue = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            qvalue = qvalue.strip()
            try:
                return not qvalue.startswith("q=") or float(qvalue[2:]) > 0
            except ValueError:
                return False
    return False
