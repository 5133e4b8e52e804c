"""Read models of the pages: a project's latest version and PPC, a token's row in the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge.accounts.sessions import Current
from planbridge.integrations.models import FeedToken
from planbridge.integrations.service import token_state
from planbridge.integrations.token_core import EXPIRY_NOTICE_DAYS, days_left
from planbridge.metrics.tables import PPC_TASK_DAY
from planbridge.projects import membership
from planbridge.projects.membership import ProjectView
from planbridge.projects.models import Project, ProjectMember, Role
from planbridge.publishing.models import Version
from planbridge.publishing.store import load_rows
from planbridge.web.auth import actor

EXPIRY_WARNING_DAYS = EXPIRY_NOTICE_DAYS


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    project: Project
    role: Role
    latest: Version | None
    ppc: float | None
    members: int


@dataclass(frozen=True, slots=True)
class TokenRow:
    token: FeedToken
    state: str
    days_left: int | None

    @property
    def expiring_soon(self) -> bool:
        return self.days_left is not None and self.days_left < EXPIRY_WARNING_DAYS


def open_project(session: Session, code: str, current: Current) -> ProjectView:
    """The project, if the signed-in user is a member (else the service refuses: a 404 page)."""
    return membership.open_project(session, code, actor(current))


def latest_version(session: Session, project: Project) -> Version | None:
    return session.scalar(
        select(Version)
        .where(Version.project_id == project.id)
        .order_by(Version.number.desc())
        .limit(1)
    )


def ppc_of(session: Session, version: Version) -> float | None:
    """The version's PPC (task-day), from the metric rows stored at publication."""
    for row in load_rows(session, version.id, ["ppc"])["ppc"]:
        if row.get("metric") == PPC_TASK_DAY and row.get("version_id") == version.id:
            value = row.get("value")
            return float(value) if value is not None else None
    return None


def summary(session: Session, project: Project, role: Role) -> ProjectSummary:
    latest = latest_version(session, project)
    members = session.scalar(
        select(func.count())
        .select_from(ProjectMember)
        .where(ProjectMember.project_id == project.id)
    )
    return ProjectSummary(
        project=project,
        role=role,
        latest=latest,
        ppc=ppc_of(session, latest) if latest else None,
        members=members or 0,
    )


def token_rows(tokens: list[FeedToken], now: dt.datetime) -> list[TokenRow]:
    rows = []
    for token in sorted(tokens, key=lambda t: t.created_at, reverse=True):
        state = token_state(token, now)
        rows.append(TokenRow(token=token, state=state, days_left=days_left(token, now)))
    return rows
