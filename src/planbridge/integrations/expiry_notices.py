"""Expiry emails about feed tokens: to the token's creator, 14 days and 3 days before it
expires, each sent once (``feed_token_notices`` remembers) and audited (``token.expiry_notice``).

Meant to run once a day (``planbridge tokens notify-expiring``, a systemd timer or cron): a
token is due for its 14-day notice once it has 14 days or less left, for its 3-day notice
once it has 3 or less. A run that missed the 14-day window sends only the 3-day notice. No
email for a revoked or expired token, a token of an archived project, a token whose creator
is no user (the operator's), or a token already replaced by a newer active one of the same
name (a rotation). A failed send is reported and retried on the next run. Never the secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import InvalidInput
from planbridge.integrations import token_core as core
from planbridge.integrations.models import FeedToken, TokenExpiryNotice
from planbridge.projects.models import Project, User

NOTICE_DAYS = (14, 3)
"""Days before expiry at which the creator is emailed, earliest first."""
assert NOTICE_DAYS[0] == core.EXPIRY_NOTICE_DAYS


@dataclass(frozen=True, slots=True)
class Notice:
    """One due notice and what became of it: ``sent``, ``failed`` or ``skipped``."""

    token_id: int
    project: str
    name: str
    days_before: int
    days_left: int
    to: str | None
    status: str
    reason: str | None = None


def notify_expiring(
    session: Session,
    actor: Actor,
    *,
    now: dt.datetime,
    send: Callable[[EmailMessage], None],
    base_url: str,
    grace_hours: int,
) -> list[Notice]:
    """Send every due notice with ``send`` and remember each one sent; the operator only."""
    if not actor.is_operator:
        raise InvalidInput("Only the operator sends token expiry notices.")
    horizon = now + dt.timedelta(days=NOTICE_DAYS[0])
    due = session.execute(
        select(FeedToken, Project, User)
        .join(Project, Project.id == FeedToken.project_id)
        .outerjoin(User, User.id == FeedToken.created_by_id)
        .where(
            FeedToken.revoked_at.is_(None),
            FeedToken.expires_at > now,
            FeedToken.expires_at <= horizon,
            Project.archived.is_(False),
        )
        .order_by(FeedToken.id)
    ).all()
    notices = []
    for token, project, user in due:
        left = core.days_left(token, now)
        assert left is not None
        stage = min(d for d in NOTICE_DAYS if left <= d)
        if session.get(TokenExpiryNotice, (token.id, stage)) is not None:
            continue
        base = Notice(token.id, project.code, token.name, stage, left, None, "skipped")
        if _replaced(session, token, now):
            notices.append(_with(base, reason="replaced by a newer token of the same name"))
            continue
        if user is None:
            notices.append(_with(base, reason="created by the operator: no one to email"))
            continue
        message = _message(token, project, user, left, base_url, grace_hours)
        try:
            send(message)
        except (OSError, smtplib.SMTPException) as exc:
            notices.append(_with(base, to=user.email, status="failed", reason=str(exc)))
            continue
        session.add(
            TokenExpiryNotice(token_id=token.id, days_before=stage, sent_to=user.email, sent_at=now)
        )
        audit.record(
            session,
            actor,
            "token.expiry_notice",
            project_id=project.id,
            subject=f"token {token.id}",
            days_before=stage,
            to=user.email,
            expires_at=token.expires_at.isoformat(),
        )
        notices.append(_with(base, to=user.email, status="sent"))
    session.flush()
    return notices


def _with(notice: Notice, **changes: Any) -> Notice:
    return dataclasses.replace(notice, **changes)


def _replaced(session: Session, token: FeedToken, now: dt.datetime) -> bool:
    newer = session.scalar(
        select(FeedToken.id).where(
            FeedToken.project_id == token.project_id,
            FeedToken.name == token.name,
            FeedToken.id != token.id,
            FeedToken.id > token.id,
            FeedToken.revoked_at.is_(None),
            FeedToken.expires_at > token.expires_at,
        )
    )
    return newer is not None


def _message(
    token: FeedToken, project: Project, user: User, left: int, base_url: str, grace_hours: int
) -> EmailMessage:
    when = token.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    days = f"{left} day{'' if left == 1 else 's'}"
    message = EmailMessage()
    message["To"] = user.email
    message["Subject"] = (
        f"PlanBridge: feed token '{token.name}' of {project.code} expires in {days}"
    )
    message.set_content(
        f"Hello {user.name},\n\n"
        f"The feed token '{token.name}' ({token.display_hint}) of project {project.code} "
        f"({project.name}), which you created, expires on {when}, in {days}. Reports and "
        "tools that refresh with it will fail from then on.\n\n"
        "Replace it without an interruption by rotating it: the new token is shown once, and "
        f"the old one keeps working for {grace_hours} more hours while you update the "
        "report's credentials:\n\n"
        f"    planbridge tokens rotate {project.code} {token.id}\n\n"
        f"or create a new token on the project's Integrations page:\n"
        f"{base_url}/projects/{project.code}/integrations\n\n"
        "-- PlanBridge\n"
    )
    return message
