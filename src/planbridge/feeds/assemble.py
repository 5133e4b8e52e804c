"""Lay out a feed body from stored chunks: sizes, ETag and advice come from metadata alone.

A body is a list of pieces: literal bytes (the envelope, separators) and references to stored
chunks. Its exact size, its ETag and, when it is too large, the advice on how to shrink it are
all computed before a single chunk body is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from planbridge.catalog import FEED_TABLES, Table
from planbridge.errors import InvalidParameter, ResponseTooLarge
from planbridge.feeds import byte_cache, gzip_framing
from planbridge.feeds.params import BOOL_FLAGS, FeedParams
from planbridge.projects.models import Project
from planbridge.publishing.chunks import deflate_piece, dumps
from planbridge.publishing.models import Version, VersionChunk

READ_BATCH_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ChunkRef:
    id: int
    raw_size: int
    deflate_size: int
    crc32: int


Piece = bytes | ChunkRef
ChunkIndex = dict[tuple[int, str], list[ChunkRef]]


@dataclass(frozen=True, slots=True)
class FeedBody:
    pieces: tuple[Piece, ...]
    size: int
    etag: str

    def gzipped(self) -> GzipBody:
        """The same body as one gzip member: literals compressed here, once; stored chunks
        already are. The CRC-32 of the whole is combined from the pieces' CRCs."""
        parts: list[Piece] = []
        crc = 0
        wire = len(gzip_framing.HEADER) + len(gzip_framing.FINAL_BLOCK) + gzip_framing.TRAILER_SIZE
        for piece in self.pieces:
            if isinstance(piece, ChunkRef):
                crc = gzip_framing.crc32_combine(crc, piece.crc32, piece.raw_size)
                wire += piece.deflate_size
                parts.append(piece)
            else:
                crc = gzip_framing.crc32_combine(crc, zlib.crc32(piece), len(piece))
                deflated = deflate_piece(piece)
                wire += len(deflated)
                parts.append(deflated)
        trailer = gzip_framing.FINAL_BLOCK + gzip_framing.trailer(crc, self.size)
        return GzipBody(pieces=(gzip_framing.HEADER, *parts, trailer), size=wire)


@dataclass(frozen=True, slots=True)
class GzipBody:
    """A gzip member as pieces: compressed literals and references to stored DEFLATE chunks."""

    pieces: tuple[Piece, ...]
    size: int


def project_doc(project: Project) -> dict[str, Any]:
    return {
        "id": project.api_id,
        "code": project.code,
        "name": project.name,
        "timezone": project.timezone,
        "tier": project.tier.value,
    }


def recent_versions(
    session: Session,
    project: Project,
    *,
    params: FeedParams,
    history_days: int,
    now: dt.datetime,
) -> list[Version]:
    """Newest first, inside the requested range, never older than the history limit."""
    cutoff = now - dt.timedelta(days=history_days)
    query = select(Version).where(Version.project_id == project.id, Version.published_at >= cutoff)
    if params.published_from is not None:
        query = query.where(Version.published_at >= params.published_from)
    if params.published_to is not None:
        query = query.where(Version.published_at < params.published_to)
    order = (Version.published_at.desc(), Version.number.desc())
    if not params.whole_range:
        return list(session.scalars(query.order_by(*order).limit(params.limit)))
    found = list(session.scalars(query.order_by(*order).limit(params.limit + 1)))
    if len(found) > params.limit:
        raise InvalidParameter(
            f"More than {params.limit} versions were published in the requested range; one "
            f"request returns at most {params.limit}.",
            hint="Ask for a shorter range (published_from, published_to): in Power BI, a "
            "shorter incremental refresh period (months or days, not years); or give limit "
            "to get only the newest versions of the range.",
        )
    return found


def chunk_index(session: Session, version_ids: Sequence[int]) -> ChunkIndex:
    index: ChunkIndex = defaultdict(list)
    rows = session.execute(
        select(
            VersionChunk.id,
            VersionChunk.version_id,
            VersionChunk.table_name,
            VersionChunk.raw_size,
            VersionChunk.deflate_size,
            VersionChunk.crc32,
        )
        .where(VersionChunk.version_id.in_(version_ids))
        .order_by(VersionChunk.version_id, VersionChunk.table_name, VersionChunk.seq)
    )
    for r in rows:
        index[(r.version_id, r.table_name)].append(
            ChunkRef(r.id, r.raw_size, r.deflate_size, r.crc32)
        )
    return index


def layout(
    project: dict[str, Any],
    params: FeedParams,
    version_ids: Sequence[int],
    index: ChunkIndex,
    tables: Sequence[Table] = FEED_TABLES,
) -> FeedBody:
    pieces: list[Piece] = []
    literal = bytearray(
        b'{"project":' + dumps(project) + b',"parameters":' + dumps(params.as_dict())
    )
    for table in tables:
        literal += b',"' + table.name.encode() + b'":['
        if table.flag is None or params.flag(table.flag):
            first = True
            for version_id in version_ids:
                for ref in index.get((version_id, table.name), ()):
                    if not first:
                        literal += b","
                    first = False
                    pieces.append(bytes(literal))
                    literal.clear()
                    pieces.append(ref)
        literal += b"]"
    literal += b"}"
    pieces.append(bytes(literal))
    size = sum(p.raw_size if isinstance(p, ChunkRef) else len(p) for p in pieces)
    digest = hashlib.sha256()
    for p in pieces:
        digest.update(b"c%d;" % p.id if isinstance(p, ChunkRef) else p)
    return FeedBody(tuple(pieces), size, f'W/"{digest.hexdigest()[:32]}"')


def cache_key(kind: str, body: FeedBody) -> str:
    """The byte-cache key of a body: its literals and, per chunk, id and content fingerprint."""
    key = byte_cache.Key(kind)
    for piece in body.pieces:
        if isinstance(piece, ChunkRef):
            key.chunk(piece.id, piece.crc32, piece.raw_size, piece.deflate_size)
        else:
            key.add(piece)
    return key.hexdigest()


def check_size(
    body: FeedBody,
    *,
    limit_bytes: int,
    project: dict[str, Any],
    params: FeedParams,
    version_ids: Sequence[int],
    index: ChunkIndex,
    tables: Sequence[Table] = FEED_TABLES,
) -> None:
    """Raise :class:`ResponseTooLarge` with the largest fitting ``limit`` and shrinking flags."""
    if body.size <= limit_bytes:
        return
    fitting = 0
    for n in range(len(version_ids) - 1, 0, -1):
        smaller = replace(params, limit=n)
        if layout(project, smaller, version_ids[:n], index, tables).size <= limit_bytes:
            fitting = n
            break
    flags: list[dict[str, Any]] = []
    for flag in BOOL_FLAGS:
        if flag in params.allowed and params.flag(flag):
            fewer = params.without(flag)
            size = layout(project, fewer, version_ids, index, tables).size
            flags.append(
                {"parameter": f"{flag}=false", "size_bytes": size, "fits": size <= limit_bytes}
            )
    mib = 1024 * 1024
    advice = [f"limit={fitting}"] if fitting else []
    advice += [f["parameter"] for f in flags if f["fits"]] or [f["parameter"] for f in flags]
    raise ResponseTooLarge(
        f"The response would be {body.size / mib:.1f} MiB; this project's limit is "
        f"{limit_bytes / mib:.0f} MiB.",
        hint=(
            f"Ask for fewer versions (the largest limit that fits is {fitting})"
            if fitting
            else "Even one version is too large with these flags"
        )
        + (f", or drop tables: {', '.join(f['parameter'] for f in flags)}." if flags else ".")
        + " The OData feed pages large projects without any size limit.",
        details={
            "size_bytes": body.size,
            "limit_bytes": limit_bytes,
            "largest_fitting_limit": fitting,
            "flags": flags,
            "suggested_parameters": advice,
        },
    )


def stream_identity(engine: Engine, body: FeedBody) -> Iterator[bytes]:
    yield from _resolve(engine, body.pieces, "body")


def stream_gzip(engine: Engine, body: GzipBody) -> Iterator[bytes]:
    yield from _resolve(engine, body.pieces, "deflate")


def _fetch_binary(connection: Connection, column: str, ids: list[int]) -> dict[int, bytes]:
    """PostgreSQL: read chunk bytes in the binary protocol (text would hex-encode every byte,
    doubling the transfer and costing a decode: about 3 times slower for a large feed)."""
    if column not in ("body", "deflate"):
        raise ValueError(column)
    raw = connection.connection.driver_connection
    with raw.cursor(binary=True) as cursor:  # type: ignore[union-attr]
        cursor.execute(
            f"SELECT id, {column} FROM version_chunks WHERE id = ANY(%s)",  # noqa: S608
            [ids],
        )
        return {row[0]: row[1] for row in cursor}


def _resolve(engine: Engine, pieces: Sequence[Piece], column: str) -> Iterator[bytes]:
    """Yield each piece's bytes, reading stored chunks in batches of about 4 MiB."""
    source = getattr(VersionChunk, column)
    batch: list[ChunkRef] = []
    batch_bytes = 0

    def flush() -> Iterator[bytes]:
        ids = [r.id for r in batch]
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                found = _fetch_binary(connection, column, ids)
            else:
                result = connection.execute(
                    select(VersionChunk.id, source).where(VersionChunk.id.in_(ids))
                )
                found = {row[0]: row[1] for row in result}
        for ref in batch:
            yield bytes(found[ref.id])

    for piece in pieces:
        if isinstance(piece, ChunkRef):
            batch.append(piece)
            batch_bytes += piece.raw_size
            if batch_bytes >= READ_BATCH_BYTES:
                yield from flush()
                batch, batch_bytes = [], 0
            continue
        if batch:
            yield from flush()
            batch, batch_bytes = [], 0
        yield piece
    if batch:
        yield from flush()
