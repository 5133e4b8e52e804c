"""Single sign-on pages: ``/login/sso`` leaves for the organisation's OpenID Connect provider,
``/login/sso/callback`` comes back, checks ``state`` and the ID token, and starts a session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planbridge.accounts import sessions
from planbridge.context import get_context
from planbridge.oauth import federation
from planbridge.web.auth import SESSION_COOKIE, lifetimes, set_session_cookie
from planbridge.web.auth_routes import safe_next
from planbridge.web.routing import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ATTEMPT_COOKIE = "pb_sso"
NEXT_COOKIE = "pb_sso_next"
ATTEMPT_SECONDS = 600


def _callback_url(request: Request) -> str:
    return get_context(request).settings.public_url + "/login/sso/callback"


@router.get("/login/sso")
def leave(request: Request, next: str | None = None) -> Response:
    ctx = get_context(request)
    idp = federation.provider(ctx.settings)
    url, attempt = federation.start(idp, _callback_url(request))
    response = RedirectResponse(url, status_code=303)
    for name, value in ((ATTEMPT_COOKIE, attempt.cookie()), (NEXT_COOKIE, safe_next(next))):
        response.set_cookie(
            name,
            value,
            max_age=ATTEMPT_SECONDS,
            path="/login/sso",
            httponly=True,
            samesite="lax",
            secure=ctx.settings.secure_cookies,
        )
    return response


@router.get("/login/sso/callback")
def come_back(
    request: Request, code: str = "", state: str = "", error: str | None = None
) -> Response:
    ctx = get_context(request)
    attempt = federation.Attempt.from_cookie(request.cookies.get(ATTEMPT_COOKIE))
    if error:
        raise federation.SsoFailed(f"The sign-in provider answered: {error[:100]}.")
    if attempt is None or not state or state != attempt.state or not code:
        raise federation.SsoFailed("This sign-in link is not valid here (its state differs).")
    idp = federation.provider(ctx.settings)
    email = federation.finish(idp, attempt, code=code, redirect_uri=_callback_url(request))
    now = ctx.clock()
    address = request.client.host if request.client else "unknown"
    with ctx.db.transaction() as session:
        user = federation.account_for(session, email, address=address)
        secret = sessions.start(
            session,
            user,
            now=now,
            lifetimes=lifetimes(ctx.settings),
            replacing=request.cookies.get(SESSION_COOKIE),
        )
    response = RedirectResponse(safe_next(request.cookies.get(NEXT_COOKIE)), status_code=303)
    set_session_cookie(response, secret, ctx.settings)
    for name in (ATTEMPT_COOKIE, NEXT_COOKIE):
        response.delete_cookie(name, path="/login/sso")
    return response
