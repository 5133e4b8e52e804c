"""The expiry notice on data responses: a feed, metrics, files or OData request made with a
feed token that expires within :data:`~planbridge.integrations.token_core.EXPIRY_NOTICE_DAYS`
days carries two response headers, so whoever looks at a refresh (Power Query's diagnostics,
an ETL log, ``curl -i``) sees it coming::

    PlanBridge-Token-Expires-In-Days: 5
    PlanBridge-Token-Expires-At: 2026-12-06T15:00:00Z

Days are whole days rounded up (a token expiring in an hour has 1 day left). The headers never
carry the token or its name. The gate notes the token on the request (:func:`note`); the
middleware adds the headers to whatever response follows, errors after the token check
included (a fair-use 429 still says the token is about to expire).
"""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge.integrations.token_core import EXPIRY_NOTICE_DAYS, Expiring, days_left, iso

DAYS_HEADER = "PlanBridge-Token-Expires-In-Days"
AT_HEADER = "PlanBridge-Token-Expires-At"
_STATE_KEY = "planbridge_token_expiry"


def note(request: Request, token: Expiring, now: dt.datetime) -> None:
    """Remember on ``request`` that its token expires soon (nothing when it does not)."""
    left = days_left(token, now)
    if left is not None and left <= EXPIRY_NOTICE_DAYS:
        request.scope.setdefault("state", {})[_STATE_KEY] = (left, iso(token.expires_at))


class TokenExpiryHeaderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def with_notice(message: Message) -> None:
            if message["type"] == "http.response.start" and _STATE_KEY in state:
                left, expires_at = state[_STATE_KEY]
                headers = MutableHeaders(scope=message)
                headers[DAYS_HEADER] = str(left)
                headers[AT_HEADER] = expires_at
            await send(message)

        await self.app(scope, receive, with_notice)
