"""Who is asking: the session cookie resolved to a user, and the checks a posted form passes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from planbridge.accounts import sessions
from planbridge.accounts.sessions import Current, Lifetimes
from planbridge.actors import WEB, Actor
from planbridge.context import get_context
from planbridge.settings import Settings
from planbridge.web.security import check_origin, check_token, read_form

SESSION_COOKIE = "pb_session"


class SignInRequired(Exception):
    """Raised by page dependencies when no live session; answered with a redirect to /login."""


def lifetimes(settings: Settings) -> Lifetimes:
    return Lifetimes(
        idle=dt.timedelta(hours=settings.session_idle_hours),
        absolute=dt.timedelta(days=settings.session_max_days),
    )


def current_or_none(request: Request) -> Current | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        return sessions.resume(session, secret, now=ctx.clock(), lifetimes=lifetimes(ctx.settings))


def signed_in(request: Request) -> Current:
    current = current_or_none(request)
    if current is None:
        raise SignInRequired
    return current


Form = Annotated[dict[str, str], Depends(read_form)]


def checked_post(request: Request, form: Form) -> Current:
    """The signed-in user of a form post whose origin and CSRF token are right."""
    check_origin(request, get_context(request).settings.public_url)
    current = signed_in(request)
    check_token(form.get("csrf_token"), current.csrf_token)
    return current


SignedIn = Annotated[Current, Depends(signed_in)]
Posted = Annotated[Current, Depends(checked_post)]


def actor(current: Current) -> Actor:
    return Actor(label=current.user.email, user_id=current.user.id, via=WEB)


def set_session_cookie(response: Response, secret: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_max_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
