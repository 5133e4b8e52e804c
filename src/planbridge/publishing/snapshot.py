"""Freeze the live plan into feed rows: one dict per row, keys in the registry's order.

This is the only place that turns live tables into feed rows; it runs once per publication.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import catalog as T
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
from planbridge.projects.models import Calendar, Project, User

Row = dict[str, Any]


def _join(values: Iterable[str | None]) -> str | None:
    joined = "; ".join(v for v in values if v)
    return joined or None


@dataclass(frozen=True, slots=True)
class Lookups:
    """The project's lists and the names rows refer to, read once per publication."""

    users: dict[int, str]
    calendars: Sequence[Any]
    subcontractors: Sequence[Any]
    locations: Sequence[Any]
    folders: Sequence[Any]
    packages: Sequence[Any]
    reasons: Sequence[Any]
    categories: Sequence[Any]


def _lookups(session: Session, project: Project) -> Lookups:
    pid = project.id

    def rows(*columns: Any) -> Sequence[Any]:
        table = columns[0].class_
        return session.execute(
            select(*columns).where(table.project_id == pid).order_by(table.id)
        ).all()

    return Lookups(
        users={row[0]: row[1] for row in session.execute(select(User.id, User.name))},
        calendars=rows(Calendar.id, Calendar.name, Calendar.working_weekdays, Calendar.holidays),
        subcontractors=rows(Subcontractor.id, Subcontractor.name, Subcontractor.trade),
        locations=rows(Location.id, Location.name, Location.kind, Location.parent_id),
        folders=rows(Folder.id, Folder.code, Folder.name, Folder.parent_id),
        packages=rows(Package.id, Package.name),
        reasons=rows(DelayReason.id, DelayReason.label, DelayReason.category),
        categories=rows(BlockerCategory.id, BlockerCategory.label, BlockerCategory.category),
    )


def plan_rows(session: Session, project: Project, version_id: int) -> dict[str, list[Row]]:
    """Every feed table's rows for the project's live plan, tagged with ``version_id``."""
    known = _lookups(session, project)
    tasks = select(Task.id).where(Task.project_id == project.id).scalar_subquery()
    return {
        T.TASKS.name: task_rows(session, project, version_id, known),
        T.LINKS.name: link_rows(session, project, version_id),
        T.RESOURCES.name: resource_rows(session, tasks, version_id),
        T.STATUS.name: status_rows(session, tasks, version_id, known),
        T.BLOCKERS.name: blocker_rows(session, tasks, version_id, known),
        **list_rows(project, version_id, known),
    }


def task_rows(session: Session, project: Project, v: int, known: Lookups) -> list[Row]:
    users = known.users
    calendar_names = {c.id: c.name for c in known.calendars}
    sub_names = {s.id: s.name for s in known.subcontractors}
    location_names = {loc.id: loc.name for loc in known.locations}
    folder_codes = {f.id: f.code for f in known.folders}
    package_names = {p.id: p.name for p in known.packages}
    return [
        {
            "version_id": v,
            "task_id": t.id,
            "activity_id": t.activity_id,
            "external_id": t.external_id,
            "name": t.name,
            "type": t.type.value,
            "parent_task_id": t.parent_id,
            "start_date": t.start_date,
            "end_date": t.end_date,
            "duration_days": t.duration_days,
            "calendar": calendar_names.get(t.calendar_id) if t.calendar_id else None,
            "shift": t.shift.value,
            "owner": users.get(t.owner_id) if t.owner_id else None,
            "assignees": _join(users.get(u) for u in t.assignee_ids or ()),
            "subcontractor_id": t.subcontractor_id,
            "subcontractor": sub_names.get(t.subcontractor_id) if t.subcontractor_id else None,
            "location_id": t.location_id,
            "location": location_names.get(t.location_id) if t.location_id else None,
            "work_area": t.work_area,
            "folder_id": t.folder_id,
            "folder_code": folder_codes.get(t.folder_id) if t.folder_id else None,
            "package_id": t.package_id,
            "package": package_names.get(t.package_id) if t.package_id else None,
            "status": t.status.value,
            "committed": t.committed,
            "milestone_target_date": t.milestone_target_date,
            "tags": _join(t.tags or ()),
            "notes": t.notes,
        }
        for t in session.execute(
            select(Task.__table__).where(Task.project_id == project.id).order_by(Task.id)
        )
    ]


def link_rows(session: Session, project: Project, v: int) -> list[Row]:
    return [
        {
            "version_id": v,
            "link_id": lk.id,
            "predecessor_task_id": lk.predecessor_id,
            "successor_task_id": lk.successor_id,
            "type": lk.type.value,
            "lag_days": lk.lag_days,
        }
        for lk in session.scalars(
            select(TaskLink).where(TaskLink.project_id == project.id).order_by(TaskLink.id)
        )
    ]


def resource_rows(session: Session, tasks: Any, v: int) -> list[Row]:
    return [
        {
            "version_id": v,
            "resource_id": r.id,
            "task_id": r.task_id,
            "kind": r.kind.value,
            "name": r.name,
            "quantity": r.quantity,
            "unit": r.unit,
        }
        for r in session.scalars(
            select(TaskResource).where(TaskResource.task_id.in_(tasks)).order_by(TaskResource.id)
        )
    ]


def status_rows(session: Session, tasks: Any, v: int, known: Lookups) -> list[Row]:
    reason_by_id = {r.id: r for r in known.reasons}
    rows = []
    for u in session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.task_id.in_(tasks)).order_by(ProgressUpdate.id)
    ):
        reason = reason_by_id.get(u.reason_id) if u.reason_id else None
        rows.append(
            {
                "version_id": v,
                "status_id": u.id,
                "task_id": u.task_id,
                "day": u.day,
                "type": u.type.value,
                "reason_id": u.reason_id,
                "reason": reason.label if reason else None,
                "reason_category": reason.category.value if reason else None,
                "impact": u.impact.value if u.impact else None,
                "amount_days": u.amount_days,
                "comment": u.comment,
                "recorded_by": known.users.get(u.by_user_id) if u.by_user_id else None,
                "recorded_at": u.recorded_at,
            }
        )
    return rows


def blocker_rows(session: Session, tasks: Any, v: int, known: Lookups) -> list[Row]:
    category_by_id = {c.id: c for c in known.categories}
    rows = []
    for b in session.scalars(
        select(Blocker).where(Blocker.task_id.in_(tasks)).order_by(Blocker.id)
    ):
        category = category_by_id.get(b.category_id) if b.category_id else None
        rows.append(
            {
                "version_id": v,
                "blocker_id": b.id,
                "task_id": b.task_id,
                "title": b.title,
                "category_id": b.category_id,
                "category": category.label if category else None,
                "canonical_category": category.category.value if category else None,
                "owner": known.users.get(b.owner_id) if b.owner_id else None,
                "raised_on": b.raised_on,
                "due_on": b.due_on,
                "status": b.status.value,
                "resolved_on": b.resolved_on,
            }
        )
    return rows


def list_rows(project: Project, v: int, known: Lookups) -> dict[str, list[Row]]:
    """The project's lists and calendars, in the feed's table order."""
    return {
        T.SUBCONTRACTORS.name: [
            {"version_id": v, "subcontractor_id": s.id, "name": s.name, "trade": s.trade}
            for s in known.subcontractors
        ],
        T.LOCATIONS.name: [
            {
                "version_id": v,
                "location_id": loc.id,
                "name": loc.name,
                "kind": loc.kind,
                "parent_location_id": loc.parent_id,
            }
            for loc in known.locations
        ],
        T.FOLDERS.name: [
            {
                "version_id": v,
                "folder_id": f.id,
                "code": f.code,
                "name": f.name,
                "parent_folder_id": f.parent_id,
            }
            for f in known.folders
        ],
        T.PACKAGES.name: [
            {"version_id": v, "package_id": p.id, "name": p.name} for p in known.packages
        ],
        T.DELAY_REASONS.name: [
            {"version_id": v, "reason_id": r.id, "label": r.label, "category": r.category.value}
            for r in known.reasons
        ],
        T.BLOCKER_CATEGORIES.name: [
            {"version_id": v, "category_id": c.id, "label": c.label, "category": c.category.value}
            for c in known.categories
        ],
        T.CALENDARS.name: [
            {
                "version_id": v,
                "calendar_id": c.id,
                "name": c.name,
                "working_weekdays": ",".join(str(d + 1) for d in sorted(c.working_weekdays)),
                "holidays": _join(sorted(c.holidays or ())),
                "is_default": c.id == project.default_calendar_id,
            }
            for c in known.calendars
        ],
    }
