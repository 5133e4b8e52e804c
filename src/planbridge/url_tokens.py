"""A token in a URL is refused before anything else looks at the request (URLs end up in logs,
browser history and proxies). Shared by the feeds, OData and the Plan API."""

from __future__ import annotations

from collections.abc import Sequence

from planbridge.errors import TokenInQuery
from planbridge.integrations.secrets import looks_like_token

TOKEN_PARAM_NAMES = frozenset({"token", "access_token", "api_key", "apikey", "key", "bearer"})


def refuse_token_in_query(items: Sequence[tuple[str, str]]) -> None:
    for key, value in items:
        if key.lower() in TOKEN_PARAM_NAMES or looks_like_token(value) or looks_like_token(key):
            raise TokenInQuery("A token was sent in the query string; it is refused.")
