"""The source switch, feed tokens and feed authentication. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import (
    Conflict,
    InvalidInput,
    InvalidToken,
    NotFound,
    PlanNotEligible,
)
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations import token_core as core
from planbridge.integrations.models import FeedToken
from planbridge.integrations.token_core import checked_name_and_lifetime
from planbridge.integrations.token_core import token_state as token_state
from planbridge.projects.models import Project, Tier
from planbridge.projects.permissions import require_admin

ROTATE_ACTION = "rotate feed tokens"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the only object that ever holds the secret, returned once."""

    token: FeedToken
    secret: str


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
    issued = _issue(session, project, actor, name=name, days=lifetime, now=now)
    audit.record(
        session,
        actor,
        "token.create",
        project_id=project.id,
        subject=f"token {issued.token.id}",
        name=name,
        expires_at=issued.token.expires_at.isoformat(),
    )
    return issued


def _issue(
    session: Session, project: Project, actor: Actor, *, name: str, days: int, now: dt.datetime
) -> IssuedToken:
    secret = core.new_secret(token_secrets.FEED_PREFIX)
    token = FeedToken(project_id=project.id, name=name, created_by_id=actor.user_id)
    core.issue(session, token, secret, actor, now=now, days=days)
    return IssuedToken(token=token, secret=secret.value)


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
    token = _token_of(session, project, token_id)
    if core.revoke(token, actor, now):
        audit.record(
            session, actor, "token.revoke", project_id=project.id, subject=f"token {token.id}"
        )
    session.flush()
    return token


def _token_of(session: Session, project: Project, token_id: int) -> FeedToken:
    token = session.get(FeedToken, token_id)
    if token is None or token.project_id != project.id:
        raise NotFound(f"Project {project.code} has no token {token_id}.")
    return token


@dataclass(frozen=True, slots=True)
class RotatedToken:
    """The new token (secret shown once) and the old one, now expiring at the grace's end."""

    issued: IssuedToken
    old: FeedToken


def rotate_token(
    session: Session,
    project: Project,
    actor: Actor,
    token_id: int,
    *,
    grace: dt.timedelta,
    max_days: int,
    now: dt.datetime,
) -> RotatedToken:
    """Issue a new token with the old one's name and lifetime (at most ``max_days``) and let
    the old one live on for ``grace`` (or less, if it expires sooner), so a report's
    credentials can be changed without an outage. One ``token.rotate`` audit row."""
    require_admin(session, project, actor, ROTATE_ACTION)
    old = _token_of(session, project, token_id)
    state = core.token_state(old, now)
    if state != "active":
        raise Conflict(
            f"Token {old.id} '{old.name}' is {state}; only an active token can be rotated.",
            hint="Create a new token instead: planbridge tokens create",
        )
    lifetime = min(
        max_days, max(1, round((old.expires_at - old.created_at) / dt.timedelta(days=1)))
    )
    issued = _issue(session, project, actor, name=old.name, days=lifetime, now=now)
    old.expires_at = min(old.expires_at, now + grace)
    session.flush()
    audit.record(
        session,
        actor,
        "token.rotate",
        project_id=project.id,
        subject=f"token {old.id}",
        new_token=issued.token.id,
        old_expires_at=old.expires_at.isoformat(),
        expires_at=issued.token.expires_at.isoformat(),
    )
    return RotatedToken(issued=issued, old=old)


def authenticate(
    session: Session, project: Project, authorization: str | None, *, now: dt.datetime
) -> FeedToken:
    """The feed token behind an ``Authorization`` header, or :class:`InvalidToken` saying why.

    A valid token of another project is reported exactly as an unknown token.
    """
    value = core.bearer(authorization)
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
    token = core.find(session, FeedToken, value)
    if token is None or token.project_id != project.id:
        raise InvalidToken("The token is not known for this project.")
    core.check_alive(
        token,
        now,
        revoked_hint="Ask a project admin for a new token.",
        expired_hint="Ask a project admin for a new token; tokens live at most 90 days.",
    )
    core.record_use(session, token, now)
    return token
