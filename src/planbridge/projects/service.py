"""Organisations, users, projects and members: plain functions that flush, never commit."""

from __future__ import annotations

import re
import secrets
import zoneinfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from planbridge.actors import CLI, OPERATOR, Actor
from planbridge.db.base import MAX_ID
from planbridge.errors import (
    Conflict,
    InvalidInput,
    ProjectNotFound,
)
from planbridge.projects.models import (
    Calendar,
    Organisation,
    Project,
    ProjectMember,
    Role,
    Tier,
    User,
)

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_api_id() -> str:
    """An unguessable public project id (128 random bits, URL-safe)."""
    return "p_" + secrets.token_urlsafe(16)


def get_or_create_organisation(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org


def create_user(session: Session, *, email: str, name: str, organisation: str) -> User:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInput(f"'{email}' is not an email address.", hint="Use name@example.com.")
    if not name.strip():
        raise InvalidInput("A user needs a name.")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"A user with email {email} already exists.")
    org = get_or_create_organisation(session, organisation)
    user = User(email=email, name=name.strip(), organisation_id=org.id)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise InvalidInput(
            f"No user with email {email}.", hint="Create it: planbridge users create"
        )
    return user


def create_project(
    session: Session,
    *,
    name: str,
    code: str,
    organisation: str,
    timezone: str = "UTC",
    tier: str = "pro",
    working_weekdays: list[int] | None = None,
) -> Project:
    code = code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            f"Project code '{code}' is not allowed.",
            hint="Use 2-20 characters: letters, digits, '-' or '_', starting with a letter or "
            "digit.",
        )
    if not name.strip() or len(name) > 200:
        raise InvalidInput("A project name must have 1 to 200 characters.")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Unknown timezone '{timezone}'.", hint="Use an IANA name such as Europe/London."
        ) from None
    if tier not in Tier.__members__:
        raise InvalidInput(f"Unknown tier '{tier}'.", hint="Allowed: free, pro, enterprise.")
    if session.scalar(select(Project).where(Project.code == code)) is not None:
        raise Conflict(f"A project with code {code} already exists.")
    weekdays = working_weekdays if working_weekdays is not None else [0, 1, 2, 3, 4]
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise InvalidInput("Working weekdays must be a non-empty subset of 0 (Mon) .. 6 (Sun).")
    org = get_or_create_organisation(session, organisation)
    project = Project(
        name=name.strip(),
        code=code,
        organisation_id=org.id,
        timezone=timezone,
        tier=Tier(tier),
        api_id=new_api_id(),
    )
    session.add(project)
    session.flush()
    calendar = Calendar(
        project_id=project.id, name="Standard", working_weekdays=sorted(weekdays), holidays=[]
    )
    session.add(calendar)
    session.flush()
    project.default_calendar_id = calendar.id
    session.flush()
    return project


def get_project(session: Session, ref: str) -> Project:
    """Find a project by code (any case), numeric id or public api id."""
    ref = ref.strip()
    conditions = [func.upper(Project.code) == ref.upper(), Project.api_id == ref]
    if ref.isascii() and ref.isdigit() and int(ref) <= MAX_ID:
        conditions.append(Project.id == int(ref))
    project = session.scalar(select(Project).where(or_(*conditions)))
    if project is None:
        raise ProjectNotFound(
            f"No project '{ref}'.", hint="List projects with: planbridge projects list"
        )
    return project


def list_projects(session: Session) -> list[Project]:
    return list(session.scalars(select(Project).order_by(Project.code)))


def add_member(session: Session, project: Project, user: User, role: str) -> ProjectMember:
    if role not in Role.__members__:
        raise InvalidInput(f"Unknown role '{role}'.", hint="Allowed: admin, member.")
    member = session.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id, ProjectMember.user_id == user.id
        )
    )
    if member is None:
        member = ProjectMember(project_id=project.id, user_id=user.id, role=Role(role))
        session.add(member)
    else:
        member.role = Role(role)
    session.flush()
    return member


def actor_for(session: Session, email: str | None, *, via: str = CLI) -> Actor:
    """The acting user named by email, or the operator when none is named."""
    if email is None:
        return Actor(label=OPERATOR.label, via=via)
    user = get_user(session, email)
    return Actor(label=user.email, user_id=user.id, via=via)
