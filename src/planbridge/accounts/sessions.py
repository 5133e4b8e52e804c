"""Server-side browser sessions: a random id in an HttpOnly cookie, its SHA-256 in the table.

A session ends when signed out, after ``idle`` without a request, or ``absolute`` after sign-in,
whichever comes first. The CSRF token of a session is derived from its id, so it needs no column
and changes whenever the session does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planbridge.accounts.models import Credential, WebSession
from planbridge.projects.models import User

LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Lifetimes:
    idle: dt.timedelta
    absolute: dt.timedelta


@dataclass(frozen=True, slots=True)
class Current:
    """The signed-in user of a request and the session's CSRF token."""

    user: User
    csrf_token: str


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"planbridge csrf", hashlib.sha256).hexdigest()


def start(
    session: Session,
    user: User,
    *,
    now: dt.datetime,
    lifetimes: Lifetimes,
    replacing: str | None = None,
) -> str:
    """A new session for ``user`` (the previous one of this browser ends); returns its id."""
    if replacing:
        end(session, replacing, now=now)
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            secret_sha256=_sha256(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetimes.absolute,
        )
    )
    session.flush()
    return secret


def resume(
    session: Session, secret: str, *, now: dt.datetime, lifetimes: Lifetimes
) -> Current | None:
    """The user of a live session (touching its last use), or ``None``."""
    row = _unexpired(session, secret, now)
    if row is None:
        return None
    if now - row.last_seen_at >= lifetimes.idle:
        row.ended_at = now
        session.flush()
        return None
    user = session.get(User, row.user_id)
    credential = session.get(Credential, row.user_id)
    if user is None or credential is None or credential.disabled_at is not None:
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.flush()
    return Current(user=user, csrf_token=csrf_token(secret))


def is_live(session: Session, secret: str, *, now: dt.datetime) -> bool:
    """Whether ``secret`` names a web session that has not ended or expired (read only; the
    page still resumes it with every check). Only such a request gets the import page's large
    body limit (:mod:`planbridge.body_limits`)."""
    return _unexpired(session, secret, now) is not None


def _unexpired(session: Session, secret: str, now: dt.datetime) -> WebSession | None:
    """The session named by ``secret`` if it has neither ended nor passed its absolute end."""
    row = session.scalar(select(WebSession).where(WebSession.secret_sha256 == _sha256(secret)))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


def end(session: Session, secret: str, *, now: dt.datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.secret_sha256 == _sha256(secret), WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.flush()


def end_all(session: Session, user_id: int, *, now: dt.datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    session.flush()
