"""The project as the caller sees it, and its published versions: publish, list."""

from __future__ import annotations

from fastapi import APIRouter

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import (
    CallerOut,
    Items,
    ProjectOut,
    PublishedOut,
    VersionCreate,
    VersionOut,
)
from planbridge.api.validation import PlanApiRoute
from planbridge.publishing import checks
from planbridge.publishing import service as publishing

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: project and versions"])


@router.get(
    PREFIX,
    response_model=ProjectOut,
    summary="The project, and who the token acts as (role and permissions)",
    responses=errors_of(),
)
def get_project(caller: CallerDep, ctx: Context) -> ProjectOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        return ProjectOut(
            code=project.code,
            name=project.name,
            timezone=project.timezone,
            default_calendar_id=project.default_calendar_id,
            archived=project.archived,
            caller=CallerOut(
                email=caller.actor.label,
                role=caller.role.value,
                permissions=caller.permissions,
                token_name=caller.token_name,
                token_expires_at=caller.token_expires_at,
            ),
        )


@router.post(
    f"{PREFIX}/versions",
    status_code=201,
    response_model=PublishedOut,
    summary="Publish: freeze the live plan into a new numbered version (admins)",
    responses=errors_of(
        errors.NotProjectAdmin, errors.InvalidInput, checks.VersionNameTaken, checks.EmptyPlan
    ),
)
def publish(caller: CallerDep, ctx: Context, body: VersionCreate | None = None) -> PublishedOut:
    """Names are unique per project (409 `version_name_taken`); an empty live plan is refused
    (409 `plan_empty`). A second version on the same local day is published with a warning in
    `warnings`: its reference window is empty, so its PPC is null."""
    body = body or VersionCreate()
    with ctx.db.transaction() as session:
        project = caller.project(session)
        warnings = checks.publish_warnings(session, project, now=caller.now)
        version = publishing.publish(
            session,
            project,
            caller.actor,
            now=caller.now,
            chunk_rows=ctx.settings.publish_chunk_rows,
            name=body.name,
            comment=body.comment,
        )
        out = VersionOut.model_validate(version).model_dump()
        return PublishedOut(**out, warnings=warnings)


@router.get(
    f"{PREFIX}/versions",
    response_model=Items[VersionOut],
    summary="List published versions, oldest first",
    responses=errors_of(),
)
def list_versions(caller: CallerDep, ctx: Context) -> Items[VersionOut]:
    with ctx.db.transaction() as session:
        versions = publishing.list_versions(session, caller.project(session))
        return Items[VersionOut](items=[VersionOut.model_validate(v) for v in versions])
