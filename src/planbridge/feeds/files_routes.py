"""CSV and XLSX downloads of feed tables (``/power-bi/v1/{project_api_id}/tables/...``).

Same token, checks, parameters, history limit and fair use as the JSON feed (``admit``); the
rows are the JSON feed's rows for the same parameters, read from the same stored chunks.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from planbridge import errors
from planbridge.catalog import FEED_TABLES, FEED_TABLES_BY_NAME, Table
from planbridge.catalog.params import BOM
from planbridge.context import AppContext
from planbridge.feeds import assemble, byte_cache, params
from planbridge.feeds.files import csv_export, rows, xlsx_export
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

router = APIRouter(tags=["files"])

SPOOL_BYTES = 8 * 1024 * 1024
"""A workbook up to this size is zipped in memory, a larger one in a temporary file."""
STREAM_BLOCK_BYTES = 64 * 1024


class TableNotFound(errors.NotFound):
    code = "table_not_found"


FILE_ERRORS = data_errors(TableNotFound)
TableName = Annotated[
    str, Path(max_length=64, description="A feed table, e.g. `tasks` (docs/feed.md).")
]


@router.get(
    "/power-bi/v1/{project_api_id}/tables/{table}.csv",
    summary="One feed table as CSV",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "RFC 4180 CSV, UTF-8."},
        **FILE_ERRORS,
        **NOT_MODIFIED,
    },
)
def table_csv(
    request: Request,
    project_api_id: ProjectApiId,
    table: TableName,
    ctx: Context,
    _credentials: Credentials = None,
) -> Response:
    """The JSON feed's rows of one table, streamed as CSV with a header row. Parameters are the
    feed's (`limit`, `published_from`, `published_to`, flags) plus `bom` (default true: a UTF-8
    byte-order mark so Excel reads accents right)."""
    gate = admit(request, ctx, project_api_id, "csv")
    wanted = _table(table, gate.params)
    raw_bom = request.query_params.get("bom")
    bom = BOM.default is True if raw_bom is None else params.parse_bool(BOM.name, raw_bom)
    extract = _extract(ctx, gate, [wanted])
    neutralise = ctx.settings.csv_neutralise_formulas
    headers = _cache_headers(
        extract.etag("csv", f"bom={bom}", f"neutralise={neutralise}", gate.project.code)
    )
    headers["Vary"] = "Accept-Encoding"
    if headers["ETag"] in matching_etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    zip_it = accepts_gzip(request.headers.get("accept-encoding", ""))
    if zip_it:
        headers["Content-Encoding"] = "gzip"
    headers = _attachment(headers, gate.project.code, f"{wanted.name}.csv")

    def pieces() -> Iterator[bytes]:
        written = csv_export.csv_bytes(
            wanted,
            rows.read_rows(ctx.db.engine, extract.chunks[wanted.name]),
            bom=bom,
            neutralise=neutralise,
        )
        return csv_export.gzipped(written) if zip_it else written

    cache = byte_cache.for_settings(ctx.settings)
    if cache is not None:
        entry = cache.get_or_build(
            extract.cache_key(headers["ETag"]),
            "csv.gz" if zip_it else "csv",
            byte_cache.write_pieces(pieces()),
        )
        return cache.respond(entry, headers=headers, media_type=csv_export.MEDIA_TYPE)
    return StreamingResponse(pieces(), media_type=csv_export.MEDIA_TYPE, headers=headers)


@router.get(
    "/power-bi/v1/{project_api_id}/tables/{table}.xlsx",
    summary="One feed table as an Excel workbook",
    response_class=StreamingResponse,
    responses={
        200: {"content": {xlsx_export.MEDIA_TYPE: {}}, "description": "One sheet, one table."},
        **FILE_ERRORS,
        **NOT_MODIFIED,
    },
)
def table_xlsx(
    request: Request,
    project_api_id: ProjectApiId,
    table: TableName,
    ctx: Context,
    _credentials: Credentials = None,
) -> Response:
    """The JSON feed's rows of one table on one sheet, formatted as an Excel table with typed
    cells. Parameters are the feed's."""
    gate = admit(request, ctx, project_api_id, "xlsx")
    return _workbook(request, ctx, gate, [_table(table, gate.params)], name=table)


@router.get(
    "/power-bi/v1/{project_api_id}/tables.xlsx",
    summary="Every feed table as one Excel workbook",
    response_class=StreamingResponse,
    responses={
        200: {"content": {xlsx_export.MEDIA_TYPE: {}}, "description": "A sheet per table."},
        **FILE_ERRORS,
        **NOT_MODIFIED,
    },
)
def tables_xlsx(
    request: Request, project_api_id: ProjectApiId, ctx: Context, _credentials: Credentials = None
) -> Response:
    """One sheet per table the flags keep (`resource`, `status`, `blockers`, `metrics`), each an
    Excel table with typed cells, in the JSON feed's order."""
    gate = admit(request, ctx, project_api_id, "xlsx")
    kept = [t for t in FEED_TABLES if t.flag is None or gate.params.flag(t.flag)]
    return _workbook(request, ctx, gate, kept, name="tables")


def _table(name: str, wanted: params.FeedParams) -> Table:
    table = FEED_TABLES_BY_NAME.get(name)
    if table is None:
        available = list(FEED_TABLES_BY_NAME)
        raise TableNotFound(
            f"No feed table named '{name}'.",
            hint=f"Available tables: {', '.join(available)}.",
            details={"available_tables": available},
        )
    if table.flag is not None and not wanted.flag(table.flag):
        raise errors.InvalidParameter(
            f"Table '{name}' is switched off by {table.flag}=false.",
            hint=f"Leave out {table.flag}=false to download this table.",
        )
    return table


def _extract(ctx: AppContext, gate: Gate, tables: Sequence[Table]) -> rows.Extract:
    with ctx.db.transaction() as session:
        versions = assemble.recent_versions(
            session,
            gate.project,
            params=gate.params,
            history_days=ctx.settings.history_days,
            now=gate.now,
        )
        return rows.extract(session, [v.id for v in versions], [t.name for t in tables])


def _cache_headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": "no-store"}


def _workbook(
    request: Request, ctx: AppContext, gate: Gate, tables: Sequence[Table], *, name: str
) -> Response:
    extract = _extract(ctx, gate, tables)
    headers = _cache_headers(extract.etag("xlsx", gate.project.code))
    if headers["ETag"] in matching_etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    xlsx_export.check_bounds(
        extract, tables, params=gate.params, max_cells=xlsx_export.XLSX_MAX_CELLS
    )
    title = f"{gate.project.code} published plans"

    def write(out: IO[bytes]) -> None:
        sheets = [
            xlsx_export.Sheet(t, rows.read_rows(ctx.db.engine, extract.chunks[t.name]))
            for t in tables
        ]
        xlsx_export.write_workbook(out, sheets, title=title)

    headers = _attachment(headers, gate.project.code, f"{name}.xlsx")
    cache = byte_cache.for_settings(ctx.settings)
    if cache is not None:
        entry = cache.get_or_build(extract.cache_key(headers["ETag"]), "xlsx", write)
        return cache.respond(entry, headers=headers, media_type=xlsx_export.MEDIA_TYPE)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by _blocks)
    try:
        write(out)
        headers["Content-Length"] = str(out.tell())
    except BaseException:
        out.close()
        raise
    return StreamingResponse(_blocks(out), media_type=xlsx_export.MEDIA_TYPE, headers=headers)


def _blocks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while block := handle.read(STREAM_BLOCK_BYTES):
            yield block
    finally:
        handle.close()


def _attachment(headers: dict[str, str], code: str, suffix: str) -> dict[str, str]:
    """``Content-Disposition: attachment; filename="<code>-<suffix>"``, ASCII-safe, with the
    UTF-8 name as ``filename*`` when the project code needs it (RFC 6266)."""
    name = f"{code}-{suffix}"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return {**headers, "Content-Disposition": value}
