"""The OAuth consent screen (``/oauth/authorize``) and the user's own sign-ins
(``/account/sign-ins``): list browser sessions and application grants, and end any of them.

The authorization request is checked by the authorization server (``planbridge.oauth``) before
the page is shown and again when the form comes back; a request whose client or redirect URI is
wrong is answered here and never redirected (RFC 6749 section 4.1.2.1).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from planbridge.context import get_context
from planbridge.errors import InvalidInput
from planbridge.oauth import service as oauth
from planbridge.oauth.routes import build_request, oauth_request
from planbridge.oauth.server import Request as OAuthRequest
from planbridge.oauth.server import Server
from planbridge.web.auth import Form, Posted, SignedIn
from planbridge.web.rendering import render
from planbridge.web.routing import PageRoute
from planbridge.web.security import PAGE_POLICY

router = APIRouter(route_class=PageRoute, include_in_schema=False)
REQUEST_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _refused(
    request: Request, server: Server, oauth_req: OAuthRequest, error: OAuth2Error
) -> Response:
    if error.redirect_uri:
        response: Response = server.handle_error_response(oauth_req, error)
        return response
    return render(
        request,
        "error.html",
        status=400,
        title="This sign-in request cannot be accepted",
        message=f"{error.error}: {error.description}",
        hint="The application that sent you here is misconfigured; tell its owner. "
        "Nothing was shared.",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@router.get("/oauth/authorize")
async def authorize_page(request: Request, current: SignedIn) -> Response:
    ctx = get_context(request)
    oauth_req = await oauth_request(request)
    with ctx.db.transaction() as session:
        server = Server(session, ctx.settings, ctx.clock())
        try:
            grant = server.get_consent_grant(oauth_req, end_user=current.user)
        except OAuth2Error as error:
            return _refused(request, server, oauth_req, error)
        client_name = grant.request.client.row.name
    data = oauth_req.payload.data
    redirect_uri = data["redirect_uri"]
    policy = PAGE_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {_origin(redirect_uri)}"
    )
    return render(
        request,
        "consent.html",
        current=current,
        headers={"Content-Security-Policy": policy},
        client_name=client_name,
        redirect_host=urlsplit(redirect_uri).netloc,
        grant_days=ctx.settings.oauth_grant_max_days,
        params=[(name, data[name]) for name in REQUEST_FIELDS if name in data],
    )


@router.post("/oauth/authorize")
def authorize(request: Request, current: Posted, form: Form) -> Response:
    """The consent form came back: Allow issues a one-time code, Deny ``access_denied``; both
    redirect to the client's (re-checked) redirect URI with its ``state``."""
    ctx = get_context(request)
    items = [(name, form[name]) for name in REQUEST_FIELDS if name in form]
    oauth_req = build_request(request, [], items)
    allowed = form.get("decision") == "allow"
    with ctx.db.transaction() as session:
        server = Server(session, ctx.settings, ctx.clock())
        try:
            grant = server.get_consent_grant(oauth_req, end_user=current.user)
        except OAuth2Error as error:
            return _refused(request, server, oauth_req, error)
        response: Response = server.create_authorization_response(
            oauth_req, grant_user=current.user if allowed else None, grant=grant
        )
    return response


@router.get("/account/sign-ins")
def sign_ins_page(request: Request, current: SignedIn, ended: int = 0) -> Response:
    ctx = get_context(request)
    with ctx.db.transaction() as session:
        rows = oauth.sign_ins(session, current.user, now=ctx.clock())
    return render(
        request,
        "sign_ins.html",
        current=current,
        rows=rows,
        notice="Signed out." if ended else None,
    )


@router.post("/account/sign-ins/revoke")
def revoke_sign_in(request: Request, current: Posted, form: Form) -> Response:
    ctx = get_context(request)
    kind = form.get("kind", "")
    raw_id = form.get("id", "")
    if kind not in ("browser", "oauth", "basic") or not raw_id.isdigit() or len(raw_id) > 12:
        raise InvalidInput("The sign-in to end is not named right.")
    with ctx.db.transaction() as session:
        oauth.revoke_sign_in(session, current.user, kind=kind, item_id=int(raw_id), now=ctx.clock())
    return RedirectResponse("/account/sign-ins?ended=1", status_code=303)
