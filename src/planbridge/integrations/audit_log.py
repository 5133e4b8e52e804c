"""Reading a project's audit log, newest first, a page at a time (members only)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.audit.models import AuditEvent
from planbridge.projects.models import Project
from planbridge.projects.permissions import require_member


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def page(
    session: Session, project: Project, actor: Actor, *, number: int, size: int = 50
) -> AuditPage:
    require_member(session, project, actor)
    total = (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.project_id == project.id)
        )
        or 0
    )
    pages = max(1, math.ceil(total / size))
    number = min(max(1, number), pages)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.id.desc())
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return AuditPage(events=list(events), page=number, pages=pages, total=total)
