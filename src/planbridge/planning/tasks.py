"""Tasks of the live plan: create, validate, date, update, delete and list them.

Plain, validated functions that flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from planbridge.errors import Conflict, NotFound
from planbridge.planning import activity_ids
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.checks import (
    LIST_REFERENCES,
    calendar_of,
    check_members,
    choice,
    in_project,
    invalid,
)
from planbridge.planning.enums import (
    Shift,
    TaskStatus,
    TaskType,
)
from planbridge.planning.models import (
    Blocker,
    ProgressUpdate,
    Task,
    TaskLink,
    TaskResource,
)
from planbridge.projects.models import Project


def add_task(
    session: Session,
    project: Project,
    *,
    name: str,
    start_date: dt.date,
    duration_days: int = 1,
    type: str = "task",
    status: str = "planned",
    shift: str = "day",
    **fields: Any,
) -> Task:
    if not name.strip():
        raise invalid("name", "A task needs a name.")
    if duration_days < 1:
        raise invalid("duration_days", f"duration_days must be at least 1, not {duration_days}.")
    calendar = calendar_of(session, fields.get("calendar_id"), project)
    start = calendar.next_working(start_date)
    task = Task(
        project_id=project.id,
        activity_id=fields.pop("activity_id", None) or activity_ids.allocate(session, project)[0],
        name=name.strip(),
        type=choice("type", type, TaskType),
        status=choice("status", status, TaskStatus),
        shift=choice("shift", shift, Shift),
        start_date=start,
        end_date=calendar.finish(start, duration_days),
        duration_days=duration_days,
        **fields,
    )
    session.add(task)
    session.flush()
    return task


def check_task_references(
    session: Session, project: Project, values: dict[str, Any], task: Task | None = None
) -> None:
    """Every id a task refers to must be of this project; users must be its members."""
    for field, (model, noun) in LIST_REFERENCES.items():
        ref = values.get(field)
        if ref is not None and in_project(session, model, ref, project) is None:
            raise invalid(
                field,
                f"{field} {ref} is not a {noun} of project {project.code}.",
                hint=f"Use the id of one of the project's {noun}s.",
            )
    if values.get("parent_id") is not None:
        check_parent(session, project, values["parent_id"], task)
    users = [values["owner_id"]] if values.get("owner_id") is not None else []
    check_members(session, project, "owner_id", users)
    check_members(session, project, "assignee_ids", values.get("assignee_ids") or [])


def check_parent(session: Session, project: Project, parent_id: int, task: Task | None) -> None:
    parent = in_project(session, Task, parent_id, project)
    if parent is None:
        raise invalid(
            "parent_id", f"parent_id {parent_id} is not a task of project {project.code}."
        )
    seen: set[int] = set()
    while parent is not None and parent.id not in seen:
        if task is not None and parent.id == task.id:
            raise invalid("parent_id", f"Task {task.activity_id} cannot be its own ancestor.")
        seen.add(parent.id)
        parent = session.get(Task, parent.parent_id) if parent.parent_id else None


def check_task_identity(
    session: Session, project: Project, values: dict[str, Any], task: Task | None = None
) -> None:
    """``activity_id`` and ``external_id`` each name at most one task of a project."""
    for field, column in (("activity_id", Task.activity_id), ("external_id", Task.external_id)):
        value = values.get(field)
        if value is None:
            continue
        other = session.scalar(
            select(Task).where(Task.project_id == project.id, column == value).limit(1)
        )
        if other is not None and (task is None or other.id != task.id):
            raise Conflict(
                f"{field} '{value}' is already used by task {other.activity_id} (id {other.id}).",
                hint=f"Update that task instead, or choose another {field}.",
                details={"field": field, "task_id": other.id},
            )


def plan_dates(
    calendar: WorkCalendar, start: dt.date, end: dt.date | None, duration: int | None
) -> tuple[dt.date, dt.date, int]:
    """Validated ``(start, end, duration)`` from a start and an end and/or a duration."""
    if not calendar.is_working(start):
        raise invalid(
            "start_date",
            f"start_date {start} is not a working day of the task's calendar.",
            hint=f"The next working day is {calendar.next_working(start)}.",
        )
    if end is None:
        days = 1 if duration is None else duration
        if days < 1:
            raise invalid("duration_days", f"duration_days must be at least 1, not {days}.")
        return start, calendar.finish(start, days), days
    if end < start:
        raise invalid("end_date", f"end_date {end} is before start_date {start}.")
    if not calendar.is_working(end):
        raise invalid("end_date", f"end_date {end} is not a working day of the task's calendar.")
    span = calendar.count(start, end)
    if duration is not None and duration != span:
        raise invalid(
            "duration_days",
            f"duration_days {duration} disagrees with {start}..{end}, which spans {span} "
            "working days.",
            hint="Send either end_date or duration_days, or make them agree.",
        )
    return start, end, span


TASK_DATE_FIELDS = frozenset({"start_date", "end_date", "duration_days", "calendar_id"})


TASK_REQUIRED_FIELDS = frozenset(
    {"name", "activity_id", "type", "start_date", "duration_days", "shift", "status"}
    | {"committed", "tags", "assignee_ids"}
)


TASK_CHOICES: dict[str, type[Any]] = {
    "type": TaskType,
    "status": TaskStatus,
    "shift": Shift,
}


def get_task(session: Session, project: Project, task_id: int, *, lock: bool = False) -> Task:
    query = select(Task).where(Task.id == task_id, Task.project_id == project.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    task = session.scalar(query)
    if task is None:
        raise NotFound(f"Project {project.code} has no task {task_id}.")
    return task


def create_task(
    session: Session, project: Project, values: dict[str, Any], *, now: dt.datetime
) -> Task:
    """A new task from validated wire values: references, identity and dates checked."""
    values = dict(values)
    # Serialise task creation per project so that two requests never draw the same A-NNNN.
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())
    check_task_identity(session, project, values)
    check_task_references(session, project, values)
    calendar = calendar_of(session, values.get("calendar_id"), project)
    start, _, days = plan_dates(
        calendar,
        values.pop("start_date"),
        values.pop("end_date", None),
        values.pop("duration_days", None),
    )
    task = add_task(
        session,
        project,
        start_date=start,
        duration_days=days,
        created_at=now,
        updated_at=now,
        **{k: v for k, v in values.items() if v is not None},
    )
    return task


def update_task(
    session: Session, project: Project, task: Task, changes: dict[str, Any], *, now: dt.datetime
) -> list[str]:
    """Apply a partial update; returns the names of the fields that changed. A change bumps
    ``row_version`` and ``updated_at``; an update that changes nothing leaves both alone."""
    for field, value in changes.items():
        if value is None and field in TASK_REQUIRED_FIELDS | {"end_date"}:
            raise invalid(field, f"{field} cannot be null.")
    values = dict(changes)
    if "name" in values:
        values["name"] = values["name"].strip()
        if not values["name"]:
            raise invalid("name", "A task needs a name.")
    for field, choices in TASK_CHOICES.items():
        if field in values:
            values[field] = choice(field, values[field], choices)
    check_task_identity(session, project, values, task)
    check_task_references(session, project, values, task)
    if TASK_DATE_FIELDS & values.keys():
        values.update(_moved_dates(session, project, task, values))
    changed = [k for k, v in values.items() if getattr(task, k) != v]
    for field in changed:
        setattr(task, field, values[field])
    if changed:
        task.row_version += 1
        task.updated_at = now
        flag_modified(task, "updated_at")  # written even when equal, so onupdate stays off
    session.flush()
    return sorted(changed)


def _moved_dates(
    session: Session, project: Project, task: Task, values: dict[str, Any]
) -> dict[str, Any]:
    calendar_id = values.get("calendar_id", task.calendar_id)
    calendar = calendar_of(session, calendar_id, project)
    start = values.get("start_date", task.start_date)
    end = values.get("end_date")
    duration = values.get("duration_days")
    if end is None and duration is None:
        duration = task.duration_days
    start, end, duration = plan_dates(calendar, start, end, duration)
    return {"start_date": start, "end_date": end, "duration_days": duration}


def delete_task(session: Session, task: Task, *, now: dt.datetime) -> None:
    """Delete a task with its links, resources, progress and blockers; its child tasks lose
    their parent (and get a new version, so incremental readers see the change). Dependants
    are deleted here rather than left to the foreign keys' cascade, so that the outcome does
    not depend on SQLite's ``foreign_keys`` pragma."""
    for model in (TaskResource, ProgressUpdate, Blocker):
        session.execute(delete(model).where(model.task_id == task.id))
    session.execute(
        delete(TaskLink).where(
            or_(TaskLink.predecessor_id == task.id, TaskLink.successor_id == task.id)
        )
    )
    session.execute(
        update(Task)
        .where(Task.parent_id == task.id)
        .values(parent_id=None, row_version=Task.row_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.delete(task)
    session.flush()


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """What a task list may be narrowed by; ``None`` (or empty) means any."""

    status: tuple[TaskStatus, ...] = ()
    type: TaskType | None = None
    subcontractor_id: int | None = None
    location_id: int | None = None
    folder_id: int | None = None
    package_id: int | None = None
    parent_id: int | None = None
    external_id: str | None = None
    committed: bool | None = None
    updated_since: dt.datetime | None = None


EQUALITY_FILTERS = (
    "type",
    "subcontractor_id",
    "location_id",
    "folder_id",
    "package_id",
    "parent_id",
    "external_id",
    "committed",
)


def list_tasks(
    session: Session, project: Project, where: TaskFilter, *, after_id: int | None, limit: int
) -> list[Task]:
    """One page of tasks in id order, after ``after_id`` (keyset paging)."""
    query = select(Task).where(Task.project_id == project.id)
    if where.status:
        query = query.where(Task.status.in_(where.status))
    for name in EQUALITY_FILTERS:
        value = getattr(where, name)
        if value is not None:
            query = query.where(getattr(Task, name) == value)
    if where.updated_since is not None:
        query = query.where(Task.updated_at >= where.updated_since)
    if after_id is not None:
        query = query.where(Task.id > after_id)
    return list(session.scalars(query.order_by(Task.id).limit(limit)))
