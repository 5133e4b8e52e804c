"""Freeze the live plan into feed rows: one dict per row, keys in the registry's order.

This is the only place that turns live tables into feed rows; it runs once per publication.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import String, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from planbridge import catalog as T
from planbridge.planning.enums import (
    BlockerStatus,
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


def _values(kind: type[enum.Enum]) -> dict[str | None, Any]:
    """An enum column's stored names (read by ``_raw``) to their wire values."""
    return {member.name: member.value for member in kind} | {None: None}


def _raw(column: Any) -> Any:
    """An enum column as its stored name, without converting every row to an enum member."""
    return type_coerce(column, String)


def _as_text(column: Any) -> Any:
    """A JSON column as its stored text, so equal lists are parsed once (``_JoinedLists``)."""
    return cast(column, Text)


class _JoinedLists(dict[str | None, str | None]):
    """JSON list text → its items joined by "; " (via ``name``), computed once per distinct
    text: tasks share few distinct tag and assignee lists."""

    def __init__(self, name: Callable[[Any], str | None]) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, text: str | None) -> str | None:
        items = None if text is None else orjson.loads(text)
        joined = _join(self.name(item) for item in items or ())
        self[text] = joined
        return joined


def task_rows(session: Session, project: Project, v: int, known: Lookups) -> list[Row]:
    users = known.users
    calendar_names = {c.id: c.name for c in known.calendars}
    sub_names = {s.id: s.name for s in known.subcontractors}
    location_names = {loc.id: loc.name for loc in known.locations}
    folder_codes = {f.id: f.code for f in known.folders}
    package_names = {p.id: p.name for p in known.packages}
    types, shifts, statuses = _values(TaskType), _values(Shift), _values(TaskStatus)
    assignee_names = _JoinedLists(users.get)
    tag_lists = _JoinedLists(lambda tag: tag)
    query = (
        select(
            Task.id,
            Task.activity_id,
            Task.external_id,
            Task.name,
            _raw(Task.type),
            Task.parent_id,
            Task.start_date,
            Task.end_date,
            Task.duration_days,
            Task.calendar_id,
            _raw(Task.shift),
            Task.owner_id,
            _as_text(Task.assignee_ids),
            Task.subcontractor_id,
            Task.location_id,
            Task.work_area,
            Task.folder_id,
            Task.package_id,
            _raw(Task.status),
            Task.committed,
            Task.milestone_target_date,
            _as_text(Task.tags),
            Task.notes,
        )
        .where(Task.project_id == project.id)
        .order_by(Task.id)
    )
    return [
        {
            "version_id": v,
            "task_id": t_id,
            "activity_id": activity_id,
            "external_id": external_id,
            "name": name,
            "type": types[t_type],
            "parent_task_id": parent_id,
            "start_date": start_date,
            "end_date": end_date,
            "duration_days": duration_days,
            "calendar": calendar_names.get(calendar_id) if calendar_id else None,
            "shift": shifts[shift],
            "owner": users.get(owner_id) if owner_id else None,
            "assignees": assignee_names[assignees],
            "subcontractor_id": subcontractor_id,
            "subcontractor": sub_names.get(subcontractor_id) if subcontractor_id else None,
            "location_id": location_id,
            "location": location_names.get(location_id) if location_id else None,
            "work_area": work_area,
            "folder_id": folder_id,
            "folder_code": folder_codes.get(folder_id) if folder_id else None,
            "package_id": package_id,
            "package": package_names.get(package_id) if package_id else None,
            "status": statuses[status],
            "committed": committed,
            "milestone_target_date": milestone_target_date,
            "tags": tag_lists[tags],
            "notes": notes,
        }
        for (
            t_id,
            activity_id,
            external_id,
            name,
            t_type,
            parent_id,
            start_date,
            end_date,
            duration_days,
            calendar_id,
            shift,
            owner_id,
            assignees,
            subcontractor_id,
            location_id,
            work_area,
            folder_id,
            package_id,
            status,
            committed,
            milestone_target_date,
            tags,
            notes,
        ) in session.execute(query)
    ]


def link_rows(session: Session, project: Project, v: int) -> list[Row]:
    types = _values(LinkType)
    query = (
        select(
            TaskLink.id,
            TaskLink.predecessor_id,
            TaskLink.successor_id,
            _raw(TaskLink.type),
            TaskLink.lag_days,
        )
        .where(TaskLink.project_id == project.id)
        .order_by(TaskLink.id)
    )
    return [
        {
            "version_id": v,
            "link_id": link_id,
            "predecessor_task_id": predecessor_id,
            "successor_task_id": successor_id,
            "type": types[link_type],
            "lag_days": lag_days,
        }
        for link_id, predecessor_id, successor_id, link_type, lag_days in session.execute(query)
    ]


def resource_rows(session: Session, tasks: Any, v: int) -> list[Row]:
    kinds = _values(ResourceKind)
    query = (
        select(
            TaskResource.id,
            TaskResource.task_id,
            _raw(TaskResource.kind),
            TaskResource.name,
            TaskResource.quantity,
            TaskResource.unit,
        )
        .where(TaskResource.task_id.in_(tasks))
        .order_by(TaskResource.id)
    )
    return [
        {
            "version_id": v,
            "resource_id": resource_id,
            "task_id": task_id,
            "kind": kinds[kind],
            "name": name,
            "quantity": quantity,
            "unit": unit,
        }
        for resource_id, task_id, kind, name, quantity, unit in session.execute(query)
    ]


def status_rows(session: Session, tasks: Any, v: int, known: Lookups) -> list[Row]:
    reason_by_id = {r.id: r for r in known.reasons}
    types, impacts = _values(ProgressType), _values(Impact)
    users = known.users
    query = (
        select(
            ProgressUpdate.id,
            ProgressUpdate.task_id,
            ProgressUpdate.day,
            _raw(ProgressUpdate.type),
            ProgressUpdate.reason_id,
            _raw(ProgressUpdate.impact),
            ProgressUpdate.amount_days,
            ProgressUpdate.comment,
            ProgressUpdate.by_user_id,
            ProgressUpdate.recorded_at,
        )
        .where(ProgressUpdate.task_id.in_(tasks))
        .order_by(ProgressUpdate.id)
    )
    rows = []
    for (
        status_id,
        task_id,
        day,
        update_type,
        reason_id,
        impact,
        amount_days,
        comment,
        by_user_id,
        recorded_at,
    ) in session.execute(query):
        reason = reason_by_id.get(reason_id) if reason_id else None
        rows.append(
            {
                "version_id": v,
                "status_id": status_id,
                "task_id": task_id,
                "day": day,
                "type": types[update_type],
                "reason_id": reason_id,
                "reason": reason.label if reason else None,
                "reason_category": reason.category.value if reason else None,
                "impact": impacts[impact],
                "amount_days": amount_days,
                "comment": comment,
                "recorded_by": users.get(by_user_id) if by_user_id else None,
                "recorded_at": recorded_at,
            }
        )
    return rows


def blocker_rows(session: Session, tasks: Any, v: int, known: Lookups) -> list[Row]:
    category_by_id = {c.id: c for c in known.categories}
    statuses = _values(BlockerStatus)
    users = known.users
    query = (
        select(
            Blocker.id,
            Blocker.task_id,
            Blocker.title,
            Blocker.category_id,
            Blocker.owner_id,
            Blocker.raised_on,
            Blocker.due_on,
            _raw(Blocker.status),
            Blocker.resolved_on,
        )
        .where(Blocker.task_id.in_(tasks))
        .order_by(Blocker.id)
    )
    rows = []
    for (
        blocker_id,
        task_id,
        title,
        category_id,
        owner_id,
        raised_on,
        due_on,
        status,
        resolved_on,
    ) in session.execute(query):
        category = category_by_id.get(category_id) if category_id else None
        rows.append(
            {
                "version_id": v,
                "blocker_id": blocker_id,
                "task_id": task_id,
                "title": title,
                "category_id": category_id,
                "category": category.label if category else None,
                "canonical_category": category.category.value if category else None,
                "owner": users.get(owner_id) if owner_id else None,
                "raised_on": raised_on,
                "due_on": due_on,
                "status": statuses[status],
                "resolved_on": resolved_on,
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
