"""Request body limits, enforced while the body arrives and before any route runs.

A route family (the Plan API's JSON, schedule imports, everything else: forms and data reads)
has its own limit. A declared ``Content-Length`` over the limit is refused at once, without
reading a byte; a body without one (chunked) is counted as it arrives and refused as soon as it
passes the limit. Both happen before the route runs. The large Plan API and import limits apply
only to requests whose credentials are real: a personal access token (``Authorization: Bearer
pbp_...``) that exists and is neither revoked nor expired, or (for the web app's Import page) a
live session cookie, looked up before the body is read (one indexed read, only for a request
with a body that would get a large limit). Anything else, no credentials, a made-up token, an
``Authorization: Basic`` header or another kind of token, can never send a large body there,
so it gets the small default limit: nobody without a valid token or session can make the
server hold more than that per request. The route still checks everything (the project, the
role) as before.

A refused request for a page (a path outside ``/api/`` whose ``Accept`` names HTML) is answered
with a short HTML page saying the same, with a link back to the page; others get the JSON error.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import anyio.to_thread
from fastapi import HTTPException
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge.accounts import sessions
from planbridge.context import AppContext
from planbridge.db.outage import unavailable_reason
from planbridge.http_errors import error_response
from planbridge.integrations import personal_tokens
from planbridge.settings import Settings

IMPORT_PATH = re.compile(r"^/(?:api/v1/)?projects/[^/]+/imports?/?$")
API_PREFIX = "/api/"
SESSION_COOKIE = b"pb_session="
"""``planbridge.web.auth.SESSION_COOKIE`` as it appears in a ``Cookie`` header (tested equal)."""
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    """What the limit applies to, in words: shown in the error message."""
    max_bytes: int
    setting: str
    """The ``PLANBRIDGE_*`` setting that raises it."""
    code: str = "request_too_large"

    def error(self, declared: int | None = None) -> tuple[str, str, str, dict[str, object]]:
        """Code, message, hint and details of the 413 answer."""
        details: dict[str, object] = {"max_bytes": self.max_bytes, "setting": self.setting}
        if declared is not None:
            details["bytes"] = declared
        sent = f" ({declared:,} bytes)" if declared is not None else ""
        limit = _size(self.max_bytes)
        message = f"The request body{sent} is larger than the {limit} {self.name} accepts."
        hint = f"Send a smaller body; the operator can raise PLANBRIDGE_{self.setting.upper()}."
        return self.code, message, hint, details


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body without ``Content-Length`` passes its limit.

    A FastAPI ``HTTPException``, so the body parser passes it on unchanged; the error handler
    reads ``code``, ``hint`` and ``details`` from it.
    """

    def __init__(self, family: Family) -> None:
        self.code, message, self.hint, self.details = family.error()
        super().__init__(413, detail=message, headers={"Connection": "close"})


def families(settings: Settings) -> tuple[Family, Family, Family]:
    """The import, Plan API and default families, in the order paths are matched."""
    return (
        Family(
            "a schedule import",
            settings.import_max_mb * 1024 * 1024,
            "import_max_mb",
            code="file_too_large",
        ),
        Family("a Plan API request", settings.api_body_max_mb * 1024 * 1024, "api_body_max_mb"),
        Family("this request", settings.form_body_max_kb * 1024, "form_body_max_kb"),
    )


def family_for(path: str, settings: Settings, *, authorization: bool = True) -> Family:
    """The limit for a path; ``authorization``: whether the request carries credentials."""
    imports, api, other = families(settings)
    if not authorization:
        return other
    if IMPORT_PATH.match(path):
        return imports
    if path.startswith(API_PREFIX):
        return api
    return other


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n:,} bytes"


class BodyLimitMiddleware:
    """Refuse bodies over their family's limit with 413 before the app reads them."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        path = scope["path"]
        credentials = b"authorization" in headers or (
            not path.startswith(API_PREFIX) and SESSION_COOKIE in headers.get(b"cookie", b"")
        )
        family = family_for(path, self.settings, authorization=credentials)
        if family.max_bytes > self.settings.form_body_max_kb * 1024 and scope["method"] not in (
            BODYLESS_METHODS
        ):
            context: AppContext = scope["app"].state.context
            try:
                live = await anyio.to_thread.run_sync(_credentials_live, context, path, headers)
            except SQLAlchemyError as exc:
                if unavailable_reason(exc) is None:
                    raise
                # An outage: the route answers 503 with Retry-After as on every route (raised
                # here it would be a 500); the limit stays the family's, as before the lookup.
                live = True
            if not live:
                family = unverified(self.settings)
        page = _wants_page(path, headers)
        declared = _content_length(headers)
        if declared is not None and declared > family.max_bytes:
            await _send_too_large(send, family, declared, page=page)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > family.max_bytes:
                    raise BodyTooLarge(family)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _send_too_large(send, family, page=page)


def unverified(settings: Settings) -> Family:
    """The default limit, named for a request whose token or session is not a live one."""
    return Family(
        "a request without a valid personal access token or session",
        settings.form_body_max_kb * 1024,
        "form_body_max_kb",
    )


def _credentials_live(context: AppContext, path: str, headers: dict[bytes, bytes]) -> bool:
    """A live personal access token (Plan API and its imports) or a live session cookie (the
    Import page): what earns a request its family's large limit. Read only, in a snapshot."""
    now = context.clock()
    with context.db.snapshot() as session:
        if path.startswith(API_PREFIX):
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            return personal_tokens.is_live(session, authorization, now=now)
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        secret = cookies.get(SESSION_COOKIE.decode().removesuffix("="))
        return secret is not None and sessions.is_live(session, secret, now=now)


def _content_length(headers: dict[bytes, bytes]) -> int | None:
    text = headers.get(b"content-length", b"").decode("latin-1").strip()
    return int(text) if text.isdigit() else None


def _wants_page(path: str, headers: dict[bytes, bytes]) -> str | None:
    """The page to link back to when the client is a browser on a page; else ``None``."""
    if path.startswith(API_PREFIX) or b"text/html" not in headers.get(b"accept", b""):
        return None
    return path


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Too large · PlanBridge</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main class="page" id="main"><section class="card narrow">
<h1>The file is too large</h1>
<div class="alert alert-error" role="alert">{message}</div>
<p>{hint}</p><p>Nothing was changed.</p><p><a href="{back}">Back</a></p>
</section></main></body></html>
"""


async def _send_too_large(
    send: Send, family: Family, declared: int | None = None, *, page: str | None = None
) -> None:
    code, message, hint, details = family.error(declared)
    if page is not None:
        body = PAGE.format(
            message=html.escape(message), hint=html.escape(hint), back=html.escape(page)
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    response = error_response(413, code, message, hint, details, headers={"Connection": "close"})
    await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": bytes(response.body)})
