"""Browser security: response headers on every answer, forms read with a size and type check,
and CSRF tokens checked on every state-changing request.

Signed-in forms carry the session's synchronizer token (derived from the session id); the
sign-in and set-password forms, used before there is a session, use a double-submit cookie.
A request whose ``Origin`` names another site is refused before either check.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl, urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge.errors import Forbidden, InvalidInput

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {b"cross-origin-opener-policy": b"same-origin"}
"""Beyond :mod:`planbridge.response_guard`'s headers (nosniff, no-referrer, DENY, frame-ancestors),
which wrap every response of the app."""
PRE_SESSION_COOKIE = "pb_csrf"
MAX_FIELDS = 50


class CsrfRefused(Forbidden):
    code = "csrf_refused"
    default_hint = "Reload the page and submit the form again."


class SecurityHeadersMiddleware:
    """Adds the headers above and, unless a route set its own, the pages' CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in HEADERS.items():
                    if name not in present:
                        headers.append((name, value))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def read_form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (last value of a name wins)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise InvalidInput("This page accepts form submissions only.")
    body = await request.body()
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The form could not be read.") from None
    return dict(pairs)


def check_origin(request: Request, public_url: str) -> None:
    """Refuse a request that a browser says comes from another site."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Our pages send ``Referrer-Policy: no-referrer``, under which browsers post our own
        # forms with ``Origin: null``; the CSRF token is the check that decides then.
        return
    own = {_origin(public_url), _origin(str(request.base_url))}
    if origin not in own:
        raise CsrfRefused("The form was sent from another site.")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_token(sent: str | None, expected: str | None) -> None:
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("The form's security token is missing or out of date.")


def new_pre_session_token() -> str:
    return secrets.token_urlsafe(24)
