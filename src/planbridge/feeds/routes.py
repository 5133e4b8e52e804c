"""``GET /power-bi/v1/{project_api_id}``: the Published Plans feed."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from planbridge.catalog import FEED_TABLES, METRIC_TABLES, VERSIONS, Table
from planbridge.context import AppContext
from planbridge.feeds import assemble, byte_cache
from planbridge.feeds.gate import (
    NOT_MODIFIED,
    Context,
    Credentials,
    Gate,
    ProjectApiId,
    accepts_gzip,
    admit,
    data_errors,
    matching_etags,
)

router = APIRouter(tags=["feed"])
FEED_ERRORS = data_errors()


def serve(request: Request, ctx: AppContext, gate: Gate, tables: Sequence[Table]) -> Response:
    """Lay out the body from stored chunks, answer 304 or the size error, else stream it."""
    settings = ctx.settings
    project = gate.project
    with ctx.db.transaction() as session:
        versions = assemble.recent_versions(
            session,
            project,
            params=gate.params,
            history_days=settings.history_days,
            now=gate.now,
        )
        version_ids = [v.id for v in versions]
        index = assemble.chunk_index(session, version_ids)
    doc = assemble.project_doc(project)
    body = assemble.layout(doc, gate.params, version_ids, index, tables)
    limit_bytes = gate.limit_bytes
    headers = {"ETag": body.etag, "Cache-Control": "no-store", "Vary": "Accept-Encoding"}
    if body.etag in matching_etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    assemble.check_size(
        body,
        limit_bytes=limit_bytes,
        project=doc,
        params=gate.params,
        version_ids=version_ids,
        index=index,
        tables=tables,
    )
    zip_it = accepts_gzip(request.headers.get("accept-encoding", ""))
    if zip_it:
        headers["Content-Encoding"] = "gzip"
    cache = byte_cache.for_settings(settings)
    if cache is not None:
        key = assemble.cache_key("feed", body)
        if zip_it:
            # the gzip size needs the envelope compressed (about as long as serving a cached
            # file): checked against the metadata when the file is written, then its sidecar
            found = cache.lookup(key, "json.gz")
            if found is None:
                zipped = body.gzipped()
                found = cache.get_or_build(
                    key,
                    "json.gz",
                    byte_cache.write_pieces(assemble.stream_gzip(ctx.db.engine, zipped)),
                    expected_size=zipped.size,
                )
            entry = found
        else:
            entry = cache.get_or_build(
                key,
                "json",
                byte_cache.write_pieces(assemble.stream_identity(ctx.db.engine, body)),
                expected_size=body.size,
            )
        return cache.respond(entry, headers=headers, media_type="application/json")
    if zip_it:
        zipped = body.gzipped()
        headers["Content-Length"] = str(zipped.size)
        stream = assemble.stream_gzip(ctx.db.engine, zipped)
    else:
        headers["Content-Length"] = str(body.size)
        stream = assemble.stream_identity(ctx.db.engine, body)
    return StreamingResponse(stream, media_type="application/json", headers=headers)


@router.get(
    "/power-bi/v1/{project_api_id}",
    summary="Published plans of a project as flat JSON tables",
    response_description="A JSON object: `project`, `parameters` and one array per table "
    "(see docs/feed.md). Gzip when `Accept-Encoding` allows it.",
    responses={**FEED_ERRORS, **NOT_MODIFIED},
)
def published_plans(
    request: Request, project_api_id: ProjectApiId, ctx: Context, _credentials: Credentials = None
) -> Response:
    """Versions are newest first. Query parameters: `limit` (versions, default 5),
    `resource`, `status`, `blockers`, `metrics` (true|false|1|0|yes|no, default true)."""
    gate = admit(request, ctx, project_api_id, "feed")
    return serve(request, ctx, gate, FEED_TABLES)


@router.get(
    "/power-bi/v1/{project_api_id}/metrics",
    summary="Last Planner metrics of a project's published versions",
    response_description="`project`, `parameters`, `versions` and the metric tables "
    "(see docs/metrics.md).",
    responses={**FEED_ERRORS, **NOT_MODIFIED},
)
def published_metrics(
    request: Request, project_api_id: ProjectApiId, ctx: Context, _credentials: Credentials = None
) -> Response:
    """The metric tables alone (with `versions` to relate them), same token and rules as the
    feed. Query parameter: `limit` (versions, default 5)."""
    gate = admit(request, ctx, project_api_id, "metrics")
    return serve(request, ctx, gate, (VERSIONS, *METRIC_TABLES))
