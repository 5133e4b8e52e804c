"""A page's JSON body as pieces, sent without re-serializing rows.

A piece is literal JSON text, a whole stored chunk (its ``body``, or its ``deflate`` for gzip,
read from the database) or a :class:`Deflated` run held in memory (an ordered set's run). Rows
are stored as the bytes ``orjson`` writes for them, and a row parsed and written again gives
the same bytes, so a page laid out from pieces is byte for byte the page built from parsed
rows. A gzip answer is one gzip member: stored and cached runs are already raw DEFLATE ending
in a sync flush, only the literals are compressed here, and the CRC-32 is combined from the
pieces' CRCs.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from planbridge.feeds import gzip_framing
from planbridge.feeds.odata.rows import ChunkInfo
from planbridge.publishing.chunks import deflate_piece
from planbridge.publishing.store import chunk_bytes


@dataclass(frozen=True, slots=True, eq=False)
class Deflated:
    """Rows as raw DEFLATE ending in a sync flush, with the CRC-32 and size of the raw bytes."""

    deflate: bytes
    crc32: int
    raw_size: int

    @classmethod
    def of(cls, raw: bytes, level: int) -> Deflated:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        deflate = compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(deflate, zlib.crc32(raw), len(raw))

    def inflate(self) -> bytes:
        return zlib.decompressobj(-15).decompress(self.deflate)


Piece = bytes | ChunkInfo | Deflated


def join(parts: Sequence[Piece]) -> list[Piece]:
    """``parts`` with adjacent literals merged (fewer, larger DEFLATE blocks)."""
    out: list[Piece] = []
    for part in parts:
        if isinstance(part, bytes) and out and isinstance(out[-1], bytes):
            out[-1] = out[-1] + part
        elif not isinstance(part, bytes) or part:
            out.append(part)
    return out


def size(pieces: Sequence[Piece]) -> int:
    return sum(len(p) if isinstance(p, bytes) else p.raw_size for p in pieces)


def _stored(engine: Engine, pieces: Sequence[Piece], column: str) -> dict[int, bytes]:
    ids = [p.id for p in pieces if isinstance(p, ChunkInfo)]
    if not ids:
        return {}
    with engine.connect() as connection:
        return chunk_bytes(connection, ids, "body" if column == "body" else "deflate")


def identity(engine: Engine, pieces: Sequence[Piece]) -> bytes:
    found = _stored(engine, pieces, "body")
    out: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, bytes):
            out.append(piece)
        elif isinstance(piece, ChunkInfo):
            out.append(found[piece.id])
        else:
            out.append(piece.inflate())
    return b"".join(out)


def gzip(engine: Engine, pieces: Sequence[Piece]) -> bytes:
    """One gzip member of the pieces' bytes."""
    found = _stored(engine, pieces, "deflate")
    out: list[bytes] = [gzip_framing.HEADER]
    crc = 0
    total = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            crc = gzip_framing.crc32_combine(crc, zlib.crc32(piece), len(piece))
            total += len(piece)
            out.append(deflate_piece(piece))
            continue
        crc = gzip_framing.crc32_combine(crc, piece.crc32, piece.raw_size)
        total += piece.raw_size
        out.append(found[piece.id] if isinstance(piece, ChunkInfo) else piece.deflate)
    out.append(gzip_framing.FINAL_BLOCK + gzip_framing.trailer(crc, total))
    return b"".join(out)
