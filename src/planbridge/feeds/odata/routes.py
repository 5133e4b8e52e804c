"""OData v4 routes (``/odata/v4/{project_api_id}/``): service document, ``$metadata``, entity
sets and ``/$count``. Every data request passes the feed gate (``feeds/gate.py``,
:func:`authorize`); the service document and ``$metadata`` hold no data and answer anonymously."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Final

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from planbridge.context import AppContext
from planbridge.db.outage import unavailable_reason
from planbridge.errors import PlanBridgeError
from planbridge.feeds import assemble
from planbridge.feeds.gate import Context, Credentials, authorize
from planbridge.feeds.odata import options as query_options
from planbridge.feeds.odata import ordered, paging, pieces, responses
from planbridge.feeds.odata import rows as stored
from planbridge.feeds.odata.errors import (
    InvalidQuery,
    MethodNotAllowed,
    NotSupported,
    ResourceNotFound,
    ServerError,
)
from planbridge.feeds.odata.metadata import metadata_document, service_document
from planbridge.feeds.odata.model import ENTITY_SETS, ENTITY_SETS_BY_NAME, EntitySet
from planbridge.feeds.params import FeedParams
from planbridge.http_errors import database_unavailable
from planbridge.projects.models import Project
from planbridge.url_tokens import refuse_token_in_query

LOG = logging.getLogger("planbridge.odata")
ROOT: Final = "/odata/v4/{project_api_id}"
ALL_VERSIONS: Final = FeedParams(limit=2**31 - 1)
"""Every version inside the history window (the JSON feed's ``limit`` does not apply)."""
MAX_PAGE_SIZE: Final = re.compile(r"(?:^|[,\s])odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)

router = APIRouter(tags=["odata"])


@router.get(ROOT, include_in_schema=False)
def odata_root(
    request: Request, project_api_id: str, ctx: Context, _credentials: Credentials = None
) -> Response:
    """The service root without its trailing slash: the service document."""
    return _answer(request, ctx, project_api_id, "")


@router.get(
    ROOT + "/{resource_path:path}",
    summary="OData v4 feed: service document, $metadata, entity sets",
    response_description="OData JSON (minimal metadata), CSDL XML for `$metadata`, or a plain "
    "count for `/$count`. Errors use the OData JSON error body.",
)
def odata(
    request: Request,
    project_api_id: str,
    resource_path: str,
    ctx: Context,
    _credentials: Credentials = None,
) -> Response:
    """Entity sets page at `odata_page_size` rows with `@odata.nextLink`. Query options:
    `$filter`, `$select`, `$orderby`, `$top`, `$skip`, `$count`; see docs/odata.md."""
    return _answer(request, ctx, project_api_id, resource_path)


@router.api_route(
    ROOT + "/{resource_path:path}",
    methods=["POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def read_only(resource_path: str) -> Response:
    return responses.error(
        MethodNotAllowed("The OData feed is read-only.", headers={"Allow": "GET"})
    )


@dataclass(frozen=True, slots=True)
class Call:
    """An authorized OData request."""

    request: Request
    ctx: AppContext
    project: Project
    now: dt.datetime
    root: str
    """The service root URL, with its trailing slash."""


def _answer(request: Request, ctx: AppContext, api_id: str, path: str) -> Response:
    """Every outcome as an OData response: errors get the OData error body too."""
    try:
        return _dispatch(request, ctx, api_id, path)
    except PlanBridgeError as exc:
        return responses.error(exc)
    except SQLAlchemyError as exc:
        reason = unavailable_reason(exc)
        if reason is None:
            LOG.error("odata request failed: %s", type(exc).__name__)
            return responses.error(ServerError("Something went wrong on our side."))
        return responses.error(database_unavailable(reason))
    except Exception:
        LOG.exception("odata request failed")
        return responses.error(ServerError("Something went wrong on our side."))


def _dispatch(request: Request, ctx: AppContext, api_id: str, path: str) -> Response:
    items = request.query_params.multi_items()
    segments = [s for s in path.split("/") if s]
    root = f"{request.base_url}odata/v4/{api_id}/"
    if not segments or segments == ["$metadata"]:
        # The same for every project and free of data: answered anonymously, without a
        # database lookup or the fair-use budget, so Power BI's Service test connection
        # (which calls the bare URL) passes without "Skip test connection".
        refuse_token_in_query(items)
        if not segments:
            seen = query_options.collect(items, ("$format",))
            query_options.check_format(seen, query_options.JSON_FORMATS)
            return responses.json(request, service_document(root))
        seen = query_options.collect(items, ("$format",))
        query_options.check_format(seen, ("xml", "application/xml"))
        return responses.payload(request, metadata_document(), responses.XML_TYPE)
    passed = authorize(request, ctx, api_id)
    call = Call(request, ctx, passed.project, passed.now, root)
    entity = _entity_set(segments[0])
    if len(segments) == 2 and segments[1] == "$count":
        return _count(call, entity)
    if len(segments) > 1:
        raise NotSupported(
            f"'/{'/'.join(segments[1:])}' after an entity set is not supported.",
            target=path,
            hint="Supported: the entity set itself and its /$count.",
        )
    return _collection(call, entity)


def _entity_set(segment: str) -> EntitySet:
    name, _, key = segment.partition("(")
    entity = ENTITY_SETS_BY_NAME.get(name)
    if entity is None:
        if segment.startswith("$"):
            raise NotSupported(f"'{segment}' is not supported.", target=segment)
        raise ResourceNotFound(
            f"There is no entity set '{name}'.",
            target=segment,
            hint=f"Entity sets: {', '.join(s.name for s in ENTITY_SETS)}.",
        )
    if key:
        example = " and ".join(f"{k} eq ..." for k in entity.key)
        raise NotSupported(
            "Addressing an entity by key is not supported.",
            target=segment,
            hint=f"Use $filter instead: {name}?$filter={example}",
        )
    return entity


def _collection(call: Call, entity: EntitySet) -> Response:
    request = call.request
    options = query_options.parse(request.query_params.multi_items(), entity)
    cursor = None
    if options.skiptoken is not None:
        if options.top is not None or options.skip:
            raise InvalidQuery(
                "$top and $skip cannot be combined with $skiptoken: the token carries them.",
                target="$skiptoken",
                hint="Follow @odata.nextLink exactly as given.",
            )
        cursor = paging.decode(options.skiptoken, paging.query_id(entity, options))
    source, snapshot = _source(call, entity, None if cursor is None else cursor.snapshot)
    page_size, applied = _page_size(call)
    page = paging.page(
        source,
        options,
        page_size=page_size,
        cursor=cursor,
        snapshot=snapshot,
        raw=options.select is None,
    )
    context = f"{call.root}$metadata#{entity.name}"
    rows = page.rows
    if page.pieces is not None and options.select is not None:
        rows = orjson.loads(b"[" + pieces.identity(source.engine, page.pieces) + b"]")
    if options.select is not None:
        context += f"({','.join(options.select)})"
        rows = [{name: row[name] for name in options.select} for row in rows]
    head: dict[str, Any] = {"@odata.context": context}
    if page.count is not None:
        head["@odata.count"] = page.count
    link = None
    if page.next is not None:
        link = _next_link(call, entity, options, paging.encode(page.next))
    extra = {"Preference-Applied": f"odata.maxpagesize={page_size}"} if applied else None
    if page.pieces is None or options.select is not None:
        body: dict[str, Any] = {**head, "value": rows}
        if link is not None:
            body["@odata.nextLink"] = link
        return responses.json(request, body, extra=extra)
    # The same bytes as orjson.dumps of the body above, laid out around the stored rows.
    tail = b"]" + (b"" if link is None else b',"@odata.nextLink":' + orjson.dumps(link)) + b"}"
    laid_out = pieces.join([orjson.dumps(head)[:-1] + b',"value":[', *page.pieces, tail])
    return responses.pieces(request, source.engine, laid_out, extra=extra)


def _count(call: Call, entity: EntitySet) -> Response:
    allowed = tuple(o for o in query_options.SUPPORTED if o not in ("$skiptoken", "$count"))
    items = call.request.query_params.multi_items()
    query_options.collect(items, allowed)
    options = query_options.parse(items, entity)
    source, _ = _source(call, entity, None)
    return responses.text(str(paging.count(source, options.predicate)))


def _source(call: Call, entity: EntitySet, snapshot: int | None) -> tuple[paging.Source, int]:
    """The entity set's chunks in the history window (versions up to ``snapshot`` if given)."""
    ctx = call.ctx
    with ctx.db.transaction() as session:
        versions = assemble.recent_versions(
            session,
            call.project,
            params=ALL_VERSIONS,
            history_days=ctx.settings.history_days,
            now=call.now,
        )
        ids = [v.id for v in versions if snapshot is None or v.id <= snapshot]
        chunks = stored.chunk_plan(session, ids, entity.table.name)
    source = paging.Source(
        ctx.db.engine, chunks, _cache(call.request), entity, _order_cache(call.request)
    )
    return source, snapshot if snapshot is not None else max(ids, default=0)


def _page_size(call: Call) -> tuple[int, bool]:
    """The setting, lowered by ``Prefer: odata.maxpagesize=N`` (then reported as applied)."""
    size = call.ctx.settings.odata_page_size
    match = MAX_PAGE_SIZE.search(call.request.headers.get("prefer", ""))
    if match is None or int(match.group(1)) < 1:
        return size, False
    return min(size, int(match.group(1))), True


def _next_link(call: Call, entity: EntitySet, options: query_options.Options, token: str) -> str:
    pairs = [*options.kept, ("$skiptoken", token)]
    query = urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote, safe="$,'()*:")
    return f"{call.root}{entity.name}?{query}"


_CACHE_LOCK = threading.Lock()


def _cache(request: Request) -> stored.RowCache:
    """The application's row cache (one per app, so one per database), made on first use."""
    state = request.app.state
    with _CACHE_LOCK:
        cache: stored.RowCache | None = getattr(state, "odata_row_cache", None)
        if cache is None:
            cache = stored.RowCache()
            state.odata_row_cache = cache
    return cache


def _order_cache(request: Request) -> ordered.OrderCache:
    """The application's cache of sorted sets ($orderby), made on first use."""
    state = request.app.state
    with _CACHE_LOCK:
        cache: ordered.OrderCache | None = getattr(state, "odata_order_cache", None)
        if cache is None:
            cache = ordered.OrderCache()
            state.odata_order_cache = cache
    return cache
