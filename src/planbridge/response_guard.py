"""One middleware for what every response must carry and must not carry.

- **Headers everywhere**: ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'`` in the Content-Security-Policy.
- **No caching of plan data**: every response under the data prefixes (feed, metrics, files,
  OData, Plan API) and every response to a request with credentials is ``no-store``: no browser
  or shared cache may keep it. ETag/304 still works for clients that keep their own copy.
- **No secret echoed**: an error body never carries anything shaped like a PlanBridge token
  (a token pasted into a path would otherwise come back in a 404 message).
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge.integrations import secrets
from planbridge.security_headers import FRAME_ANCESTORS, SECURITY_HEADERS

DATA_PREFIXES = ("/power-bi/", "/odata/", "/api/")
TOKEN_SHAPE = re.compile(secrets.TOKEN_SHAPE.pattern.encode())
REDACTED = b"[redacted]"


def guard_headers(headers: MutableHeaders, *, no_store: bool) -> None:
    """Add the security headers (and ``no-store`` for data) to a response's headers."""
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    policy = headers.get("content-security-policy")
    if policy is None:
        headers["Content-Security-Policy"] = FRAME_ANCESTORS
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"
    if no_store:
        headers["Cache-Control"] = "no-store"


def is_data_request(scope: Scope) -> bool:
    if str(scope.get("path", "")).startswith(DATA_PREFIXES):
        return True
    return any(name == b"authorization" for name, _ in scope.get("headers") or ())


class ResponseGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = is_data_request(scope)
        held: list[Message] = []
        body = bytearray()

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                guard_headers(MutableHeaders(scope=message), no_store=no_store)
                if message["status"] < 400:
                    await send(message)
                else:
                    held.append(message)
                return
            if not held or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            start = held.pop()
            clean = TOKEN_SHAPE.sub(REDACTED, bytes(body))
            headers = MutableHeaders(scope=start)
            if len(clean) != len(body) and "content-length" in headers:
                # only when something was redacted: a HEAD answer keeps the GET's length
                headers["Content-Length"] = str(len(clean))
            await send(start)
            await send({"type": "http.response.body", "body": clean, "more_body": False})

        await self.app(scope, receive, guarded_send)
