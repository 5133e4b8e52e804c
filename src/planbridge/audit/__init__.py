"""The audit log: every management action, who did it, when. Never a secret.

Below every service that records (projects, planning, integrations, publishing, imports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.audit.models import AuditEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    project_id: int | None = None,
    subject: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Write one audit row; the actor's channel (``via``) is added to its details.

    Only services call this, in the transaction of the action they record."""
    if actor.via is not None:
        details = {**details, "via": actor.via}
    event = AuditEvent(
        actor=actor.label, action=action, project_id=project_id, subject=subject, details=details
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, project_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if project_id is not None:
        query = query.where(AuditEvent.project_id == project_id)
    return list(session.scalars(query))
