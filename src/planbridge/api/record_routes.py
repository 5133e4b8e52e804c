"""What is recorded on a task: resources, progress updates ("status") and blockers."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.record_schemas import (
    BlockerCreate,
    BlockerOut,
    BlockerPatch,
    BlockerResolve,
    ProgressCreate,
    ProgressOut,
    ProgressPatch,
    ResourceCreate,
    ResourceOut,
)
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.schemas import Items
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import actions
from planbridge.planning import service as plan
from planbridge.planning.enums import BlockerStatus
from planbridge.planning.models import (
    Blocker,
    BlockerCategory,
    DelayReason,
    ProgressUpdate,
    TaskResource,
)

router = APIRouter(route_class=PlanApiRoute)
TASK = f"{PREFIX}/tasks/{{task_id}}"
RESOURCES: list[str | Enum] = ["Plan API: resources"]
PROGRESS: list[str | Enum] = ["Plan API: progress"]
BLOCKERS: list[str | Enum] = ["Plan API: blockers"]


# ---------------------------------------------------------------- resources
@router.post(
    f"{TASK}/resources",
    status_code=201,
    response_model=ResourceOut,
    tags=RESOURCES,
    summary="Add a resource (labour, plant or material) to a task",
    responses=errors_of(errors.NotFound, errors.InvalidInput),
)
def create_resource(
    task_id: int, body: ResourceCreate, caller: CallerDep, ctx: Context
) -> ResourceOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        item = actions.add_resource(
            session,
            project,
            caller.actor,
            task,
            kind=body.kind,
            name=body.name,
            quantity=body.quantity,
            unit=body.unit,
        )
        return ResourceOut.model_validate(item)


@router.get(
    f"{TASK}/resources",
    response_model=Items[ResourceOut],
    tags=RESOURCES,
    summary="List a task's resources",
    responses=errors_of(errors.NotFound),
)
def list_resources(task_id: int, caller: CallerDep, ctx: Context) -> Items[ResourceOut]:
    with ctx.db.transaction() as session:
        task = plan.get_task(session, caller.project(session), task_id)
        rows = plan.children(session, TaskResource, task)
        return Items[ResourceOut](items=[ResourceOut.model_validate(r) for r in rows])


@router.delete(
    f"{TASK}/resources/{{resource_id}}",
    status_code=204,
    tags=RESOURCES,
    summary="Remove a resource from a task",
    responses=errors_of(errors.NotFound),
)
def delete_resource(task_id: int, resource_id: int, caller: CallerDep, ctx: Context) -> Response:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        actions.delete_resource(session, project, caller.actor, task, resource_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- progress
def _progress_out(session: Session, record: ProgressUpdate) -> ProgressOut:
    reason = session.get(DelayReason, record.reason_id) if record.reason_id else None
    return ProgressOut(
        id=record.id,
        task_id=record.task_id,
        day=record.day,
        type=record.type,
        reason_id=record.reason_id,
        reason=reason.label if reason else None,
        category=reason.category if reason else None,
        impact=record.impact,
        amount_days=record.amount_days,
        comment=record.comment,
        by_user_id=record.by_user_id,
        recorded_at=record.recorded_at,
    )


@router.post(
    f"{TASK}/progress",
    status_code=201,
    response_model=ProgressOut,
    tags=PROGRESS,
    summary="Record progress (delayed, on_schedule, improved, complete) on one day of a task",
    responses=errors_of(errors.NotFound, errors.InvalidInput),
)
def create_progress(
    task_id: int, body: ProgressCreate, caller: CallerDep, ctx: Context
) -> ProgressOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        record = actions.record_progress(
            session,
            project,
            caller.actor,
            task,
            day=body.day,
            type=body.type,
            reason_id=body.reason_id,
            reason=body.reason,
            impact=body.impact,
            amount_days=body.amount_days,
            comment=body.comment,
            now=caller.now,
        )
        return _progress_out(session, record)


@router.get(
    f"{TASK}/progress",
    response_model=Items[ProgressOut],
    tags=PROGRESS,
    summary="List a task's progress updates",
    responses=errors_of(errors.NotFound),
)
def list_progress(task_id: int, caller: CallerDep, ctx: Context) -> Items[ProgressOut]:
    with ctx.db.transaction() as session:
        task = plan.get_task(session, caller.project(session), task_id)
        rows = plan.children(session, ProgressUpdate, task)
        return Items[ProgressOut](items=[_progress_out(session, r) for r in rows])


@router.patch(
    f"{TASK}/progress/{{progress_id}}",
    response_model=ProgressOut,
    tags=PROGRESS,
    summary="Correct a progress update",
    responses=errors_of(errors.NotFound, errors.InvalidInput),
)
def patch_progress(
    task_id: int, progress_id: int, body: ProgressPatch, caller: CallerDep, ctx: Context
) -> ProgressOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        record = actions.update_progress(
            session,
            project,
            caller.actor,
            task,
            progress_id,
            body.model_dump(exclude_unset=True),
        )
        return _progress_out(session, record)


# ---------------------------------------------------------------- blockers
def _blocker_out(session: Session, blocker: Blocker) -> BlockerOut:
    category = session.get(BlockerCategory, blocker.category_id) if blocker.category_id else None
    return BlockerOut(
        id=blocker.id,
        task_id=blocker.task_id,
        title=blocker.title,
        category_id=blocker.category_id,
        category=category.label if category else None,
        canonical_category=category.category if category else None,
        owner_id=blocker.owner_id,
        raised_on=blocker.raised_on,
        due_on=blocker.due_on,
        status=blocker.status,
        resolved_on=blocker.resolved_on,
    )


@router.post(
    f"{TASK}/blockers",
    status_code=201,
    response_model=BlockerOut,
    tags=BLOCKERS,
    summary="Raise a blocker (constraint) on a task",
    responses=errors_of(errors.NotFound, errors.InvalidInput),
)
def create_blocker(
    task_id: int, body: BlockerCreate, caller: CallerDep, ctx: Context
) -> BlockerOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        blocker = actions.raise_blocker(
            session,
            project,
            caller.actor,
            task,
            title=body.title,
            category_id=body.category_id,
            category=body.category,
            owner_id=body.owner_id,
            raised_on=body.raised_on,
            due_on=body.due_on,
            now=caller.now,
        )
        return _blocker_out(session, blocker)


@router.get(
    f"{TASK}/blockers",
    response_model=Items[BlockerOut],
    tags=BLOCKERS,
    summary="List a task's blockers",
    responses=errors_of(errors.NotFound),
)
def list_blockers(
    task_id: int,
    caller: CallerDep,
    ctx: Context,
    status: Annotated[BlockerStatus | None, Query(description="open or resolved")] = None,
) -> Items[BlockerOut]:
    with ctx.db.transaction() as session:
        task = plan.get_task(session, caller.project(session), task_id)
        rows = plan.children(session, Blocker, task)
        return Items[BlockerOut](
            items=[_blocker_out(session, b) for b in rows if status in (None, b.status)]
        )


@router.patch(
    f"{TASK}/blockers/{{blocker_id}}",
    response_model=BlockerOut,
    tags=BLOCKERS,
    summary="Change a blocker's title, category, owner or dates",
    responses=errors_of(errors.NotFound, errors.InvalidInput),
)
def patch_blocker(
    task_id: int, blocker_id: int, body: BlockerPatch, caller: CallerDep, ctx: Context
) -> BlockerOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        blocker = actions.update_blocker(
            session, project, caller.actor, task, blocker_id, body.model_dump(exclude_unset=True)
        )
        return _blocker_out(session, blocker)


@router.post(
    f"{TASK}/blockers/{{blocker_id}}/resolve",
    response_model=BlockerOut,
    tags=BLOCKERS,
    summary="Resolve a blocker",
    responses=errors_of(errors.NotFound, errors.InvalidInput, errors.Conflict),
)
def resolve_blocker(
    task_id: int,
    blocker_id: int,
    caller: CallerDep,
    ctx: Context,
    body: BlockerResolve | None = None,
) -> BlockerOut:
    with ctx.db.transaction() as session:
        project = caller.project(session)
        task = plan.get_task(session, project, task_id)
        blocker = actions.resolve_blocker(
            session,
            project,
            caller.actor,
            task,
            blocker_id,
            resolved_on=body.resolved_on if body else None,
            now=caller.now,
        )
        return _blocker_out(session, blocker)
