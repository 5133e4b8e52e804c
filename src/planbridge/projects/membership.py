"""Who belongs to a project and with which role, as the pages read it: a user's projects and a
project's members (members only). Changes go through :mod:`planbridge.projects.members`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.projects import service as projects
from planbridge.projects.models import Project, ProjectMember, Role, User
from planbridge.projects.permissions import require_member


@dataclass(frozen=True, slots=True)
class ProjectView:
    """A project as one of its members sees it, with that member's role."""

    project: Project
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


def open_project(session: Session, ref: str, actor: Actor) -> ProjectView:
    """The project and the actor's role in it; a non-member is refused (the pages say 404)."""
    project = projects.get_project(session, ref)
    require_member(session, project, actor)
    assert actor.user_id is not None
    role = role_of(session, project, actor.user_id)
    assert role is not None
    return ProjectView(project=project, role=role)


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    role: Role


def role_of(session: Session, project: Project, user_id: int | None) -> Role | None:
    if user_id is None:
        return None
    return session.scalar(
        select(ProjectMember.role).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user_id
        )
    )


def projects_of(session: Session, user_id: int) -> list[tuple[Project, Role]]:
    """The user's projects that are not archived, by code."""
    rows = session.execute(
        select(Project, ProjectMember.role)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user_id, Project.archived.is_(False))
        .order_by(Project.code)
    ).all()
    return [(project, role) for project, role in rows]


def list_members(session: Session, project: Project, actor: Actor) -> list[Member]:
    require_member(session, project, actor)
    rows = session.execute(
        select(User, ProjectMember.role)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id)
        .order_by(User.name, User.email)
    ).all()
    return [Member(user=user, role=role) for user, role in rows]
