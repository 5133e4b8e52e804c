"""Reading one project's feed: new versions only, page by page, politely.

Requests go through dlt's ``requests`` client, which retries 429/502/503/504 and connection
errors and waits what ``Retry-After`` says (capped at ``max_retry_wait_s``). The token travels
only in the ``Authorization`` header; messages quote the server's error, never the request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from dlt.sources.helpers.requests import Client, Response

from planbridge import __version__
from planbridge.etl.config import FeedProject
from planbridge.etl.errors import ProjectFailed

log = logging.getLogger("planbridge.etl")

RETRY_STATUS = (429, 502, 503, 504)
MOMENT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Politeness:
    timeout_s: float = 120
    max_attempts: int = 6
    max_retry_wait_s: float = 300
    versions_per_request: int = 52


@dataclass
class Cursor:
    """How far a project has been loaded: the newest ``published_at`` and the version ids at
    that second (the feed's ``published_from`` is inclusive), plus the last ETag and the
    request it answered."""

    watermark: str | None = None
    seen: list[int] = field(default_factory=list)
    etag: str | None = None
    etag_params: dict[str, Any] | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Cursor:
        state = state or {}
        return cls(
            watermark=state.get("watermark"),
            seen=list(state.get("seen", [])),
            etag=state.get("etag"),
            etag_params=state.get("etag_params"),
        )

    def as_state(self) -> dict[str, Any]:
        return {
            "watermark": self.watermark,
            "seen": self.seen,
            "etag": self.etag,
            "etag_params": self.etag_params,
        }


@dataclass
class Page:
    """New versions from one feed response, with their rows by table."""

    project: dict[str, Any]
    versions: list[dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]]


class FeedReader:
    """Fetches one project's versions newer than its cursor."""

    def __init__(self, project: FeedProject, politeness: Politeness) -> None:
        assert project.token is not None
        self.project = project
        self.politeness = politeness
        self.waits = 0
        self._headers = {
            "Authorization": f"Bearer {project.token.get_secret_value()}",
            "Accept-Encoding": "gzip",
            "User-Agent": f"planbridge-etl/{__version__}",
        }
        self._client = Client(
            request_timeout=politeness.timeout_s,
            max_connections=2,
            raise_for_status=False,
            status_codes=RETRY_STATUS,
            request_max_attempts=politeness.max_attempts,
            request_backoff_factor=1,
            request_max_retry_delay=politeness.max_retry_wait_s,
            respect_retry_after_header=True,
            session_attrs={"hooks": {"response": [self._note_throttled]}},
        )

    def _note_throttled(self, response: Response, *_args: Any, **_kwargs: Any) -> None:
        """Counts and logs each 429/5xx answer (every attempt passes here); decides nothing."""
        if response.status_code in RETRY_STATUS:
            self.waits += 1
            log.warning(
                "project %s: HTTP %s, retrying after %s s",
                self.project.name,
                response.status_code,
                response.headers.get("Retry-After") or "a back-off of a few",
            )

    def new_pages(self, cursor: Cursor) -> Iterator[Page]:
        """Yields pages of versions not in the cursor and moves the cursor as they are read.

        Newest versions come first; older ones are paged with ``published_to``. The caller
        stores the cursor only once every page was read."""
        limit = self.politeness.versions_per_request
        base: dict[str, Any] = {}
        if cursor.watermark:
            base["published_from"] = cursor.watermark
        known = set(cursor.seen)
        newest: list[dict[str, Any]] = []
        upper: str | None = None
        first = True
        while True:
            params = {**base, "limit": limit, **({"published_to": upper} if upper else {})}
            etag = cursor.etag if first and cursor.etag_params == params else None
            response = self._get(params, etag)
            if response is None:
                return
            if response.status_code == 422 and _too_large(response):
                limit = _fitting_limit(response, limit)
                continue
            body = _json(response)
            if first:
                cursor.etag, cursor.etag_params = response.headers.get("ETag"), params
                first = False
            versions = body.get("versions", [])
            fresh = [v for v in versions if v["version_id"] not in known]
            known.update(v["version_id"] for v in versions)
            if fresh:
                newest = newest or fresh
                yield _page(body, fresh, len(fresh) != len(versions))
            if len(versions) < int(body.get("parameters", {}).get("limit", limit)):
                break
            if not fresh:
                raise ProjectFailed(
                    f"more than {limit} versions share one published_at second; cannot page"
                )
            upper = _plus_one_second(min(v["published_at"] for v in versions))
        if newest:
            _advance(cursor, newest)

    def _get(self, params: dict[str, Any], etag: str | None) -> Response | None:
        headers = dict(self._headers)
        if etag:
            headers["If-None-Match"] = etag
        try:
            response = self._client.session.get(self.project.url, params=params, headers=headers)
        except Exception as exc:
            raise ProjectFailed(
                f"cannot reach {self.project.url}: {type(exc).__name__}",
                hint="check the URL and the network",
            ) from None
        if response.status_code == 304:
            return None
        if response.status_code == 200 or (response.status_code == 422 and _too_large(response)):
            return response
        raise _failure(response)

    def close(self) -> None:
        self._client.session.close()


def _page(body: dict[str, Any], fresh: list[dict[str, Any]], filter_rows: bool) -> Page:
    ids = {v["version_id"] for v in fresh}
    tables = {
        name: [r for r in rows if r.get("version_id") in ids] if filter_rows else rows
        for name, rows in body.items()
        if name not in ("project", "parameters", "versions") and isinstance(rows, list)
    }
    tables["versions"] = fresh
    return Page(project=body["project"], versions=fresh, tables=tables)


def _advance(cursor: Cursor, newest_page: list[dict[str, Any]]) -> None:
    top = max(v["published_at"] for v in newest_page)
    at_top = [v["version_id"] for v in newest_page if v["published_at"] == top]
    if top == cursor.watermark:
        at_top = sorted({*cursor.seen, *at_top})
    cursor.watermark, cursor.seen = top, at_top


def _plus_one_second(moment: str) -> str:
    parsed = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return (parsed + dt.timedelta(seconds=1)).astimezone(dt.UTC).strftime(MOMENT)


def _json(response: Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise ProjectFailed("the feed answered with something that is not JSON") from None
    if not isinstance(body, dict):
        raise ProjectFailed("the feed answered with something that is not a feed")
    return body


def _error(response: Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _too_large(response: Response) -> bool:
    return _error(response).get("code") == "response_too_large"


def _fitting_limit(response: Response, limit: int) -> int:
    fitting = int(_error(response).get("details", {}).get("largest_fitting_limit", 0))
    if fitting < 1 or fitting >= limit:
        raise _failure(response)
    log.warning("feed too large with limit=%s; asking %s versions at a time", limit, fitting)
    return fitting


def _failure(response: Response) -> ProjectFailed:
    error = _error(response)
    code = error.get("code", "http_error")
    message = str(error.get("message") or response.reason or "no message")
    hint = str(error.get("hint", ""))
    return ProjectFailed(f"HTTP {response.status_code} {code}: {message}", hint)
