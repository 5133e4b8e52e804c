"""The source switch, feed tokens and feed authentication. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.errors import (
    InvalidInput,
    InvalidToken,
    NotFound,
    PlanNotEligible,
)
from planbridge.integrations import audit
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations.models import FeedToken
from planbridge.projects.models import Project, Tier
from planbridge.projects.permissions import require_admin

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the only object that ever holds the secret, returned once."""

    token: FeedToken
    secret: str


class Expiring(Protocol):
    revoked_at: dt.datetime | None
    expires_at: dt.datetime


def token_state(token: Expiring, now: dt.datetime) -> str:
    """``active``, ``expired`` or ``revoked``: for feed tokens and personal tokens alike."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def checked_name_and_lifetime(
    name: str, days: int | None, *, max_days: int, default_days: int, example: str
) -> tuple[str, int]:
    """A new token's name (1-100 characters) and lifetime in days (1 to ``max_days``)."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(
            "A token name must have 1 to 100 characters.",
            hint=f"Name it after its use, e.g. '{example}'.",
        )
    lifetime = default_days if days is None else days
    if not 1 <= lifetime <= max_days:
        raise InvalidInput(
            f"A token's lifetime must be 1 to {max_days} days; {lifetime} was asked for.",
        )
    return name, lifetime


def set_integration(session: Session, project: Project, actor: Actor, *, enabled: bool) -> None:
    require_admin(session, project, actor, "switch the Power BI source")
    if enabled and project.tier == Tier.free:
        raise PlanNotEligible(
            f"Project {project.code} is on the free tier; the Power BI source needs pro or "
            "enterprise."
        )
    project.integration_enabled = enabled
    audit.record(
        session,
        actor,
        "integration.enable" if enabled else "integration.disable",
        project_id=project.id,
        subject=project.code,
    )
    session.flush()


def set_feed_suspended(
    session: Session, project: Project, actor: Actor, *, suspended: bool, reason: str | None
) -> None:
    """Operator-only: suspend or resume a project's feed for fair use."""
    if not actor.is_operator:
        raise InvalidInput("Only the operator can suspend or resume a feed.")
    project.feed_suspended = suspended
    project.feed_suspended_reason = reason if suspended else None
    audit.record(
        session,
        actor,
        "feed.suspend" if suspended else "feed.resume",
        project_id=project.id,
        subject=project.code,
        reason=reason,
    )
    session.flush()


def create_token(
    session: Session,
    project: Project,
    actor: Actor,
    *,
    name: str,
    days: int | None,
    max_days: int,
    default_days: int,
    now: dt.datetime,
) -> IssuedToken:
    require_admin(session, project, actor, "create feed tokens")
    name, lifetime = checked_name_and_lifetime(
        name, days, max_days=max_days, default_days=default_days, example="Power BI weekly report"
    )
    secret = token_secrets.generate()
    token = FeedToken(
        project_id=project.id,
        name=name,
        secret_sha256=token_secrets.sha256(secret),
        display_hint=token_secrets.display_hint(secret),
        created_by_id=actor.user_id,
        created_by=actor.label,
        created_at=now,
        expires_at=now + dt.timedelta(days=lifetime),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        project_id=project.id,
        subject=f"token {token.id}",
        name=name,
        expires_at=token.expires_at.isoformat(),
    )
    return IssuedToken(token=token, secret=secret)


def list_tokens(session: Session, project: Project, actor: Actor) -> list[FeedToken]:
    require_admin(session, project, actor, "list feed tokens")
    return list(
        session.scalars(
            select(FeedToken).where(FeedToken.project_id == project.id).order_by(FeedToken.id)
        )
    )


def revoke_token(
    session: Session, project: Project, actor: Actor, token_id: int, *, now: dt.datetime
) -> FeedToken:
    require_admin(session, project, actor, "revoke feed tokens")
    token = session.get(FeedToken, token_id)
    if token is None or token.project_id != project.id:
        raise NotFound(f"Project {project.code} has no token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = now
        token.revoked_by = actor.label
        audit.record(
            session, actor, "token.revoke", project_id=project.id, subject=f"token {token.id}"
        )
    session.flush()
    return token


def authenticate(
    session: Session, project: Project, authorization: str | None, *, now: dt.datetime
) -> FeedToken:
    """The feed token behind an ``Authorization`` header, or :class:`InvalidToken` saying why.

    A valid token of another project is reported exactly as an unknown token.
    """
    if not authorization:
        raise InvalidToken("No token: the request has no Authorization header.")
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
    if value.startswith("pbp_"):
        raise InvalidToken(
            "This is a personal access token of the Plan API; the feed needs a feed token "
            "(pbt_...).",
            hint="Ask a project admin for a feed token (planbridge tokens create).",
        )
    if not token_secrets.is_well_formed(value):
        raise InvalidToken(
            "The token is malformed: it must start with 'pbt_' and end in a valid checksum.",
            hint="Copy the whole token again; it is shown once, when it is created.",
        )
    token = session.scalar(
        select(FeedToken).where(FeedToken.secret_sha256 == token_secrets.sha256(value))
    )
    if token is None or token.project_id != project.id:
        raise InvalidToken("The token is not known for this project.")
    if token.revoked_at is not None:
        raise InvalidToken(
            f"The token '{token.name}' was revoked on {_iso(token.revoked_at)}.",
            hint="Ask a project admin for a new token.",
        )
    if token.expires_at <= now:
        raise InvalidToken(
            f"The token '{token.name}' expired on {_iso(token.expires_at)}.",
            hint="Ask a project admin for a new token; tokens live at most 90 days.",
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return token


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
