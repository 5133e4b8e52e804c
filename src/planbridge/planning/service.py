"""Editing the live plan: plain, validated functions that flush and never commit.

The Plan API and the importers build on these; the demo generator writes in bulk for speed
but goes through the same models.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge.errors import InvalidInput
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
from planbridge.projects.models import Calendar, Project


def _choice(field: str, value: str, allowed: type[Any]) -> Any:
    try:
        return allowed(value)
    except ValueError:
        names = ", ".join(m.value for m in allowed)
        raise InvalidInput(
            f"{field} '{value}' is not allowed.", hint=f"Allowed: {names}."
        ) from None


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


def next_activity_id(session: Session, project: Project) -> str:
    count = session.scalar(select(func.count(Task.id)).where(Task.project_id == project.id)) or 0
    return f"A-{count + 1:04d}"


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
        raise InvalidInput("A task needs a name.")
    if duration_days < 1:
        raise InvalidInput(f"duration_days must be at least 1, not {duration_days}.")
    calendar = calendar_of(session, fields.get("calendar_id"), project)
    start = calendar.next_working(start_date)
    task = Task(
        project_id=project.id,
        activity_id=fields.pop("activity_id", None) or next_activity_id(session, project),
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
        raise InvalidInput("A task cannot be linked to itself.")
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
        raise InvalidInput("A resource quantity cannot be negative.")
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
        raise InvalidInput("A delay needs a reason from the project's delay-reason list.")
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
        raise InvalidInput("A blocker's due date cannot be before the day it was raised.")
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
        raise InvalidInput("A blocker cannot be resolved before it was raised.")
    blocker.status = BlockerStatus.resolved
    blocker.resolved_on = resolved_on
    session.flush()
    return blocker
