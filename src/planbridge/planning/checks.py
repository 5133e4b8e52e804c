"""Validation shared by every part of the live plan: allowed values, the field an error names,
references within a project, members, and applying a partial update.

Plain, validated functions that flush and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.errors import InvalidInput
from planbridge.planning.calendar import WorkCalendar
from planbridge.planning.models import (
    Folder,
    Location,
    Package,
    Subcontractor,
)
from planbridge.projects.models import Calendar, Project, ProjectMember


def choice(field: str, value: str, allowed: type[Any]) -> Any:
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


def apply_changes(session: Session, row: Any, values: dict[str, Any]) -> list[str]:
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    for field in changed:
        setattr(row, field, values[field])
    session.flush()
    return changed
