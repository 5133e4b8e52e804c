"""``HEAD`` wherever ``GET`` works: the same status and headers, no body.

Some clients, and the Power BI Service's data-source checks, send ``HEAD`` first. FastAPI routes
answer only the methods they declare, so this middleware runs a ``HEAD`` request as a ``GET``
and drops the body (a file sent by ``http.response.pathsend`` too). ``Content-Length`` stays
what the ``GET`` would send, as RFC 9110 allows.

A response that can send its headers alone (a cached file: :data:`HEAD_REQUEST` in the scope)
does so, so a ``HEAD`` of a 500 MB feed reads nothing from its file.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_REQUEST: Final = "planbridge.head_request"
"""Scope key set on a ``HEAD`` request run as ``GET``: the body will be dropped."""


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

        await self.app({**scope, "method": "GET", HEAD_REQUEST: True}, receive, headers_only)
