"""Personal access tokens (``pbp_...``): a project member's credential for the Plan API.

Same format family as feed tokens (prefix, 30 base62 characters, CRC32 checksum), hashed at
rest, expiring, revocable, last use recorded, every change audited. A token acts as its owner:
only the owner (or the operator at the command line) creates it; the owner or a project admin
lists and revokes it. Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor, via_token
from planbridge.errors import Forbidden, InvalidToken, NotFound, NotProjectMember
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations import token_core as core
from planbridge.integrations.personal_models import PersonalAccessToken
from planbridge.integrations.token_core import checked_name_and_lifetime
from planbridge.projects.models import Project, Role, User
from planbridge.projects.permissions import is_admin, require_member, role_of

PAT_PREFIX = "pbp_"
CREATE_HINT = "Create one with: planbridge pat create PROJECT --user EMAIL --name NAME"


@dataclass(frozen=True, slots=True)
class IssuedPersonalToken:
    """A new token: the only object that ever holds the secret, returned once."""

    token: PersonalAccessToken
    secret: str


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who a valid Plan API request acts as: the token, its owner and their current role."""

    token: PersonalAccessToken
    actor: Actor
    role: Role


def create_token(
    session: Session,
    project: Project,
    actor: Actor,
    *,
    user: User,
    name: str,
    days: int | None,
    now: dt.datetime,
    max_days: int,
    default_days: int,
) -> IssuedPersonalToken:
    if not actor.is_operator and actor.user_id != user.id:
        raise Forbidden(
            f"{actor.label} cannot create a personal access token for {user.email}.",
            hint="A personal access token acts as its owner: only they (or the operator) "
            "can create it.",
        )
    if role_of(session, project, user.id) is None:
        raise NotProjectMember(f"{user.email} is not a member of project {project.code}.")
    name, lifetime = checked_name_and_lifetime(
        name, days, max_days=max_days, default_days=default_days, example="Nightly P6 sync"
    )
    secret = core.new_secret(PAT_PREFIX)
    token = PersonalAccessToken(project_id=project.id, user_id=user.id, name=name)
    core.issue(session, token, secret, actor, now=now, days=lifetime)
    audit.record(
        session,
        actor,
        "pat.create",
        project_id=project.id,
        subject=f"pat {token.id}",
        name=name,
        user=user.email,
        expires_at=token.expires_at.isoformat(),
    )
    return IssuedPersonalToken(token=token, secret=secret.value)


def list_tokens(
    session: Session, project: Project, actor: Actor, *, user: User | None = None
) -> list[PersonalAccessToken]:
    """A member sees their own tokens; admins and the operator see everyone's."""
    require_member(session, project, actor)
    query = select(PersonalAccessToken).where(PersonalAccessToken.project_id == project.id)
    if not is_admin(session, project, actor):
        query = query.where(PersonalAccessToken.user_id == actor.user_id)
    if user is not None:
        query = query.where(PersonalAccessToken.user_id == user.id)
    return list(session.scalars(query.order_by(PersonalAccessToken.id)))


def revoke_token(
    session: Session, project: Project, actor: Actor, token_id: int, *, now: dt.datetime
) -> PersonalAccessToken:
    require_member(session, project, actor)
    token = session.get(PersonalAccessToken, token_id)
    if token is None or token.project_id != project.id:
        raise NotFound(f"Project {project.code} has no personal access token {token_id}.")
    if token.user_id != actor.user_id and not is_admin(session, project, actor):
        raise Forbidden(
            f"{actor.label} may not revoke another member's token.",
            hint="Only the token's owner or a project admin can revoke it.",
        )
    if core.revoke(token, actor, now):
        audit.record(session, actor, "pat.revoke", project_id=project.id, subject=f"pat {token.id}")
    session.flush()
    return token


def authenticate(
    session: Session, project: Project, authorization: str | None, *, now: dt.datetime
) -> Authenticated:
    """The member behind an ``Authorization`` header, or :class:`InvalidToken` saying why.

    A feed token is named as such; a valid token of another project is reported as unknown.
    """
    value = _bearer(authorization)
    if value.startswith(token_secrets.FEED_PREFIX):
        raise InvalidToken(
            "A feed token (pbt_...) cannot be used with the Plan API: feed tokens only read "
            "published plans.",
            hint="Send a personal access token (pbp_...). " + CREATE_HINT,
        )
    if not token_secrets.is_well_formed(value, PAT_PREFIX):
        raise InvalidToken(
            "The token is malformed: it must start with 'pbp_' and end in a valid checksum.",
            hint="Copy the whole token again; it is shown once, when it is created.",
        )
    token = core.find(session, PersonalAccessToken, value)
    if token is None or token.project_id != project.id:
        raise InvalidToken(f"The token is not known for project {project.code}.", hint=CREATE_HINT)
    core.check_alive(
        token,
        now,
        revoked_hint=CREATE_HINT,
        expired_hint=f"{CREATE_HINT} Personal tokens live at most 90 days.",
    )
    user = session.get(User, token.user_id)
    role = role_of(session, project, token.user_id)
    if user is None or role is None:
        raise NotProjectMember(
            f"The owner of token '{token.name}' is no longer a member of project {project.code}."
        )
    core.record_use(session, token, now)
    actor = Actor(label=user.email, user_id=user.id, via=via_token(token.id))
    return Authenticated(token=token, actor=actor, role=role)


def is_live(session: Session, authorization: str | None, *, now: dt.datetime) -> bool:
    """Whether ``authorization`` carries a personal access token that exists and is neither
    revoked nor expired (of any project; the route checks the rest). Only such a request gets
    the Plan API's large body limit (:mod:`planbridge.body_limits`), so a made-up token cannot
    make the server hold more than the small default limit."""
    try:
        value = _bearer(authorization)
    except InvalidToken:
        return False
    if not token_secrets.is_well_formed(value, PAT_PREFIX):
        return False
    token = core.find(session, PersonalAccessToken, value)
    if token is None:
        return False
    try:
        core.check_alive(token, now, revoked_hint=None, expired_hint=None)
    except InvalidToken:
        return False
    return True


def _bearer(authorization: str | None) -> str:
    return core.bearer(
        authorization,
        missing_hint="Send `Authorization: Bearer pbp_...` with a personal access token. "
        + CREATE_HINT,
        scheme_hint="Send `Authorization: Bearer pbp_...`.",
    )
