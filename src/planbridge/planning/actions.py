"""Changes to the live plan as an acting user makes them: each function checks the actor's
role, makes the change with the plain functions of :mod:`planning.service` and writes the
audit row, in the caller's transaction. The Plan API, the command line and web pages call
these and never check a role or write an audit row themselves.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import Conflict
from planbridge.planning import bulk
from planbridge.planning import service as plan
from planbridge.planning.enums import BlockerStatus, ProgressType
from planbridge.planning.models import (
    Blocker,
    BlockerCategory,
    DelayReason,
    ProgressUpdate,
    Task,
    TaskLink,
    TaskResource,
)
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_admin, require_member, require_writable

LISTS = "change the project's lists"
PRUNE = "prune tasks"


def _record(
    session: Session, project: Project, actor: Actor, action: str, subject: str, **details: Any
) -> None:
    audit.record(session, actor, action, project_id=project.id, subject=subject, **details)


def _require_editor(session: Session, project: Project, actor: Actor) -> None:
    """Any member edits the live plan, unless the project is archived."""
    require_member(session, project, actor)
    require_writable(project)


def _today(project: Project, now: dt.datetime) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(project.timezone)).date()


def lock_project(session: Session, project: Project) -> None:
    """Serialise the project's bulk writes (and activity-id allocation) with other writers."""
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())


# ---------------------------------------------------------------- tasks
def create_task(
    session: Session, project: Project, actor: Actor, values: dict[str, Any], *, now: dt.datetime
) -> Task:
    _require_editor(session, project, actor)
    task = plan.create_task(session, project, values, now=now)
    _record(session, project, actor, "task.create", f"task {task.activity_id}", task_id=task.id)
    return task


def update_task(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    changes: dict[str, Any],
    *,
    now: dt.datetime,
) -> list[str]:
    _require_editor(session, project, actor)
    changed = plan.update_task(session, project, task, changes, now=now)
    if changed:
        _record(
            session,
            project,
            actor,
            "task.update",
            f"task {task.activity_id}",
            task_id=task.id,
            fields=changed,
            row_version=task.row_version,
        )
    return changed


def delete_task(
    session: Session, project: Project, actor: Actor, task: Task, *, now: dt.datetime
) -> None:
    _require_editor(session, project, actor)
    _record(
        session,
        project,
        actor,
        "task.delete",
        f"task {task.activity_id}",
        task_id=task.id,
        external_id=task.external_id,
        name=task.name,
    )
    plan.delete_task(session, task, now=now)


def bulk_upsert(
    session: Session,
    project: Project,
    actor: Actor,
    inputs: Callable[[], Sequence[bulk.TaskInput]],
    *,
    owned: frozenset[bulk.TaskField] | None,
    prune: bool,
    dry_run: bool,
) -> bulk.UpsertResult:
    """Create or update tasks by ``external_id``; ``prune`` (deleting the rest) needs an admin.

    ``inputs`` builds the tasks once the role is checked and the project locked, so a refused
    caller learns of the refusal before any problem with the body."""
    _require_editor(session, project, actor)
    if prune:
        require_admin(session, project, actor, PRUNE)
    lock_project(session, project)
    tasks = inputs()
    result = bulk.upsert_tasks(
        session,
        project,
        tasks,
        fields=bulk.ALL_FIELDS if owned is None else owned,
        prune=prune,
        dry_run=dry_run,
    )
    if not dry_run:
        _record(
            session,
            project,
            actor,
            "task.bulk_upsert",
            f"{len(tasks)} tasks",
            prune=prune,
            fields=sorted(owned) if owned is not None else "all",
            **bulk_counts(result, prune=prune),
        )
    return result


def bulk_counts(result: bulk.UpsertResult, *, prune: bool) -> dict[str, int]:
    return {
        "added": len(result.added),
        "updated": len(result.updated),
        "unchanged": len(result.unchanged),
        "missing": len(result.missing),
        "pruned": len(result.missing) if prune else 0,
    }


# ---------------------------------------------------------------- links
def _linked_task(session: Session, project: Project, field: str, task_id: int) -> Task:
    task = plan.in_project(session, Task, task_id, project)
    if task is None:
        raise plan.invalid(field, f"{field} {task_id} is not a task of project {project.code}.")
    return task  # type: ignore[no-any-return]


def create_link(
    session: Session,
    project: Project,
    actor: Actor,
    *,
    predecessor_id: int,
    successor_id: int,
    type: Any,
    lag_days: int,
) -> TaskLink:
    _require_editor(session, project, actor)
    before = _linked_task(session, project, "predecessor_id", predecessor_id)
    after = _linked_task(session, project, "successor_id", successor_id)
    if before.id == after.id:
        raise plan.invalid("successor_id", "A task cannot be linked to itself.")
    plan.check_link(session, before, after, type)
    link = plan.add_link(session, before, after, type, lag_days)
    _record(
        session,
        project,
        actor,
        "link.create",
        f"link {link.id}",
        predecessor=before.activity_id,
        successor=after.activity_id,
        type=link.type.value,
        lag_days=link.lag_days,
    )
    return link


def delete_link(session: Session, project: Project, actor: Actor, link_id: int) -> None:
    _require_editor(session, project, actor)
    link = plan.get_link(session, project, link_id)
    _record(
        session,
        project,
        actor,
        "link.delete",
        f"link {link.id}",
        predecessor_id=link.predecessor_id,
        successor_id=link.successor_id,
        type=link.type.value,
    )
    session.delete(link)


# ---------------------------------------------------------------- resources
def add_resource(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    *,
    kind: str,
    name: str,
    quantity: float,
    unit: str,
) -> TaskResource:
    _require_editor(session, project, actor)
    item = plan.add_resource(session, task, kind, name, quantity, unit)
    _record(
        session,
        project,
        actor,
        "resource.create",
        f"task {task.activity_id}",
        resource_id=item.id,
        kind=item.kind.value,
        name=item.name,
    )
    return item


def delete_resource(
    session: Session, project: Project, actor: Actor, task: Task, resource_id: int
) -> None:
    _require_editor(session, project, actor)
    item = plan.child_of(session, TaskResource, task, resource_id, "resource")
    _record(
        session, project, actor, "resource.delete", f"task {task.activity_id}", resource_id=item.id
    )
    session.delete(item)


# ---------------------------------------------------------------- progress
def record_progress(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    *,
    day: dt.date,
    type: ProgressType,
    reason_id: int | None,
    reason: str | None,
    impact: Any,
    amount_days: int,
    comment: str | None,
    now: dt.datetime,
) -> ProgressUpdate:
    _require_editor(session, project, actor)
    found = plan.find_label(
        session, project, DelayReason, "reason", item_id=reason_id, label=reason
    )
    plan.check_progress(
        plan.calendar_of(session, task.calendar_id, project),
        task,
        day=day,
        type=type,
        reason=found,
        impact=impact,
        amount_days=amount_days,
    )
    record = plan.add_progress(
        session,
        task,
        day=day,
        type=type,
        reason=found,
        impact=impact,
        amount_days=amount_days,
        comment=comment,
        by_user_id=actor.user_id,
        recorded_at=now,
    )
    _record(
        session,
        project,
        actor,
        "progress.create",
        f"task {task.activity_id}",
        progress_id=record.id,
        type=record.type.value,
        day=record.day.isoformat(),
    )
    return record


def update_progress(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    progress_id: int,
    changes: dict[str, Any],
) -> ProgressUpdate:
    _require_editor(session, project, actor)
    record = plan.child_of(session, ProgressUpdate, task, progress_id, "progress update")
    changed = plan.update_progress(session, project, task, record, changes)
    if changed:
        _record(
            session,
            project,
            actor,
            "progress.update",
            f"task {task.activity_id}",
            progress_id=record.id,
            fields=changed,
        )
    return record  # type: ignore[no-any-return]


# ---------------------------------------------------------------- blockers
def raise_blocker(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    *,
    title: str,
    category_id: int | None,
    category: str | None,
    owner_id: int | None,
    raised_on: dt.date | None,
    due_on: dt.date | None,
    now: dt.datetime,
) -> Blocker:
    _require_editor(session, project, actor)
    found = plan.find_label(
        session, project, BlockerCategory, "category", item_id=category_id, label=category
    )
    if owner_id is not None:
        plan.check_members(session, project, "owner_id", [owner_id])
    blocker = plan.add_blocker(
        session,
        task,
        title=title,
        raised_on=raised_on or _today(project, now),
        due_on=due_on,
        category=found,
        owner_id=owner_id,
    )
    _record(
        session, project, actor, "blocker.create", f"task {task.activity_id}", blocker_id=blocker.id
    )
    return blocker


def update_blocker(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    blocker_id: int,
    changes: dict[str, Any],
) -> Blocker:
    _require_editor(session, project, actor)
    blocker = plan.child_of(session, Blocker, task, blocker_id, "blocker")
    changed = plan.update_blocker(session, project, blocker, changes)
    if changed:
        _record(
            session,
            project,
            actor,
            "blocker.update",
            f"task {task.activity_id}",
            blocker_id=blocker.id,
            fields=changed,
        )
    return blocker  # type: ignore[no-any-return]


def resolve_blocker(
    session: Session,
    project: Project,
    actor: Actor,
    task: Task,
    blocker_id: int,
    *,
    resolved_on: dt.date | None,
    now: dt.datetime,
) -> Blocker:
    _require_editor(session, project, actor)
    blocker: Blocker = plan.child_of(session, Blocker, task, blocker_id, "blocker")
    if blocker.status == BlockerStatus.resolved:
        raise Conflict(
            f"Blocker {blocker.id} was already resolved on {blocker.resolved_on}.",
            details={"resolved_on": str(blocker.resolved_on)},
        )
    day = resolved_on or _today(project, now)
    plan.resolve_blocker(session, blocker, day)
    _record(
        session,
        project,
        actor,
        "blocker.resolve",
        f"task {task.activity_id}",
        blocker_id=blocker.id,
        resolved_on=day.isoformat(),
    )
    return blocker


# ---------------------------------------------------------------- project lists
def add_list_item(
    session: Session,
    project: Project,
    actor: Actor,
    model: type[Any],
    key: tuple[str, str],
    add: Callable[[], Any],
) -> Any:
    """Add an entry to one of the project's lists (admins): ``key`` (field, value) must be new;
    ``add`` inserts the entry once the role and the key are checked."""
    require_writable(project)
    require_admin(session, project, actor, LISTS)
    field, value = key
    plan.check_new_entry(session, project, model, field, value)
    item = add()
    _record(
        session,
        project,
        actor,
        f"{model.__tablename__}.create",
        f"{field} {value}"[:200],
        id=item.id,
    )
    return item
