"""The Basic exchange: an email and password, checked exactly as the sign-in page checks them
(same throttle, same audit), exchanged for one short-lived access token and no refresh token.
Accounts that must use single sign-on are refused even with the right password."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.accounts import service as accounts
from planbridge.actors import Actor
from planbridge.errors import Forbidden, PlanBridgeError, RateLimited
from planbridge.oauth import tokens
from planbridge.settings import Settings


class InvalidCredentials(PlanBridgeError):
    code = "invalid_credentials"
    status = 401
    default_hint = "Check the email and password you sign in to PlanBridge with."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(
            message, hint=hint, headers={"WWW-Authenticate": 'Basic realm="planbridge"'}
        )


class SsoRequired(Forbidden):
    code = "sso_required"
    default_hint = (
        "Your organisation signs you in through single sign-on: choose the Organizational "
        "account (OAuth) sign-in in the connector instead of a user name and password."
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    issued: tokens.Issued | None = None
    retry_minutes: int | None = None
    sso_required: bool = False


def parse_basic(authorization: str | None) -> tuple[str, str]:
    """``Authorization: Basic base64(email:password)`` → (email, password)."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise InvalidCredentials(
            "Send the email and password as HTTP Basic: `Authorization: Basic "
            "base64(email:password)`."
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidCredentials("The Basic credentials are not valid base64 UTF-8.") from None
    email, sep, password = decoded.partition(":")
    if not sep:
        raise InvalidCredentials("The Basic credentials must be 'email:password'.")
    return email, password


def exchange(
    session: Session,
    *,
    email: str,
    password: str,
    address: str,
    now: dt.datetime,
    settings: Settings,
) -> Outcome:
    """Check the password (throttled and audited) and issue an access token. Returns what
    happened rather than raising, so the caller commits the failure record before refusing."""
    signed = accounts.sign_in(session, email=email, password=password, address=address, now=now)
    if signed.user is None:
        # sign_in refuses (and audits) accounts that must use single sign-on.
        return Outcome(retry_minutes=signed.retry_minutes, sso_required=signed.sso_required)
    user = signed.user
    actor = Actor(user.email, user.id)
    grant = tokens.start_grant(
        session,
        user,
        client=None,
        scope=tokens.SCOPE,
        now=now,
        max_days=settings.oauth_grant_max_days,
    )
    issued = tokens.issue(
        session,
        grant,
        now=now,
        access_minutes=settings.access_token_minutes,
        with_refresh=False,
    )
    audit.record(session, actor, "user.basic_exchange", subject=user.email, grant=grant.id)
    return Outcome(issued=issued)


def refusal(outcome: Outcome) -> PlanBridgeError:
    if outcome.retry_minutes is not None:
        minutes = outcome.retry_minutes
        unit = "minute" if minutes == 1 else "minutes"
        return RateLimited(
            f"Too many failed sign-ins. Try again in {minutes} {unit}.",
            headers={"Retry-After": str(minutes * 60)},
        )
    if outcome.sso_required:
        return SsoRequired("This account must sign in through single sign-on.")
    return InvalidCredentials("The email or password is not right.")
