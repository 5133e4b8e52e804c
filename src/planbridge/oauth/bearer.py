"""Who is calling the connector API: a user, by an access token from OAuth or the Basic
exchange (``pba_``), or by a personal access token (``pbp_``, which reaches its own project
only). What they reach is always limited to the projects they belong to, read per request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge.actors import Actor
from planbridge.errors import InvalidToken
from planbridge.integrations import personal_tokens
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations.personal_models import PersonalAccessToken
from planbridge.oauth import tokens
from planbridge.projects.models import User

HINT = (
    "Send `Authorization: Bearer <token>`: an access token from /oauth/token or "
    "/api/v1/auth/basic (pba_...), or a personal access token (pbp_...)."
)


@dataclass(frozen=True, slots=True)
class ApiUser:
    user: User
    via: str
    """What authenticated the request, for the audit log: ``oauth grant 7``, ``pat 3``."""
    only_project_id: int | None = None
    """A personal access token reaches its own project only."""

    @property
    def actor(self) -> Actor:
        return Actor(self.user.email, self.user.id, via=self.via)

    def may_reach(self, project_id: int) -> bool:
        return self.only_project_id is None or self.only_project_id == project_id


def authenticate(session: Session, authorization: str | None, *, now: dt.datetime) -> ApiUser:
    scheme, _, value = (authorization or "").strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        raise InvalidToken("No bearer token: the request has no Authorization header.", hint=HINT)
    if value.startswith(personal_tokens.PAT_PREFIX):
        return _personal(session, value, now)
    bearer = tokens.authenticate(session, value, now=now)
    return ApiUser(bearer.user, f"{bearer.grant.kind} grant {bearer.grant.id}")


def _personal(session: Session, value: str, now: dt.datetime) -> ApiUser:
    if not token_secrets.is_well_formed(value, personal_tokens.PAT_PREFIX):
        raise InvalidToken("The personal access token is malformed.", hint=HINT)
    token = session.scalar(
        select(PersonalAccessToken).where(
            PersonalAccessToken.secret_sha256 == token_secrets.sha256(value)
        )
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise InvalidToken("The personal access token is unknown, revoked or expired.", hint=HINT)
    user = session.get(User, token.user_id)
    assert user is not None
    return ApiUser(user, f"pat {token.id}", only_project_id=token.project_id)
