"""OData responses: every one carries ``OData-Version: 4.0`` exactly once; errors use the OData
JSON error body ``{"error": {"code", "message", "target", "innererror": {"hint", ...}}}``."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from typing import Any, Final

import orjson
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Engine

from planbridge.errors import PlanBridgeError
from planbridge.feeds.gate import accepts_gzip
from planbridge.feeds.odata import pieces as body_pieces

ODATA_VERSION: Final = "4.0"
JSON_TYPE: Final = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"
XML_TYPE: Final = "application/xml;charset=utf-8"
GZIP_MIN_BYTES: Final = 1024
GZIP_LEVEL: Final = 6


def headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**(extra or {}), "OData-Version": ODATA_VERSION}


def payload(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    status: int = 200,
    extra: dict[str, str] | None = None,
) -> Response:
    """``body`` gzip-compressed when the client accepts it and it is worth it."""
    sent = headers({**(extra or {}), "Vary": "Accept-Encoding"})
    if len(body) >= GZIP_MIN_BYTES and accepts_gzip(request.headers.get("accept-encoding", "")):
        body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        sent["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, media_type=media_type, headers=sent)


def pieces(
    request: Request,
    engine: Engine,
    laid_out: Sequence[body_pieces.Piece],
    *,
    extra: dict[str, str] | None = None,
) -> Response:
    """A JSON body laid out as pieces: the same bytes as :func:`json` would send (gzip: one
    member of stored DEFLATE pieces and the literals compressed here)."""
    sent = headers({**(extra or {}), "Vary": "Accept-Encoding"})
    size = body_pieces.size(laid_out)
    if size >= GZIP_MIN_BYTES and accepts_gzip(request.headers.get("accept-encoding", "")):
        sent["Content-Encoding"] = "gzip"
        return Response(body_pieces.gzip(engine, laid_out), media_type=JSON_TYPE, headers=sent)
    return Response(body_pieces.identity(engine, laid_out), media_type=JSON_TYPE, headers=sent)


def json(
    request: Request, data: Any, *, status: int = 200, extra: dict[str, str] | None = None
) -> Response:
    return payload(request, orjson.dumps(data), JSON_TYPE, status=status, extra=extra)


def text(value: str) -> Response:
    return Response(value, media_type="text/plain", headers=headers())


def error(exc: PlanBridgeError) -> Response:
    details = dict(exc.details)
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    target = details.pop("target", None)
    if target is not None:
        body["target"] = target
    inner: dict[str, Any] = {"hint": exc.hint} if exc.hint else {}
    if details:
        inner["details"] = details
    if inner:
        body["innererror"] = inner
    return Response(
        orjson.dumps({"error": body}),
        status_code=exc.status,
        media_type=JSON_TYPE,
        headers=headers(exc.headers),
    )
