"""The one gate every data request passes: JSON feed, metrics, CSV/XLSX files and OData.

In order: no token in the URL, a known project, a valid token (its last use recorded even if a
later check fails), a feed that is not suspended, a tier with a feed, an enabled source, the
fair-use budget, then (for endpoints that take them) the query parameters from the catalog's
registry. The admitted request carries the size limit of its tier. Errors are the typed domain
errors of ``planbridge.errors``: JSON endpoints render them through ``http_errors``, OData
through its own error body, with the same code and status. ``tests/feeds/test_gate.py`` walks
every data route of the app and shows each one refuses what the gate refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.catalog.params import Endpoint, names_for
from planbridge.context import AppContext, get_context
from planbridge.feeds import params, token_notice
from planbridge.http_errors import documented
from planbridge.integrations import fair_use
from planbridge.integrations.service import authenticate
from planbridge.projects.models import Project, Tier
from planbridge.url_tokens import refuse_token_in_query

bearer = HTTPBearer(auto_error=False, description="A feed token: `Authorization: Bearer pbt_...`")
ProjectApiId = Annotated[str, Path(max_length=64, description="The project's feed id.")]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
Context = Annotated[AppContext, Depends(get_context)]

#: Every error the gate answers with, in the order it checks.
GATE_ERRORS: tuple[type[errors.PlanBridgeError], ...] = (
    errors.TokenInQuery,
    errors.ProjectNotFound,
    errors.InvalidToken,
    errors.ProjectSuspended,
    errors.PlanNotEligible,
    errors.IntegrationDisabled,
    errors.RateLimited,
    errors.InvalidParameter,
    errors.ResponseTooLarge,
)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched)."}
}


def data_errors(*extra: type[errors.PlanBridgeError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a data endpoint: the gate's errors plus its own."""
    return documented(*GATE_ERRORS, *extra)


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
class Authorized:
    """A request that passed every check but the parameters."""

    project: Project
    now: dt.datetime
    limit_bytes: int
    """The body-size limit of the project's tier."""


@dataclass(frozen=True, slots=True)
class Gate:
    """A request that passed every check: the project, its parameters and the request time."""

    project: Project
    params: params.FeedParams
    now: dt.datetime
    limit_bytes: int


def authorize(request: Request, ctx: AppContext, project_api_id: str) -> Authorized:
    """Every check but the parameters (OData has its own query options)."""
    refuse_token_in_query(request.query_params.multi_items())
    now = ctx.clock()
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        token = authenticate(session, project, request.headers.get("authorization"), now=now)
        token_notice.note(request, token, now)
    with ctx.db.transaction() as session:
        project = find_project(session, project_api_id)
        ensure_serving(project)
        fair_use.consume(session, project.id, ctx.settings.feed_requests_per_hour, now.timestamp())
    limit_bytes = ctx.settings.feed_max_bytes(project.tier.value)
    assert limit_bytes is not None, "ensure_serving refuses tiers without a feed"
    return Authorized(project, now, limit_bytes)


def admit(request: Request, ctx: AppContext, project_api_id: str, endpoint: Endpoint) -> Gate:
    """:func:`authorize`, then the query parameters the catalog declares for ``endpoint``."""
    passed = authorize(request, ctx, project_api_id)
    wanted = params.parse(
        request.query_params.multi_items(),
        default_limit=ctx.settings.feed_default_versions,
        max_limit=ctx.settings.feed_max_versions,
        allowed=names_for(endpoint),
    )
    return Gate(passed.project, wanted, passed.now, passed.limit_bytes)


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
