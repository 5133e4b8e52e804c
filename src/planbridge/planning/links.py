"""Logic links between two tasks of a project, and the checks that keep them a plan.

Plain, validated functions that flush and never commit.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planbridge.errors import Conflict, NotFound
from planbridge.planning.checks import choice, in_project, invalid
from planbridge.planning.enums import (
    LinkType,
)
from planbridge.planning.models import (
    Task,
    TaskLink,
)
from planbridge.projects.models import Project


def add_link(
    session: Session, predecessor: Task, successor: Task, type: str = "FS", lag_days: int = 0
) -> TaskLink:
    if predecessor.id == successor.id:
        raise invalid("successor_id", "A task cannot be linked to itself.")
    link = TaskLink(
        project_id=successor.project_id,
        predecessor_id=predecessor.id,
        successor_id=successor.id,
        type=choice("type", type, LinkType),
        lag_days=lag_days,
    )
    session.add(link)
    session.flush()
    return link


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
