"""Bulk upsert of tasks by ``external_id``: a nightly sync in one idempotent call."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.bulk_inputs import ProjectRefs, owned_fields, task_inputs
from planbridge.api.bulk_schemas import BulkCounts, BulkUpsert, BulkUpsertOut
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import bulk
from planbridge.projects.models import Project

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: tasks"])


def lock_project(session: Session, project: Project) -> None:
    """Serialise the project's bulk writes (and activity-id allocation) with other writers."""
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())


def refuse_query(request: Request, allowed: frozenset[str] = frozenset()) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise errors.InvalidParameter(
            f"Unknown query parameter '{unknown[0]}'.",
            hint="prune and dry_run go in the JSON body."
            if not allowed
            else "Allowed: " + ", ".join(sorted(allowed)) + ".",
            details={"field": unknown[0]},
        )


@router.post(
    f"{PREFIX}/tasks/bulk-upsert",
    response_model=BulkUpsertOut,
    summary="Create or update many tasks by external_id (prune: admins)",
    response_description="What changed (or, with `dry_run`, would change), by external id.",
    responses=errors_of(errors.NotProjectAdmin, errors.InvalidInput, errors.Conflict),
)
def bulk_upsert(
    request: Request, body: BulkUpsert, caller: CallerDep, ctx: Context
) -> BulkUpsertOut:
    """Tasks are matched to the project's tasks by `external_id`: unknown ones are created,
    known ones are updated when an owned property differs, and the rest are reported
    `unchanged` and not written (their `row_version` stays). Sending the same body twice
    therefore changes nothing the second time. The call is one transaction: with any problem
    nothing is written and `details.errors` lists every problem as `tasks[i].field`."""
    refuse_query(request)
    if body.prune:
        caller.require_admin("prune tasks")
    with ctx.db.transaction() as session:
        project = caller.project(session)
        lock_project(session, project)
        owned = owned_fields(body.fields)
        inputs = task_inputs(body.tasks, ProjectRefs.load(session, project), owned)
        result = bulk.upsert_tasks(
            session,
            project,
            inputs,
            fields=bulk.ALL_FIELDS if owned is None else owned,
            prune=body.prune,
            dry_run=body.dry_run,
        )
        pruned = list(result.missing) if body.prune else []
        out = BulkUpsertOut(
            dry_run=body.dry_run,
            prune=body.prune,
            counts=BulkCounts(
                added=len(result.added),
                updated=len(result.updated),
                unchanged=len(result.unchanged),
                missing=len(result.missing),
                pruned=len(pruned),
            ),
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            missing=result.missing,
            pruned=pruned,
            task_ids=result.task_ids,
            activity_ids=result.activity_ids,
        )
        if not body.dry_run:
            caller.audit(
                session,
                "task.bulk_upsert",
                f"{len(inputs)} tasks",
                prune=body.prune,
                fields=sorted(owned) if owned is not None else "all",
                **out.counts.model_dump(),
            )
    return out
