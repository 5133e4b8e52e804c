"""Logic links between two tasks of a project: create, list, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import Items, LinkCreate, LinkOut
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import actions
from planbridge.planning import service as plan

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: logic links"])


@router.post(
    f"{PREFIX}/links",
    status_code=201,
    response_model=LinkOut,
    summary="Link two tasks (FS, SS, FF or SF, with a lag in working days)",
    responses=errors_of(errors.InvalidInput, errors.Conflict),
)
def create_link(body: LinkCreate, caller: CallerDep, ctx: Context) -> LinkOut:
    with ctx.db.transaction() as session:
        link = actions.create_link(
            session,
            caller.project(session),
            caller.actor,
            predecessor_id=body.predecessor_id,
            successor_id=body.successor_id,
            type=body.type,
            lag_days=body.lag_days,
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
        actions.delete_link(session, caller.project(session), caller.actor, link_id)
    return Response(status_code=204)
