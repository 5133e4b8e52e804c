"""Bulk upsert of tasks by ``external_id``: a nightly sync in one idempotent call."""

from __future__ import annotations

from fastapi import APIRouter, Request

from planbridge import errors
from planbridge.api.auth import CallerDep, Context
from planbridge.api.bulk_inputs import ProjectRefs, owned_fields, task_inputs
from planbridge.api.bulk_schemas import BulkCounts, BulkUpsert, BulkUpsertOut
from planbridge.api.responses import PREFIX, errors_of
from planbridge.api.validation import PlanApiRoute
from planbridge.planning import actions

router = APIRouter(route_class=PlanApiRoute, tags=["Plan API: tasks"])


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
    owned = owned_fields(body.fields)
    with ctx.db.transaction() as session:
        project = caller.project(session)
        result = actions.bulk_upsert(
            session,
            project,
            caller.actor,
            lambda: task_inputs(body.tasks, ProjectRefs.load(session, project), owned),
            owned=owned,
            prune=body.prune,
            dry_run=body.dry_run,
        )
        pruned = list(result.missing) if body.prune else []
        return BulkUpsertOut(
            dry_run=body.dry_run,
            prune=body.prune,
            counts=BulkCounts(**actions.bulk_counts(result, prune=body.prune)),
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            missing=result.missing,
            pruned=pruned,
            task_ids=result.task_ids,
            activity_ids=result.activity_ids,
        )
