"""Tasks: create, read, update (``If-Match``), delete (``If-Match``), list with filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.concurrency import etag, require_match
from planbridge.api.errors import PreconditionRequired, VersionMismatch
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import TaskCreate, TaskOut, TaskPage, TaskPatch
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import actions
from planbridge.planning import service as plan
from planbridge.planning.enums import TaskStatus, TaskType

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: tasks"])

IfMatch = Annotated[
    str | None,
    Header(description='The task\'s ETag as last read, e.g. `"3"`. Required.'),
]
DEFAULT_PAGE = 100
"""Tasks per page when a list request gives no ``limit``."""
MAX_PAGE = 500
"""The largest ``limit`` a task list accepts."""
LIST_PARAMS = frozenset({"status", "cursor", "limit", "updated_since", *plan.EQUALITY_FILTERS})


def _task_headers(response: Response, task_out: TaskOut) -> None:
    response.headers["ETag"] = f'"{task_out.row_version}"'


@router.post(
    f"{PREFIX}/tasks",
    status_code=201,
    response_model=TaskOut,
    summary="Create a task",
    response_description="The task; `ETag` carries its version, `Location` its URL.",
    responses=errors_of(errors.InvalidInput, errors.Conflict),
)
def create_task(body: TaskCreate, caller: CallerDep, ctx: Context, response: Response) -> TaskOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = actions.create_task(
            session, project, caller.actor, body.model_dump(), now=caller.now
        )
        out = TaskOut.model_validate(task)
    _task_headers(response, out)
    response.headers["Location"] = f"/api/v1/projects/{caller.project_code}/tasks/{out.id}"
    return out


@router.get(
    f"{PREFIX}/tasks",
    response_model=TaskPage,
    summary="List tasks, filtered and paged",
    response_description="One page in id order; follow `next_cursor` until it is null.",
    responses=errors_of(),
)
def list_tasks(
    request: Request,
    caller: CallerDep,
    ctx: Context,
    status: Annotated[
        list[TaskStatus] | None, Query(description="Repeat for several statuses.")
    ] = None,
    type: TaskType | None = None,
    subcontractor_id: int | None = None,
    location_id: int | None = None,
    folder_id: int | None = None,
    package_id: int | None = None,
    parent_id: int | None = None,
    external_id: Annotated[str | None, Query(max_length=100)] = None,
    committed: bool | None = None,
    updated_since: Annotated[
        dt.datetime | None,
        Query(description="Only tasks changed at or after this instant (with timezone)."),
    ] = None,
    cursor: Annotated[
        str | None, Query(description="`next_cursor` of the previous page.", max_length=20)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> TaskPage:
    unknown = sorted(set(request.query_params) - LIST_PARAMS)
    if unknown:
        raise errors.InvalidParameter(
            f"Unknown query parameter '{unknown[0]}'.",
            hint="Allowed: " + ", ".join(sorted(LIST_PARAMS)) + ".",
            details={"field": unknown[0]},
        )
    if updated_since is not None and updated_since.tzinfo is None:
        raise errors.InvalidParameter(
            "updated_since needs a timezone, e.g. 2026-11-20T15:00:00Z.",
            details={"field": "updated_since"},
        )
    if cursor is not None and not cursor.isdigit():
        raise errors.InvalidParameter(
            f"cursor '{cursor}' is not one this API gave out.",
            hint="Pass next_cursor from the previous page unchanged.",
            details={"field": "cursor"},
        )
    where = plan.TaskFilter(
        status=tuple(status or ()),
        type=type,
        subcontractor_id=subcontractor_id,
        location_id=location_id,
        folder_id=folder_id,
        package_id=package_id,
        parent_id=parent_id,
        external_id=external_id,
        committed=committed,
        updated_since=updated_since,
    )
    with ctx.db.transaction() as session:
        project = caller.project(session)
        tasks = plan.list_tasks(
            session, project, where, after_id=int(cursor) if cursor else None, limit=limit + 1
        )
        items = [TaskOut.model_validate(t) for t in tasks[:limit]]
    next_cursor = str(items[-1].id) if len(tasks) > limit else None
    return TaskPage(items=items, next_cursor=next_cursor)


@router.get(
    f"{PREFIX}/tasks/{{task_id}}",
    response_model=TaskOut,
    summary="Read a task",
    response_description="The task; `ETag` is its version, to send back in `If-Match`.",
    responses={
        **errors_of(errors.NotFound),
        304: {"description": "Not modified: `If-None-Match` holds the current ETag."},
    },
)
def get_task(
    task_id: int,
    caller: CallerDep,
    ctx: Context,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> TaskOut | Response:
    with ctx.db.transaction() as session:
        task = plan.get_task(session, caller.project(session), task_id)
        out = TaskOut.model_validate(task)
    if if_none_match is not None and etag(task) in [v.strip() for v in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": etag(task)})
    _task_headers(response, out)
    return out


@router.patch(
    f"{PREFIX}/tasks/{{task_id}}",
    response_model=TaskOut,
    summary="Change some fields of a task (needs If-Match)",
    response_description="The task after the change, with its new `ETag`.",
    responses=errors_of(
        errors.NotFound, errors.InvalidInput, errors.Conflict, PreconditionRequired, VersionMismatch
    ),
)
def patch_task(
    task_id: int,
    body: TaskPatch,
    caller: CallerDep,
    ctx: Context,
    response: Response,
    if_match: IfMatch = None,
) -> TaskOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id, lock=True)
        require_match(if_match, task)
        actions.update_task(
            session,
            project,
            caller.actor,
            task,
            body.model_dump(exclude_unset=True),
            now=caller.now,
        )
        out = TaskOut.model_validate(task)
    _task_headers(response, out)
    return out


@router.delete(
    f"{PREFIX}/tasks/{{task_id}}",
    status_code=204,
    summary="Delete a task with its links, resources, progress and blockers (needs If-Match)",
    responses=errors_of(errors.NotFound, PreconditionRequired, VersionMismatch),
)
def delete_task(
    task_id: int, caller: CallerDep, ctx: Context, if_match: IfMatch = None
) -> Response:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id, lock=True)
        require_match(if_match, task)
        actions.delete_task(session, project, caller.actor, task, now=caller.now)
    return Response(status_code=204)
