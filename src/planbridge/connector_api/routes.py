"""The connector API: the signed-in user's organisation and its non-archived projects they
belong to, each project's export actions, and an action's run, preview and download.

Authentication is a bearer token (``oauth.bearer``); every project check and audit row is in
the services. A project the caller may not reach answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.connector_api import runs
from planbridge.context import AppContext, get_context
from planbridge.exports import definition as definitions
from planbridge.exports import service
from planbridge.http_errors import documented
from planbridge.oauth import bearer
from planbridge.oauth.bearer import ApiUser
from planbridge.projects.membership import projects_of
from planbridge.projects.models import Organisation, Project
from planbridge.projects.service import get_project
from planbridge.publishing.models import Version
from planbridge.url_tokens import refuse_token_in_query

router = APIRouter(prefix="/api/v1/connector", tags=["connector"])
Context = Annotated[AppContext, Depends(get_context)]
Code = Annotated[str, Path(max_length=40, description="The project's code, e.g. `RIV01`.")]
ActionRef = Annotated[str, Path(max_length=100, description="The export action's id or name.")]
AUTH_ERRORS = documented(errors.InvalidToken, errors.ProjectNotFound)


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ConnectorBearer",
    description="An access token from /oauth/token or /api/v1/auth/basic (`pba_...`), or a "
    "personal access token (`pbp_...`, its own project only).",
)


def caller(
    request: Request,
    ctx: Context,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> ApiUser:
    refuse_token_in_query(request.query_params.multi_items())
    with ctx.db.transaction() as session:
        return bearer.authenticate(session, request.headers.get("authorization"), now=ctx.clock())


Caller = Annotated[ApiUser, Depends(caller)]


class NewAction(BaseModel):
    name: str = Field(max_length=100, description="Shown in the Navigator, e.g. `Open tasks`.")
    table: str = Field(max_length=40, description="A feed table, e.g. `tasks` (docs/feed.md).")
    format: str = Field(default="csv", description="`csv` (comma) or `txt` (tab-separated).")
    columns: list[str] | None = Field(default=None, description="Default: every column.")
    filters: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Each `{"column": ..., "op": "eq|ne|lt|le|gt|ge", "value": ...}`.',
    )
    versions: int = Field(default=1, description="How many of the latest versions it covers.")
    bom: bool = Field(default=False, description="Start the file with a UTF-8 byte-order mark.")


def reachable(session: Session, who: ApiUser, code: str) -> Project:
    """A non-archived project of the caller's organisation that the caller belongs to."""
    try:
        project = get_project(session, code)
    except errors.ProjectNotFound:
        project = None
    mine = {p.id for p, _ in projects_of(session, who.user.id)}
    if (
        project is None
        or project.id not in mine
        or project.organisation_id != who.user.organisation_id
        or not who.may_reach(project.id)
    ):
        raise errors.ProjectNotFound(
            f"No project '{code}' among yours.",
            hint="List your projects: GET /api/v1/connector/projects",
        )
    return project


@router.get("", summary="The connector API's root (anonymous; for connection tests)")
def root() -> dict[str, Any]:
    return {"service": "PlanBridge connector API", "projects": "/api/v1/connector/projects"}


@router.get(
    "/projects",
    summary="Your organisation and its non-archived projects you belong to",
    responses=AUTH_ERRORS,
)
def list_projects(ctx: Context, who: Caller) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        organisation = session.get(Organisation, who.user.organisation_id)
        assert organisation is not None
        found = [
            (p, role)
            for p, role in projects_of(session, who.user.id)
            if p.organisation_id == organisation.id and who.may_reach(p.id)
        ]
        latest = _latest_versions(session, [p.id for p, _ in found])
        return {
            "organisation": {"id": organisation.id, "name": organisation.name},
            "projects": [
                {
                    "code": p.code,
                    "name": p.name,
                    "id": p.api_id,
                    "role": role.value,
                    "latest_version": latest.get(p.id),
                }
                for p, role in found
            ],
        }


def _latest_versions(session: Session, project_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not project_ids:
        return {}
    newest = (
        select(Version.project_id, func.max(Version.number).label("number"))
        .where(Version.project_id.in_(project_ids))
        .group_by(Version.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Version).join(
            newest,
            (newest.c.project_id == Version.project_id) & (newest.c.number == Version.number),
        )
    ).scalars()
    return {
        v.project_id: {
            "number": v.number,
            "name": v.name,
            "published_at": v.published_at.isoformat().replace("+00:00", "Z"),
        }
        for v in rows
    }


@router.get(
    "/projects/{code}/exports",
    summary="A project's export actions",
    responses=AUTH_ERRORS,
)
def list_actions(code: Code, ctx: Context, who: Caller) -> dict[str, Any]:
    with ctx.db.transaction() as session:
        project = reachable(session, who, code)
        actions = service.list_actions(session, project, who.actor)
        return {
            "project": project.code,
            "export_actions": [service.action_json(a) for a in actions],
        }


@router.post(
    "/projects/{code}/exports",
    status_code=201,
    summary="Save a new export action (project admins)",
    responses=documented(
        errors.InvalidToken,
        errors.ProjectNotFound,
        errors.NotProjectAdmin,
        errors.InvalidInput,
        errors.Conflict,
    ),
)
def create_action(code: Code, body: NewAction, ctx: Context, who: Caller) -> dict[str, Any]:
    definition = definitions.check(
        table=body.table,
        format=body.format,
        columns=body.columns,
        filters=body.filters,
        versions=body.versions,
        bom=body.bom,
    )
    with ctx.db.transaction() as session:
        project = reachable(session, who, code)
        action = service.create_action(
            session, project, who.actor, name=body.name, definition=definition, now=ctx.clock()
        )
        return service.action_json(action)


@router.delete(
    "/projects/{code}/exports/{action}",
    status_code=204,
    summary="Delete an export action (project admins)",
    responses=documented(errors.InvalidToken, errors.ProjectNotFound, errors.NotProjectAdmin),
)
def delete_action(code: Code, action: ActionRef, ctx: Context, who: Caller) -> None:
    with ctx.db.transaction() as session:
        project = reachable(session, who, code)
        found = service.get_action(session, project, who.actor, action)
        service.delete_action(session, project, who.actor, found)


def _run(ctx: AppContext, who: ApiUser, code: str, action: str) -> runs.RunResult:
    with ctx.db.transaction() as session:
        project = reachable(session, who, code)
    return runs.run(
        ctx.db,
        ctx.settings,
        who.actor,
        project_ref=project.code,
        action_ref=action,
        now=ctx.clock(),
    )


RUN_ERRORS = documented(
    errors.InvalidToken,
    errors.ProjectNotFound,
    service.ExportActionNotFound,
    service.NoPublishedVersion,
    service.DownloadTooLarge,
)


@router.post(
    "/projects/{code}/exports/{action}/run",
    summary="Run an export action: write the missing files, return every file's manifest",
    responses=RUN_ERRORS,
)
def run_action(code: Code, action: ActionRef, ctx: Context, who: Caller) -> dict[str, Any]:
    result = _run(ctx, who, code, action)
    return {
        "export_action": service.action_json(result.action),
        "files": [m.as_json() for m in result.files],
    }


@router.get(
    "/projects/{code}/exports/{action}/preview",
    summary="The first 1,000 rows of the newest file (runs the action if needed)",
    responses=RUN_ERRORS,
)
def preview(
    code: Code,
    action: ActionRef,
    ctx: Context,
    who: Caller,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> dict[str, Any]:
    result = _run(ctx, who, code, action)
    return runs.preview(runs.pick(result, version), result.definition)


@router.get(
    "/projects/{code}/exports/{action}/download",
    summary="Download the newest file (or one version's); supports Range",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/csv": {}, "text/tab-separated-values": {}}},
        206: {"description": "Partial content (Range)."},
        **RUN_ERRORS,
    },
)
def download(
    code: Code,
    action: ActionRef,
    ctx: Context,
    who: Caller,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> FileResponse:
    result = _run(ctx, who, code, action)
    manifest = runs.pick(result, version)
    if manifest.bytes > service.cap_bytes(ctx.settings.export_max_mb):
        raise service.too_large(ctx.settings.export_max_mb)
    name = f"{result.project.code}-{result.action.id}-v{manifest.version_number}"
    return FileResponse(
        manifest.path,
        media_type=result.definition.media_type,
        filename=f"{name}.{result.definition.extension}",
        headers={
            "ETag": f'"{manifest.sha256}"',
            "X-PlanBridge-Rows": str(manifest.rows),
            "X-PlanBridge-SHA256": manifest.sha256,
            "Cache-Control": "private, no-cache",
        },
    )
