"""Grants and their tokens: start a grant, issue an access token (and a refresh token), and
resolve a bearer token to its user. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planbridge.accounts.models import Credential
from planbridge.errors import InvalidToken
from planbridge.integrations import secrets as token_secrets
from planbridge.oauth.models import OAuthClient, OAuthGrant, OAuthToken
from planbridge.projects.models import User

ACCESS_PREFIX = "pba_"
REFRESH_PREFIX = "pbr_"
SCOPE = "exports"
"""The one scope: read the user's projects and their export actions, run and download them.
What a token reaches is always limited to the projects its user belongs to, read per request."""
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
SIGN_IN_HINT = "Sign in again: the connector asks for your credentials when they are needed."


@dataclass(frozen=True, slots=True)
class Issued:
    """New token secrets, returned once; only their SHA-256 is stored."""

    access_token: str
    expires_in: int
    refresh_token: str | None
    scope: str

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


@dataclass(frozen=True, slots=True)
class Bearer:
    """The user behind an access token and the grant it belongs to."""

    user: User
    grant: OAuthGrant


def start_grant(
    session: Session,
    user: User,
    *,
    client: OAuthClient | None,
    scope: str,
    now: dt.datetime,
    max_days: int,
) -> OAuthGrant:
    grant = OAuthGrant(
        user_id=user.id,
        client_id=client.id if client else None,
        kind="oauth" if client else "basic",
        scope=scope,
        created_at=now,
        expires_at=now + dt.timedelta(days=max_days),
    )
    session.add(grant)
    session.flush()
    return grant


def issue(
    session: Session,
    grant: OAuthGrant,
    *,
    now: dt.datetime,
    access_minutes: int,
    with_refresh: bool,
) -> Issued:
    """An access token (never outliving its grant) and, when asked, a refresh token."""
    access_expiry = min(now + dt.timedelta(minutes=access_minutes), grant.expires_at)
    access = _store(session, grant, "access", ACCESS_PREFIX, now, access_expiry)
    refresh = None
    if with_refresh:
        refresh = _store(session, grant, "refresh", REFRESH_PREFIX, now, grant.expires_at)
    grant.last_used_at = now
    session.flush()
    return Issued(
        access_token=access,
        expires_in=max(1, int((access_expiry - now).total_seconds())),
        refresh_token=refresh,
        scope=grant.scope,
    )


def _store(
    session: Session,
    grant: OAuthGrant,
    kind: str,
    prefix: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> str:
    secret = token_secrets.generate(prefix)
    session.add(
        OAuthToken(
            grant_id=grant.id,
            kind=kind,
            token_sha256=token_secrets.sha256(secret),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return secret


def find(session: Session, secret: str, kind: str) -> OAuthToken | None:
    return session.scalar(
        select(OAuthToken).where(
            OAuthToken.token_sha256 == token_secrets.sha256(secret), OAuthToken.kind == kind
        )
    )


def grant_alive(session: Session, grant: OAuthGrant, now: dt.datetime) -> bool:
    """Not revoked, inside its absolute lifetime, its client and its user still enabled."""
    if grant.revoked_at is not None or grant.expires_at <= now:
        return False
    if grant.client_id is not None:
        client = session.get(OAuthClient, grant.client_id)
        if client is None or client.revoked_at is not None:
            return False
    credential = session.get(Credential, grant.user_id)
    return credential is None or credential.disabled_at is None


def revoke_grant(session: Session, grant: OAuthGrant, *, now: dt.datetime, reason: str) -> None:
    """End a grant and every token of it (a family revocation)."""
    if grant.revoked_at is None:
        grant.revoked_at = now
        grant.revoked_reason = reason
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.grant_id == grant.id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()


def authenticate(session: Session, secret: str, *, now: dt.datetime) -> Bearer:
    """The user of a live access token, or :class:`InvalidToken` saying why."""
    if not token_secrets.is_well_formed(secret, ACCESS_PREFIX):
        raise InvalidToken(
            "The access token is malformed: it must start with 'pba_' and end in a valid checksum.",
            hint=SIGN_IN_HINT,
        )
    token = find(session, secret, "access")
    if token is None:
        raise InvalidToken("The access token is not known.", hint=SIGN_IN_HINT)
    grant = session.get(OAuthGrant, token.grant_id)
    assert grant is not None
    if token.revoked_at is not None or not grant_alive(session, grant, now):
        raise InvalidToken("The access token was revoked or its sign-in ended.", hint=SIGN_IN_HINT)
    if token.expires_at <= now:
        raise InvalidToken(
            "The access token expired; refresh it or sign in again.", hint=SIGN_IN_HINT
        )
    user = session.get(User, grant.user_id)
    assert user is not None
    if grant.last_used_at is None or now - grant.last_used_at >= LAST_USED_RESOLUTION:
        grant.last_used_at = now
        session.flush()
    return Bearer(user=user, grant=grant)
