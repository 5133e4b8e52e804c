"""What is recorded on a task: resources, progress updates and blockers.

Plain, validated functions that flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.errors import NotFound
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.checks import apply_changes, calendar_of, check_members, choice, invalid
from planbridge.planning.enums import (
    BlockerStatus,
    Impact,
    ProgressType,
    ResourceKind,
)
from planbridge.planning.lists import find_label
from planbridge.planning.models import (
    Blocker,
    BlockerCategory,
    DelayReason,
    ProgressUpdate,
    Task,
    TaskResource,
)
from planbridge.projects.models import Project


def add_resource(
    session: Session, task: Task, kind: str, name: str, quantity: float, unit: str
) -> TaskResource:
    if quantity < 0:
        raise invalid("quantity", "A resource quantity cannot be negative.")
    item = TaskResource(
        task_id=task.id,
        kind=choice("kind", kind, ResourceKind),
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
    kind = choice("type", type, ProgressType)
    if kind == ProgressType.delayed and reason is None:
        raise invalid("reason", "A delay needs a reason from the project's delay-reason list.")
    update = ProgressUpdate(
        task_id=task.id,
        day=day,
        type=kind,
        reason_id=reason.id if reason else None,
        impact=choice("impact", impact, Impact) if impact else None,
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


def child_of(session: Session, model: type[Any], task: Task, item_id: int, noun: str) -> Any:
    item = session.get(model, item_id)
    if item is None or item.task_id != task.id:
        raise NotFound(f"Task {task.activity_id} has no {noun} {item_id}.")
    return item


def children(session: Session, model: type[Any], task: Task) -> list[Any]:
    return list(session.scalars(select(model).where(model.task_id == task.id).order_by(model.id)))


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
        type=choice("type", merged["type"], ProgressType),
        reason=session.get(DelayReason, reason_id) if reason_id else None,
        impact=choice("impact", merged["impact"], Impact) if merged["impact"] else None,
        amount_days=merged["amount_days"],
    )
    return apply_changes(session, record, values)


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
    return apply_changes(session, blocker, values)
