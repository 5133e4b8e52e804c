"""Refuses, before routing, a request whose path or query carries a control character.

No PlanBridge path or parameter holds one, and PostgreSQL cannot even compare text with a NUL,
so the answer is the same on both databases and comes before any query: a path with a control
character names no resource (404), a parameter value with one is a 400 naming the parameter.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from planbridge.controls import describe
from planbridge.http_errors import error_response
from planbridge.integrations.secrets import looks_like_token


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = _refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _refusal(scope: Scope) -> Response | None:
    if describe(scope["path"]):
        return error_response(404, "not_found", "No such page: the path holds a control character.")
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        problem = describe(name) or describe(value)
        if problem:
            shown = "[redacted]" if looks_like_token(name) else name[:40]
            return error_response(
                400,
                "invalid_parameter",
                f"{shown}: {problem}.",
                details={"field": shown},
            )
    return None
