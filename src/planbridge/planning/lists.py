"""The project's lists (subcontractors, locations, folders, packages, delay reasons, blocker
categories): adding entries, their uniqueness and parents, finding a label.

Plain, validated functions that flush and never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge.errors import Conflict
from planbridge.planning.checks import choice, in_project, invalid
from planbridge.planning.enums import (
    Category,
)
from planbridge.planning.models import (
    BlockerCategory,
    DelayReason,
    Folder,
    Location,
    Package,
    Subcontractor,
)
from planbridge.projects.models import Project


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
        project_id=project.id, label=label, category=choice("category", category, Category)
    )
    session.add(item)
    session.flush()
    return item


def add_blocker_category(
    session: Session, project: Project, label: str, category: str
) -> BlockerCategory:
    item = BlockerCategory(
        project_id=project.id, label=label, category=choice("category", category, Category)
    )
    session.add(item)
    session.flush()
    return item


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
