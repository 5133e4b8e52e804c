"""Who belongs to a project and with which role: listing, adding by email, changing a role and
removing a member. Admin-only changes are checked here and audited in the same transaction; a
project never loses its last admin. Functions flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.errors import Conflict, InvalidInput, NotFound
from planbridge.integrations import audit
from planbridge.projects import service as projects
from planbridge.projects.models import Project, ProjectMember, Role, User


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
    projects.require_member(session, project, actor)
    rows = session.execute(
        select(User, ProjectMember.role)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id)
        .order_by(User.name, User.email)
    ).all()
    return [Member(user=user, role=role) for user, role in rows]


def _role(value: str) -> Role:
    if value not in Role.__members__:
        raise InvalidInput(f"Unknown role '{value}'.", hint="Allowed: admin, member.")
    return Role(value)


def _membership(session: Session, project: Project, user_id: int) -> ProjectMember:
    member = session.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user_id
        )
    )
    if member is None:
        raise NotFound(f"That user is not a member of project {project.code}.")
    return member


def _keep_an_admin(session: Session, project: Project, member: ProjectMember) -> None:
    if member.role != Role.admin:
        return
    admins = session.scalar(
        select(func.count())
        .select_from(ProjectMember)
        .where(ProjectMember.project_id == project.id, ProjectMember.role == Role.admin)
    )
    if (admins or 0) <= 1:
        raise Conflict(
            f"This is the last admin of project {project.code}.",
            hint="Make another member an admin first.",
        )


def add_by_email(
    session: Session, project: Project, actor: Actor, *, email: str, role: str
) -> Member:
    """Add an existing user; a user who is already a member is reported, not changed."""
    projects.require_admin(session, project, actor)
    wanted = _role(role)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput(
            f"No user with email {email.strip()}.",
            hint="The operator creates users: planbridge users create.",
        )
    if role_of(session, project, user.id) is not None:
        raise Conflict(f"{user.email} is already a member of project {project.code}.")
    projects.add_member(session, project, user, wanted.value)
    audit.record(
        session, actor, "member.add", project_id=project.id, subject=user.email, role=wanted.value
    )
    return Member(user=user, role=wanted)


def change_role(
    session: Session, project: Project, actor: Actor, *, user_id: int, role: str
) -> Member:
    projects.require_admin(session, project, actor)
    wanted = _role(role)
    member = _membership(session, project, user_id)
    if member.role != wanted:
        if wanted != Role.admin:
            _keep_an_admin(session, project, member)
        member.role = wanted
        session.flush()
    user = session.get(User, user_id)
    assert user is not None
    audit.record(
        session, actor, "member.role", project_id=project.id, subject=user.email, role=wanted.value
    )
    return Member(user=user, role=wanted)


def remove(session: Session, project: Project, actor: Actor, *, user_id: int) -> User:
    projects.require_admin(session, project, actor)
    member = _membership(session, project, user_id)
    _keep_an_admin(session, project, member)
    user = session.get(User, user_id)
    assert user is not None
    session.delete(member)
    session.flush()
    audit.record(session, actor, "member.remove", project_id=project.id, subject=user.email)
    return user
