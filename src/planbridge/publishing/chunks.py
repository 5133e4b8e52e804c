"""Serialize feed rows once, at publication, into stored chunks.

A chunk's ``body`` is its rows as JSON objects joined by commas, without brackets, so a feed
response is the concatenation of stored bytes and a few literal separators. ``deflate`` holds the
same bytes as raw DEFLATE ending in a sync flush: such streams concatenate into one valid
stream, which lets a gzip response be assembled without compressing anything at request time.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS
DEFLATE_LEVEL = 6
COMPRESS_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class EncodedChunk:
    seq: int
    row_count: int
    body: bytes
    deflate: bytes
    crc32: int


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=JSON_OPTIONS)


def deflate_piece(data: bytes) -> bytes:
    """Raw DEFLATE of ``data`` ending on a byte boundary (sync flush), ready to concatenate."""
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def encode(rows: Sequence[dict[str, Any]], chunk_rows: int) -> Iterator[EncodedChunk]:
    for seq, start in enumerate(range(0, len(rows), chunk_rows)):
        part = rows[start : start + chunk_rows]
        body = dumps(part)[1:-1]
        yield EncodedChunk(
            seq=seq,
            row_count=len(part),
            body=body,
            deflate=deflate_piece(body),
            crc32=zlib.crc32(body),
        )


def encode_tables(
    tables: Mapping[str, Sequence[dict[str, Any]]], chunk_rows: int
) -> dict[str, list[EncodedChunk]]:
    """``encode`` of every table, the chunks compressed on a few threads at once (zlib
    releases the GIL while it compresses, which is most of the work)."""
    bodies = {
        name: [
            (len(rows[start : start + chunk_rows]), dumps(rows[start : start + chunk_rows])[1:-1])
            for start in range(0, len(rows), chunk_rows)
        ]
        for name, rows in tables.items()
    }
    flat = [body for parts in bodies.values() for _, body in parts]
    with ThreadPoolExecutor(max_workers=COMPRESS_THREADS) as pool:
        deflated = iter(list(pool.map(deflate_piece, flat)))
    return {
        name: [
            EncodedChunk(seq, count, body, next(deflated), zlib.crc32(body))
            for seq, (count, body) in enumerate(parts)
        ]
        for name, parts in bodies.items()
    }
