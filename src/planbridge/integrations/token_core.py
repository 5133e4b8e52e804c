"""What feed tokens (``pbt_``) and personal access tokens (``pbp_``) share: the stored columns,
issuing a secret (only its SHA-256 and a display hint are kept), the name and lifetime rules,
the state, reading a bearer token, the expiry and revocation checks, recording the last use
and revoking. :mod:`integrations.service` and :mod:`integrations.personal_tokens` add what
differs: who may act, the messages' hints and the audit rows."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from planbridge.actors import Actor
from planbridge.db.base import UTCDateTime, utcnow
from planbridge.errors import InvalidInput, InvalidToken
from planbridge.integrations import secrets as token_secrets

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
"""A token's last use is written at most once a minute."""
EXPIRY_NOTICE_DAYS = 14
"""A token this close to its expiry is announced: a response header on each feed request
(``PlanBridge-Token-Expires-In-Days``) and, with SMTP set up, an email to its creator."""


class TokenColumns:
    """The columns every token table has (a declarative mixin)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    display_hint: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(320))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Expiring(Protocol):
    revoked_at: dt.datetime | None
    expires_at: dt.datetime


T = TypeVar("T", bound=TokenColumns)


def token_state(token: Expiring, now: dt.datetime) -> str:
    """``active``, ``expired`` or ``revoked``: for feed tokens and personal tokens alike."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "active"


def days_left(token: Expiring, now: dt.datetime) -> int | None:
    """Whole days until an active token expires, rounded up (``None`` when not active): a
    token expiring in 36 hours has 2 days left, one expiring in an hour has 1."""
    if token_state(token, now) != "active":
        return None
    return math.ceil((token.expires_at - now).total_seconds() / 86400)


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


@dataclass(frozen=True, slots=True)
class Secret:
    """A freshly generated secret and what is stored of it."""

    value: str
    sha256: str
    display_hint: str


def new_secret(prefix: str) -> Secret:
    value = token_secrets.generate(prefix)
    return Secret(value, token_secrets.sha256(value), token_secrets.display_hint(value))


def issue(
    session: Session,
    token: T,
    secret: Secret,
    actor: Actor,
    *,
    now: dt.datetime,
    days: int,
) -> T:
    """Fill in the shared columns of a new ``token`` row and add it."""
    token.secret_sha256 = secret.sha256
    token.display_hint = secret.display_hint
    token.created_by = actor.label
    token.created_at = now
    token.expires_at = now + dt.timedelta(days=days)
    session.add(token)
    session.flush()
    return token


def bearer(
    authorization: str | None, *, missing_hint: str | None = None, scheme_hint: str | None = None
) -> str:
    """The token of an ``Authorization: Bearer <token>`` header."""
    if not authorization:
        raise InvalidToken("No token: the request has no Authorization header.", hint=missing_hint)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise InvalidToken("The Authorization header must be 'Bearer <token>'.", hint=scheme_hint)
    return value


def find(session: Session, model: type[T], value: str) -> T | None:
    """The stored token whose secret is ``value``, by its SHA-256."""
    return session.scalar(select(model).where(model.secret_sha256 == token_secrets.sha256(value)))


def check_alive(
    token: TokenColumns, now: dt.datetime, *, revoked_hint: str | None, expired_hint: str | None
) -> None:
    if token.revoked_at is not None:
        raise InvalidToken(
            f"The token '{token.name}' was revoked on {iso(token.revoked_at)}.",
            hint=revoked_hint,
        )
    if token.expires_at <= now:
        raise InvalidToken(
            f"The token '{token.name}' expired on {iso(token.expires_at)}.", hint=expired_hint
        )


def record_use(session: Session, token: TokenColumns, now: dt.datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()


def revoke(token: TokenColumns, actor: Actor, now: dt.datetime) -> bool:
    """Revoke ``token``; ``False`` when it already was (nothing changes then)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    token.revoked_by = actor.label
    return True


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
