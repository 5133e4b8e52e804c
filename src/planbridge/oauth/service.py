"""Managing the authorization server: clients (registered by the operator), accounts that must
use single sign-on, and a user's own sign-ins (grants and browser sessions), which they list
and revoke. Functions flush, never commit; each change writes its audit row."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.accounts.models import WebSession
from planbridge.actors import Actor
from planbridge.errors import InvalidInput, NotFound
from planbridge.oauth import tokens
from planbridge.oauth.models import OAuthClient, OAuthGrant, SsoRequirement
from planbridge.oauth.server import sha256
from planbridge.projects import service as projects
from planbridge.projects.models import User
from planbridge.projects.permissions import require_operator

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class OAuthClientNotFound(NotFound):
    code = "oauth_client_not_found"
    default_hint = "List the clients with: planbridge oauth-clients list"


@dataclass(frozen=True, slots=True)
class NewClient:
    client: OAuthClient
    secret: str | None
    """The client secret (confidential clients only), returned once."""


@dataclass(frozen=True, slots=True)
class SignInRow:
    """One of a user's sign-ins, for the account page: a browser session or a grant."""

    id: int
    kind: str
    """``browser``, ``oauth`` or ``basic``."""
    client: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime


def _operator_only(actor: Actor) -> None:
    require_operator(actor, "manage OAuth clients and single sign-on requirements")


def check_redirect_uri(uri: str) -> str:
    parts = urlsplit(uri)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.netloc or parts.fragment:
        raise InvalidInput(
            f"Redirect URI {uri!r} must be an absolute https URL (or http on a loopback "
            "address) without a fragment.",
            hint="Power BI's is https://oauth.powerbi.com/views/oauthredirect.html",
        )
    return uri


def create_client(
    session: Session,
    actor: Actor,
    *,
    name: str,
    redirect_uris: list[str],
    confidential: bool,
    now: dt.datetime,
) -> NewClient:
    _operator_only(actor)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("A client name must have 1 to 100 characters.")
    if not redirect_uris:
        raise InvalidInput(
            "A client needs at least one redirect URI.", hint="Pass --redirect-uri URI."
        )
    uris = [check_redirect_uri(u) for u in redirect_uris]
    secret = secrets.token_urlsafe(32) if confidential else None
    client = OAuthClient(
        client_id="pbc-" + secrets.token_hex(12),
        name=name,
        redirect_uris=uris,
        secret_sha256=sha256(secret) if secret else None,
        created_at=now,
        created_by=actor.label,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor,
        "oauth_client.create",
        subject=client.client_id,
        name=name,
        redirect_uris=uris,
        confidential=confidential,
    )
    return NewClient(client, secret)


def list_clients(session: Session, actor: Actor) -> list[OAuthClient]:
    _operator_only(actor)
    return list(session.scalars(select(OAuthClient).order_by(OAuthClient.id)))


def revoke_client(session: Session, actor: Actor, client_id: str, *, now: dt.datetime) -> None:
    """The client can no longer sign anyone in; its grants and tokens end."""
    _operator_only(actor)
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    if client is None:
        raise OAuthClientNotFound(f"No OAuth client '{client_id}'.")
    if client.revoked_at is None:
        client.revoked_at = now
        for grant in session.scalars(select(OAuthGrant).where(OAuthGrant.client_id == client.id)):
            tokens.revoke_grant(session, grant, now=now, reason="client revoked")
        audit.record(session, actor, "oauth_client.revoke", subject=client_id)
    session.flush()


def require_sso(session: Session, actor: Actor, *, email: str, now: dt.datetime) -> User:
    """The account may no longer use its password for the Basic exchange; its Basic sign-ins
    end."""
    _operator_only(actor)
    user = projects.get_user(session, email)
    if session.get(SsoRequirement, user.id) is None:
        session.add(SsoRequirement(user_id=user.id, created_at=now, created_by=actor.label))
        for grant in session.scalars(
            select(OAuthGrant).where(OAuthGrant.user_id == user.id, OAuthGrant.kind == "basic")
        ):
            tokens.revoke_grant(session, grant, now=now, reason="single sign-on required")
        audit.record(session, actor, "user.require_sso", subject=user.email)
    session.flush()
    return user


def sign_ins(session: Session, user: User, *, now: dt.datetime) -> list[SignInRow]:
    """The user's live browser sessions and grants, newest first."""
    rows = []
    for s in session.scalars(
        select(WebSession).where(
            WebSession.user_id == user.id,
            WebSession.ended_at.is_(None),
            WebSession.expires_at > now,
        )
    ):
        rows.append(
            SignInRow(s.id, "browser", "Web browser", s.created_at, s.last_seen_at, s.expires_at)
        )
    for grant, client_name in session.execute(
        select(OAuthGrant, OAuthClient.name)
        .outerjoin(OAuthClient, OAuthClient.id == OAuthGrant.client_id)
        .where(
            OAuthGrant.user_id == user.id,
            OAuthGrant.revoked_at.is_(None),
            OAuthGrant.expires_at > now,
        )
    ):
        rows.append(
            SignInRow(
                grant.id,
                grant.kind,
                client_name or "Email and password (Basic)",
                grant.created_at,
                grant.last_used_at,
                grant.expires_at,
            )
        )
    return sorted(rows, key=lambda r: r.created_at, reverse=True)


def revoke_sign_in(
    session: Session, user: User, *, kind: str, item_id: int, now: dt.datetime
) -> None:
    """A user ends one of their own sign-ins; another user's is 'not found'."""
    actor = Actor(user.email, user.id)
    if kind == "browser":
        found = session.get(WebSession, item_id)
        if found is None or found.user_id != user.id:
            raise NotFound("There is no such sign-in.")
        if found.ended_at is None:
            found.ended_at = now
        audit.record(session, actor, "user.session_revoke", subject=user.email, web_session=item_id)
    else:
        grant = session.get(OAuthGrant, item_id)
        if grant is None or grant.user_id != user.id:
            raise NotFound("There is no such sign-in.")
        tokens.revoke_grant(session, grant, now=now, reason="revoked by user")
        audit.record(session, actor, "user.grant_revoke", subject=user.email, grant=item_id)
    session.flush()
