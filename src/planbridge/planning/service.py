"""Editing the live plan: plain, validated functions that flush and never commit.

The Plan API and the importers build on these; the demo generator writes in bulk for speed
but goes through the same models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from planbridge.errors import Conflict, InvalidInput, NotFound
from planbridge.planning import activity_ids
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.enums import (
    BlockerStatus,
    Category,
    Impact,
    LinkType,
    ProgressType,
    ResourceKind,
    Shift,
    TaskStatus,
    TaskType,
)
from planbridge.planning.models import (
    Blocker,
    BlockerCategory,
    DelayReason,
    Folder,
    Location,
    Package,
    ProgressUpdate,
    Subcontractor,
    Task,
    TaskLink,
    TaskResource,
)
from planbridge.projects.models import Calendar, Project, ProjectMember


def _choice(field: str, value: str, allowed: type[Any]) -> Any:
    try:
        return allowed(value)
    except ValueError:
        names = ", ".join(m.value for m in allowed)
        raise invalid(
            field, f"{field} '{value}' is not allowed.", hint=f"Allowed: {names}."
        ) from None


def invalid(field: str, message: str, hint: str = "", **details: Any) -> InvalidInput:
    """An :class:`InvalidInput` naming the offending field in its details."""
    return InvalidInput(message, hint=hint, details={"field": field, **details})


def calendar_of(session: Session, calendar_id: int | None, project: Project) -> WorkCalendar:
    calendar = session.get(Calendar, calendar_id or project.default_calendar_id)
    if calendar is None:
        return WorkCalendar()
    return WorkCalendar.of(calendar.working_weekdays, calendar.holidays)


def add_subcontractor(
    session: Session, project: Project, name: str, trade: str | None = None
) -> Subcontractor:
    item = Subcontractor(project_id=project.id, name=name, trade=trade)
    session.add(item)
    session.flush()
    return item


def add_location(
    session: Session, project: Project, name: str, kind: str = "area", parent_id: int | None = None
) -> Location:
    item = Location(project_id=project.id, name=name, kind=kind, parent_id=parent_id)
    session.add(item)
    session.flush()
    return item


def add_folder(
    session: Session, project: Project, code: str, name: str, parent_id: int | None = None
) -> Folder:
    item = Folder(project_id=project.id, code=code, name=name, parent_id=parent_id)
    session.add(item)
    session.flush()
    return item


def add_package(session: Session, project: Project, name: str) -> Package:
    item = Package(project_id=project.id, name=name)
    session.add(item)
    session.flush()
    return item


def add_delay_reason(session: Session, project: Project, label: str, category: str) -> DelayReason:
    item = DelayReason(
        project_id=project.id, label=label, category=_choice("category", category, Category)
    )
    session.add(item)
    session.flush()
    return item


def add_blocker_category(
    session: Session, project: Project, label: str, category: str
) -> BlockerCategory:
    item = BlockerCategory(
        project_id=project.id, label=label, category=_choice("category", category, Category)
    )
    session.add(item)
    session.flush()
    return item


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
        type=_choice("type", type, TaskType),
        status=_choice("status", status, TaskStatus),
        shift=_choice("shift", shift, Shift),
        start_date=start,
        end_date=calendar.finish(start, duration_days),
        duration_days=duration_days,
        **fields,
    )
    session.add(task)
    session.flush()
    return task


def add_link(
    session: Session, predecessor: Task, successor: Task, type: str = "FS", lag_days: int = 0
) -> TaskLink:
    if predecessor.id == successor.id:
        raise invalid("successor_id", "A task cannot be linked to itself.")
    link = TaskLink(
        project_id=successor.project_id,
        predecessor_id=predecessor.id,
        successor_id=successor.id,
        type=_choice("type", type, LinkType),
        lag_days=lag_days,
    )
    session.add(link)
    session.flush()
    return link


def add_resource(
    session: Session, task: Task, kind: str, name: str, quantity: float, unit: str
) -> TaskResource:
    if quantity < 0:
        raise invalid("quantity", "A resource quantity cannot be negative.")
    item = TaskResource(
        task_id=task.id,
        kind=_choice("kind", kind, ResourceKind),
        name=name,
        quantity=quantity,
        unit=unit,
    )
    session.add(item)
    session.flush()
    return item


def add_progress(
    session: Session,
    task: Task,
    *,
    day: dt.date,
    type: str,
    reason: DelayReason | None = None,
    impact: str | None = None,
    amount_days: int = 0,
    comment: str | None = None,
    by_user_id: int | None = None,
    recorded_at: dt.datetime | None = None,
) -> ProgressUpdate:
    kind = _choice("type", type, ProgressType)
    if kind == ProgressType.delayed and reason is None:
        raise invalid("reason", "A delay needs a reason from the project's delay-reason list.")
    update = ProgressUpdate(
        task_id=task.id,
        day=day,
        type=kind,
        reason_id=reason.id if reason else None,
        impact=_choice("impact", impact, Impact) if impact else None,
        amount_days=amount_days,
        comment=comment,
        by_user_id=by_user_id,
        **({"recorded_at": recorded_at} if recorded_at else {}),
    )
    session.add(update)
    session.flush()
    return update


def add_blocker(
    session: Session,
    task: Task,
    *,
    title: str,
    raised_on: dt.date,
    due_on: dt.date | None = None,
    category: BlockerCategory | None = None,
    owner_id: int | None = None,
) -> Blocker:
    if due_on is not None and due_on < raised_on:
        raise invalid("due_on", "A blocker's due date cannot be before the day it was raised.")
    blocker = Blocker(
        task_id=task.id,
        title=title,
        raised_on=raised_on,
        due_on=due_on,
        category_id=category.id if category else None,
        owner_id=owner_id,
    )
    session.add(blocker)
    session.flush()
    return blocker


def resolve_blocker(session: Session, blocker: Blocker, resolved_on: dt.date) -> Blocker:
    if resolved_on < blocker.raised_on:
        raise invalid("resolved_on", "A blocker cannot be resolved before it was raised.")
    blocker.status = BlockerStatus.resolved
    blocker.resolved_on = resolved_on
    session.flush()
    return blocker


# ---------------------------------------------------------------- validation
LIST_REFERENCES: dict[str, tuple[type[Any], str]] = {
    "subcontractor_id": (Subcontractor, "subcontractor"),
    "location_id": (Location, "location"),
    "folder_id": (Folder, "folder"),
    "package_id": (Package, "package"),
    "calendar_id": (Calendar, "calendar"),
}


def in_project(session: Session, model: type[Any], item_id: int, project: Project) -> Any:
    """The row ``item_id`` of ``model`` if it belongs to ``project``, else ``None``."""
    item = session.get(model, item_id)
    return item if item is not None and item.project_id == project.id else None


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


def check_members(session: Session, project: Project, field: str, user_ids: list[int]) -> None:
    if not user_ids:
        return
    found = set(
        session.scalars(
            select(ProjectMember.user_id).where(
                ProjectMember.project_id == project.id, ProjectMember.user_id.in_(user_ids)
            )
        )
    )
    missing = sorted(set(user_ids) - found)
    if missing:
        raise invalid(
            field,
            f"{field}: user {missing[0]} is not a member of project {project.code}.",
            hint="Use the user id of a project member.",
            unknown=missing,
        )


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


# ---------------------------------------------------------------- tasks
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
            values[field] = _choice(field, values[field], choices)
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


# ---------------------------------------------------------------- records on a task
def child_of(session: Session, model: type[Any], task: Task, item_id: int, noun: str) -> Any:
    item = session.get(model, item_id)
    if item is None or item.task_id != task.id:
        raise NotFound(f"Task {task.activity_id} has no {noun} {item_id}.")
    return item


def children(session: Session, model: type[Any], task: Task) -> list[Any]:
    return list(session.scalars(select(model).where(model.task_id == task.id).order_by(model.id)))


def find_label(
    session: Session,
    project: Project,
    model: type[DelayReason] | type[BlockerCategory],
    field: str,
    *,
    item_id: int | None,
    label: str | None,
) -> Any:
    """A project's delay reason or blocker category by id or by label (any case)."""
    noun = "delay-reason" if model is DelayReason else "blocker-category"
    if item_id is not None and label is not None:
        raise invalid(field, f"Send {field} or {field}_id, not both.")
    if item_id is not None:
        item = in_project(session, model, item_id, project)
        if item is None:
            raise invalid(
                f"{field}_id",
                f"{field}_id {item_id} is not in project {project.code}'s {noun} list.",
            )
        return item
    if label is None:
        return None
    item = session.scalar(
        select(model).where(
            model.project_id == project.id, func.lower(model.label) == label.strip().lower()
        )
    )
    if item is None:
        allowed = list(
            session.scalars(
                select(model.label).where(model.project_id == project.id).order_by(model.label)
            )
        )
        raise invalid(
            field,
            f"{field} '{label}' is not in project {project.code}'s {noun} list.",
            hint=f"Allowed: {', '.join(allowed)}." if allowed else f"The {noun} list is empty.",
            allowed=allowed,
        )
    return item


def check_progress(
    calendar: WorkCalendar,
    task: Task,
    *,
    day: dt.date | None,
    type: ProgressType,
    reason: DelayReason | None,
    impact: Impact | None,
    amount_days: int,
) -> None:
    """The rules of a status record; ``day`` is checked only when given (new or changed)."""
    if day is not None and not task.start_date <= day <= task.end_date:
        raise invalid(
            "day",
            f"day {day} is outside task {task.activity_id} ({task.start_date} to {task.end_date}).",
            hint="Record progress against one working day of the task; move the task first.",
        )
    if day is not None and not calendar.is_working(day):
        raise invalid("day", f"day {day} is not a working day of the task's calendar.")
    if type != ProgressType.delayed:
        if impact is not None:
            raise invalid("impact", "impact applies to delays only.")
        return
    if reason is None:
        raise invalid("reason", "A delay needs a reason from the project's delay-reason list.")
    if impact is None:
        raise invalid("impact", "A delay needs an impact: extend or move.")
    if amount_days < 1:
        raise invalid(
            "amount_days", f"A delay's amount_days must be at least 1, not {amount_days}."
        )


def update_progress(
    session: Session,
    project: Project,
    task: Task,
    record: ProgressUpdate,
    changes: dict[str, Any],
) -> list[str]:
    values = {k: v for k, v in changes.items() if k not in ("reason", "reason_id")}
    for field in ("day", "type", "amount_days"):
        if field in values and values[field] is None:
            raise invalid(field, f"{field} cannot be null.")
    if "reason" in changes or "reason_id" in changes:
        reason = find_label(
            session,
            project,
            DelayReason,
            "reason",
            item_id=changes.get("reason_id"),
            label=changes.get("reason"),
        )
        values["reason_id"] = reason.id if reason else None
    merged = {c: values.get(c, getattr(record, c)) for c in ("type", "impact", "amount_days")}
    reason_id = values.get("reason_id", record.reason_id)
    check_progress(
        calendar_of(session, task.calendar_id, project),
        task,
        day=values.get("day"),
        type=_choice("type", merged["type"], ProgressType),
        reason=session.get(DelayReason, reason_id) if reason_id else None,
        impact=_choice("impact", merged["impact"], Impact) if merged["impact"] else None,
        amount_days=merged["amount_days"],
    )
    return _apply(session, record, values)


def update_blocker(
    session: Session, project: Project, blocker: Blocker, changes: dict[str, Any]
) -> list[str]:
    values = {k: v for k, v in changes.items() if k not in ("category", "category_id")}
    for field in ("title", "raised_on"):
        if field in values and values[field] is None:
            raise invalid(field, f"{field} cannot be null.")
    if "category" in changes or "category_id" in changes:
        category = find_label(
            session,
            project,
            BlockerCategory,
            "category",
            item_id=changes.get("category_id"),
            label=changes.get("category"),
        )
        values["category_id"] = category.id if category else None
    if values.get("owner_id") is not None:
        check_members(session, project, "owner_id", [values["owner_id"]])
    raised = values.get("raised_on", blocker.raised_on)
    due = values.get("due_on", blocker.due_on)
    if due is not None and due < raised:
        raise invalid("due_on", f"due_on {due} is before raised_on {raised}.")
    if blocker.resolved_on is not None and blocker.resolved_on < raised:
        raise invalid(
            "raised_on", f"raised_on {raised} is after resolved_on {blocker.resolved_on}."
        )
    return _apply(session, blocker, values)


def _apply(session: Session, row: Any, values: dict[str, Any]) -> list[str]:
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    for field in changed:
        setattr(row, field, values[field])
    session.flush()
    return changed


# ---------------------------------------------------------------- links
def check_link(session: Session, predecessor: Task, successor: Task, type: LinkType) -> None:
    """No duplicate link and no loop of links (a successor may not lead back to its
    predecessor)."""
    duplicate = session.scalar(
        select(TaskLink.id).where(
            TaskLink.predecessor_id == predecessor.id,
            TaskLink.successor_id == successor.id,
            TaskLink.type == type,
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"Task {predecessor.activity_id} is already {type} linked to {successor.activity_id}.",
            details={"link_id": duplicate},
        )
    following: dict[int, list[int]] = {}
    rows = session.execute(
        select(TaskLink.predecessor_id, TaskLink.successor_id).where(
            TaskLink.project_id == successor.project_id
        )
    )
    for before, after in rows:
        following.setdefault(before, []).append(after)
    pending, seen = [successor.id], set()
    while pending:
        current = pending.pop()
        if current == predecessor.id:
            raise invalid(
                "predecessor_id",
                f"Linking {predecessor.activity_id} before {successor.activity_id} would make "
                "a loop of logic links.",
            )
        if current not in seen:
            seen.add(current)
            pending.extend(following.get(current, ()))


def list_links(session: Session, project: Project, task_id: int | None = None) -> list[TaskLink]:
    query = select(TaskLink).where(TaskLink.project_id == project.id)
    if task_id is not None:
        query = query.where(
            or_(TaskLink.predecessor_id == task_id, TaskLink.successor_id == task_id)
        )
    return list(session.scalars(query.order_by(TaskLink.id)))


def get_link(session: Session, project: Project, link_id: int) -> TaskLink:
    link = in_project(session, TaskLink, link_id, project)
    if link is None:
        raise NotFound(f"Project {project.code} has no link {link_id}.")
    return link  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the project's lists
def list_items(session: Session, project: Project, model: type[Any]) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.project_id == project.id).order_by(model.id))
    )


LIST_NOUNS: dict[type[Any], str] = {
    Subcontractor: "subcontractor",
    Location: "location",
    Folder: "folder",
    Package: "package",
    DelayReason: "delay reason",
    BlockerCategory: "blocker category",
}


def check_new_entry(
    session: Session, project: Project, model: type[Any], field: str, value: str
) -> None:
    """A project's list entries are unique by name (by code for folders, label for reasons)."""
    column = getattr(model, field)
    existing = session.scalar(
        select(model.id).where(model.project_id == project.id, column == value)
    )
    if existing is not None:
        raise Conflict(
            f"Project {project.code} already has a {LIST_NOUNS[model]} "
            f"with {field} '{value}' (id {existing}).",
            details={"field": field, "id": existing},
        )


def check_list_parent(
    session: Session, project: Project, model: type[Location] | type[Folder], parent_id: int | None
) -> None:
    if parent_id is not None and in_project(session, model, parent_id, project) is None:
        raise invalid(
            "parent_id",
            f"parent_id {parent_id} is not a {model.__tablename__[:-1]} of project {project.code}.",
        )
