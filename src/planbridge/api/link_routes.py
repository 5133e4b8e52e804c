"""Logic links between two tasks of a project: create, list, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import Items, LinkCreate, LinkOut
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import service as plan
from planbridge.planning.models import Task
from planbridge.projects.models import Project

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: logic links"])


def _task(session: Session, project: Project, field: str, task_id: int) -> Task:
    task = plan.in_project(session, Task, task_id, project)
    if task is None:
        raise plan.invalid(field, f"{field} {task_id} is not a task of project {project.code}.")
    return task  # type: ignore[no-any-return]


@router.post(
    f"{PREFIX}/links",
    status_code=201,
    response_model=LinkOut,
    summary="Link two tasks (FS, SS, FF or SF, with a lag in working days)",
    responses=errors_of(errors.InvalidInput, errors.Conflict),
)
def create_link(body: LinkCreate, caller: CallerDep, ctx: Context) -> LinkOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        before = _task(session, project, "predecessor_id", body.predecessor_id)
        after = _task(session, project, "successor_id", body.successor_id)
        if before.id == after.id:
            raise plan.invalid("successor_id", "A task cannot be linked to itself.")
        plan.check_link(session, before, after, body.type)
        link = plan.add_link(session, before, after, body.type, body.lag_days)
        caller.audit(
            session,
            "link.create",
            f"link {link.id}",
            predecessor=before.activity_id,
            successor=after.activity_id,
            type=link.type.value,
            lag_days=link.lag_days,
        )
        return LinkOut.model_validate(link)


@router.get(
    f"{PREFIX}/links",
    response_model=Items[LinkOut],
    summary="List the project's logic links",
    responses=errors_of(),
)
def list_links(
    caller: CallerDep,
    ctx: Context,
    task_id: Annotated[
        int | None, Query(description="Only links with this task on either side.")
    ] = None,
) -> Items[LinkOut]:
    with ctx.db.transaction() as session:
        links = plan.list_links(session, caller.project(session), task_id)
        return Items[LinkOut](items=[LinkOut.model_validate(link) for link in links])


@router.delete(
    f"{PREFIX}/links/{{link_id}}",
    status_code=204,
    summary="Delete a logic link",
    responses=errors_of(errors.NotFound),
)
def delete_link(link_id: int, caller: CallerDep, ctx: Context) -> Response:
    with ctx.db.transaction() as session:
        link = plan.get_link(session, caller.project(session), link_id)
        caller.audit(
            session,
            "link.delete",
            f"link {link.id}",
            predecessor_id=link.predecessor_id,
            successor_id=link.successor_id,
            type=link.type.value,
        )
        session.delete(link)
    return Response(status_code=204)
