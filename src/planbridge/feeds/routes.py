"""``GET /power-bi/v1/{project_api_id}``: the Published Plans feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.context import AppContext, get_context
from planbridge.feeds import assemble, params
from planbridge.http_errors import documented
from planbridge.integrations import fair_use
from planbridge.integrations.service import authenticate
from planbridge.projects.models import Project

router = APIRouter(tags=["feed"])
bearer = HTTPBearer(auto_error=False, description="A feed token: `Authorization: Bearer pbt_...`")

FEED_ERRORS = documented(
    errors.InvalidParameter,
    errors.TokenInQuery,
    errors.InvalidToken,
    errors.IntegrationDisabled,
    errors.ProjectSuspended,
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
    if not project.integration_enabled:
        raise errors.IntegrationDisabled(
            f"The Power BI source of project {project.code} is disabled."
        )


@router.get(
    "/power-bi/v1/{project_api_id}",
    summary="Published plans of a project as flat JSON tables",
    response_description="A JSON object: `project`, `parameters` and one array per table "
    "(see docs/feed.md). Gzip when `Accept-Encoding` allows it.",
    responses={**FEED_ERRORS, 304: {"description": "Not modified (If-None-Match matched)."}},
)
def published_plans(
    request: Request,
    project_api_id: Annotated[str, Path(max_length=64, description="The project's feed id.")],
    ctx: Annotated[AppContext, Depends(get_context)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Response:
    """Versions are newest first. Query parameters: `limit` (versions, default 5),
    `resource`, `status`, `blockers` (true|false|1|0|yes|no, default true)."""
    query = request.query_params.multi_items()
    params.refuse_token_in_query(query)
    settings = ctx.settings
    now = ctx.clock()
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        authenticate(session, project, request.headers.get("authorization"), now=now)
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        ensure_serving(project)
        wanted = params.parse(
            query,
            default_limit=settings.feed_default_versions,
            max_limit=settings.feed_max_versions,
        )
        fair_use.consume(session, project.id, settings.feed_requests_per_hour, now.timestamp())
    with ctx.db.transaction() as session:
        versions = assemble.recent_versions(
            session, project, limit=wanted.limit, history_days=settings.history_days, now=now
        )
        version_ids = [v.id for v in versions]
        index = assemble.chunk_index(session, version_ids)
    doc = assemble.project_doc(project)
    body = assemble.layout(doc, wanted, version_ids, index)
    limit_bytes = settings.feed_max_bytes(project.tier.value)
    if limit_bytes is None:
        raise errors.PlanNotEligible(f"Project {project.code} is on the free tier.")
    headers = {
        "ETag": body.etag,
        "Cache-Control": "private, no-cache",
        "Vary": "Accept-Encoding",
    }
    if body.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    assemble.check_size(
        body,
        limit_bytes=limit_bytes,
        project=doc,
        params=wanted,
        version_ids=version_ids,
        index=index,
    )
    if _accepts_gzip(request.headers.get("accept-encoding", "")):
        headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(body.gzip_size())
        stream = assemble.stream_gzip(ctx.db.engine, body)
    else:
        headers["Content-Length"] = str(body.size)
        stream = assemble.stream_identity(ctx.db.engine, body)
    return StreamingResponse(stream, media_type="application/json", headers=headers)


def _etags(header: str) -> set[str]:
    """Entity tags in If-None-Match, compared weakly (RFC 9110 section 13.1.2)."""
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return tags | {f"W/{t}" for t in tags if not t.startswith("W/")}


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, qvalue = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            qvalue = qvalue.strip()
            try:
                return not qvalue.startswith("q=") or float(qvalue[2:]) > 0
            except ValueError:
                return False
    return False
