"""Sign in, sign out and choose a password (from a one-time link)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planbridge.accounts import service as accounts
from planbridge.accounts import sessions
from planbridge.context import get_context
from planbridge.errors import InvalidInput
from planbridge.web.auth import (
    SESSION_COOKIE,
    Form,
    clear_session_cookie,
    current_or_none,
    lifetimes,
    set_session_cookie,
)
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute
from planbridge.web.security import (
    PRE_SESSION_COOKIE,
    check_origin,
    check_token,
    new_pre_session_token,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
GENERIC_REFUSAL = "The email or password is not right."
SSO_REFUSAL = (
    "This account must sign in through your organisation's single sign-on, not with a password."
)


def safe_next(value: str | None) -> str:
    """A local path to return to after sign-in; anything else goes to /projects."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
    ):
        return "/projects"
    return value


def _with_pre_session_token(
    request: Request,
    template: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    token = request.cookies.get(PRE_SESSION_COOKIE) or new_pre_session_token()
    response = render(
        request, template, status=status, headers=headers, csrf_token=token, **context
    )
    response.set_cookie(
        PRE_SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=get_context(request).settings.secure_cookies,
    )
    return response


def _check_pre_session_post(request: Request, form: dict[str, str]) -> None:
    check_origin(request, get_context(request).settings.public_url)
    check_token(form.get("csrf_token"), request.cookies.get(PRE_SESSION_COOKIE))


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if current_or_none(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _with_pre_session_token(request, "login.html", next=safe_next(next), email="")


@router.post("/login")
def login(request: Request, form: Form) -> Response:
    _check_pre_session_post(request, form)
    ctx = get_context(request)
    now = ctx.clock()
    email = form.get("email", "")
    target = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    with ctx.db.transaction() as session:
        outcome = accounts.sign_in(
            session, email=email, password=form.get("password", ""), address=address, now=now
        )
        secret = None
        if outcome.user is not None:
            secret = sessions.start(
                session,
                outcome.user,
                now=now,
                lifetimes=lifetimes(ctx.settings),
                replacing=request.cookies.get(SESSION_COOKIE),
            )
    if secret is None:
        if outcome.retry_minutes is not None:
            minutes = outcome.retry_minutes
            unit = "minute" if minutes == 1 else "minutes"
            return _with_pre_session_token(
                request,
                "login.html",
                status=429,
                headers={"Retry-After": str(minutes * 60)},
                next=target,
                email=email,
                error=f"Too many failed sign-ins. Try again in {minutes} {unit}.",
            )
        if outcome.sso_required:
            return _with_pre_session_token(
                request, "login.html", status=403, next=target, email=email, error=SSO_REFUSAL
            )
        return _with_pre_session_token(
            request, "login.html", status=400, next=target, email=email, error=GENERIC_REFUSAL
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, secret, ctx.settings)
    return response


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    ctx = get_context(request)
    check_origin(request, ctx.settings.public_url)
    current = current_or_none(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if current is not None and secret:
        check_token(form.get("csrf_token"), current.csrf_token)
        with ctx.db.transaction() as session:
            sessions.end(session, secret, now=ctx.clock())
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    clear_session_cookie(response, ctx.settings)
    return response


@router.get("/set-password")
def set_password_page(request: Request) -> Response:
    return _with_pre_session_token(request, "set_password.html")


@router.post("/set-password")
def set_password(request: Request, form: Form) -> Response:
    _check_pre_session_post(request, form)
    ctx = get_context(request)
    now = ctx.clock()
    password = form.get("password", "")
    if password != form.get("password_again", ""):
        return _with_pre_session_token(
            request, "set_password.html", status=422, error="The two passwords differ."
        )
    try:
        with ctx.db.transaction() as session:
            user = accounts.use_link(
                session, form.get("code", "").strip(), password=password, now=now
            )
            secret = sessions.start(session, user, now=now, lifetimes=lifetimes(ctx.settings))
    except InvalidInput as exc:
        return _with_pre_session_token(
            request, "set_password.html", status=422, error=exc.message, hint=exc.hint
        )
    response = RedirectResponse("/projects", status_code=303)
    set_session_cookie(response, secret, ctx.settings)
    return response
