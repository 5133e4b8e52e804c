"""Accounts: create users with a password or a set-password link, change passwords, disable,
and sign in. Functions flush, never commit; each management action writes its audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.accounts import passwords, sessions, throttle
from planbridge.accounts.models import Credential, SetPasswordLink, SsoRequirement
from planbridge.actors import OPERATOR, WEB, Actor
from planbridge.errors import InvalidInput
from planbridge.projects import service as projects
from planbridge.projects.models import Project, User
from planbridge.projects.permissions import require_operator


@dataclass(frozen=True, slots=True)
class NewAccount:
    user: User
    link_secret: str | None
    """The set-password link's secret, returned once, when no password was given."""


@dataclass(frozen=True, slots=True)
class AccountRow:
    user: User
    has_password: bool
    disabled: bool


@dataclass(frozen=True, slots=True)
class SignIn:
    """What became of a sign-in attempt: a user, or a wait in minutes, or neither (refused);
    ``sso_required`` when the password was right but the account must use single sign-on."""

    user: User | None = None
    retry_minutes: int | None = None
    sso_required: bool = False


def _credential(session: Session, user: User) -> Credential:
    credential = session.get(Credential, user.id)
    if credential is None:
        credential = Credential(user_id=user.id)
        session.add(credential)
        session.flush()
    return credential


def create_account(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    organisation: str,
    password: str | None,
    now: dt.datetime,
    link_hours: int,
) -> NewAccount:
    require_operator(actor, "create users")
    if password is not None:
        passwords.check_new(password, email=email, name=name)
    user = projects.create_user(session, email=email, name=name, organisation=organisation)
    credential = _credential(session, user)
    link = None
    if password is not None:
        credential.password_hash = passwords.hash_password(password)
        credential.password_set_at = now
    else:
        link = issue_link(session, user, now=now, hours=link_hours)
    audit.record(session, actor, "user.create", subject=user.email, password_set=link is None)
    return NewAccount(user=user, link_secret=link)


def issue_link(session: Session, user: User, *, now: dt.datetime, hours: int) -> str:
    secret = secrets.token_urlsafe(32)
    session.add(
        SetPasswordLink(
            user_id=user.id,
            secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
    )
    session.flush()
    return secret


def _store_password(session: Session, user: User, password: str, now: dt.datetime) -> None:
    passwords.check_new(password, email=user.email, name=user.name)
    credential = _credential(session, user)
    credential.password_hash = passwords.hash_password(password)
    credential.password_set_at = now
    sessions.end_all(session, user.id, now=now)


def set_password(
    session: Session, actor: Actor, *, email: str, password: str, now: dt.datetime
) -> User:
    """Operator: give a user a new password; their sessions end."""
    require_operator(actor, "set passwords")
    user = projects.get_user(session, email)
    _store_password(session, user, password, now)
    audit.record(session, actor, "user.set_password", subject=user.email)
    return user


def use_link(session: Session, secret: str, *, password: str, now: dt.datetime) -> User:
    """Choose a password with a set-password link; the link works once, until it expires."""
    link = session.scalar(
        select(SetPasswordLink).where(
            SetPasswordLink.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        )
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidInput(
            "This set-password link is not valid: it was used already, has expired or is "
            "incomplete.",
            hint="Ask the operator for a new link (planbridge users create or set-password).",
        )
    user = session.get(User, link.user_id)
    assert user is not None
    _store_password(session, user, password, now)
    link.used_at = now
    audit.record(
        session, Actor(user.email, user.id, via=WEB), "user.set_password", subject=user.email
    )
    return user


def list_accounts(session: Session) -> list[AccountRow]:
    rows = session.execute(
        select(User, Credential)
        .outerjoin(Credential, Credential.user_id == User.id)
        .order_by(User.email)
    ).all()
    return [
        AccountRow(
            user=user,
            has_password=bool(credential and credential.password_hash),
            disabled=bool(credential and credential.disabled_at),
        )
        for user, credential in rows
    ]


def disable(session: Session, actor: Actor, *, email: str, now: dt.datetime) -> User:
    """The user can no longer sign in; their sessions end. Memberships stay."""
    require_operator(actor, "disable users")
    user = projects.get_user(session, email)
    credential = _credential(session, user)
    if credential.disabled_at is None:
        credential.disabled_at = now
        audit.record(session, actor, "user.disable", subject=user.email)
    sessions.end_all(session, user.id, now=now)
    return user


def sign_in(
    session: Session, *, email: str, password: str, address: str, now: dt.datetime
) -> SignIn:
    """Check a password, throttled per account and per address; audits every outcome.

    Unknown, disabled and passwordless accounts are refused exactly as a wrong password is
    (same answer, same argon2 work), so a caller learns nothing about which accounts exist.
    An account that must use single sign-on (``SsoRequirement``) is refused even with the
    right password, for every caller (sign-in page and Basic exchange alike); only a right
    password learns that, so it tells nothing to someone guessing.
    """
    email = email.strip().lower()[:320]
    wait = throttle.retry_minutes(session, email=email, address=address, now=now)
    if wait is not None:
        audit.record(
            session, Actor(email, via=WEB), "user.sign_in_throttled", subject=email, address=address
        )
        return SignIn(retry_minutes=wait)
    user = session.scalar(select(User).where(User.email == email))
    credential = session.get(Credential, user.id) if user else None
    stored = credential.password_hash if credential and credential.disabled_at is None else None
    if user is None or not passwords.verify(stored, password):
        throttle.record_failure(session, email=email, address=address, now=now)
        audit.record(
            session, Actor(email, via=WEB), "user.sign_in_failed", subject=email, address=address
        )
        return SignIn()
    assert credential is not None and stored is not None
    if session.get(SsoRequirement, user.id) is not None:
        audit.record(
            session,
            Actor(user.email, user.id, via=WEB),
            "user.sign_in_refused_sso",
            subject=user.email,
            address=address,
        )
        return SignIn(sso_required=True)
    if passwords.needs_rehash(stored):
        credential.password_hash = passwords.hash_password(password)
    throttle.clear_account(session, email)
    audit.record(
        session,
        Actor(user.email, user.id, via=WEB),
        "user.sign_in",
        subject=user.email,
        address=address,
    )
    return SignIn(user=user)


DEMO_ADMIN_EMAIL = "admin@demo.planbridge.example"


def create_demo_admin(session: Session, project: Project, *, now: dt.datetime) -> tuple[User, str]:
    """A demo admin of ``project`` with a random password, returned once for printing."""
    password = secrets.token_urlsafe(15)
    account = create_account(
        session,
        OPERATOR,
        email=DEMO_ADMIN_EMAIL,
        name="Demo Admin",
        organisation="Demo",
        password=password,
        now=now,
        link_hours=1,
    )
    projects.add_member(session, project, account.user, "admin")
    audit.record(
        session,
        OPERATOR,
        "member.add",
        project_id=project.id,
        subject=DEMO_ADMIN_EMAIL,
        role="admin",
    )
    return account.user, password
