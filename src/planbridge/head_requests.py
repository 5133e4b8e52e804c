"""``HEAD`` wherever ``GET`` works: the same status and headers, no body.

Some clients, and the Power BI Service's data-source checks, send ``HEAD`` first. FastAPI routes
answer only the methods they declare, so this middleware runs a ``HEAD`` request as a ``GET``
and drops the body (a file sent by ``http.response.pathsend`` too). ``Content-Length`` stays
what the ``GET`` would send, as RFC 9110 allows.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def headers_only(message: Message) -> None:
            nonlocal finished
            if message["type"] not in ("http.response.body", "http.response.pathsend"):
                await send(message)
            elif not message.get("more_body", False) and not finished:
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)
