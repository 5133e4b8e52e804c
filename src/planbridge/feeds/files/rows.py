"""The stored chunks behind a file download, and their rows read back in feed order.

Feed order is the JSON feed's: for each table, versions newest first, then each version's
chunks in sequence. Only metadata is read to plan a file (row counts, sizes, ETag); bodies are
read later, a few MiB at a time, while the file is written.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planbridge.feeds import byte_cache
from planbridge.publishing.models import VersionChunk

READ_BATCH_BYTES = 4 * 1024 * 1024
FORMAT_REVISION = b"files-1"
"""Part of every ETag: change it when the bytes written for the same chunks change."""

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredChunk:
    id: int
    version_id: int
    row_count: int
    raw_size: int
    crc32: int = 0


@dataclass(frozen=True, slots=True)
class Extract:
    """The chunks of the requested tables of the requested versions, in feed order."""

    version_ids: tuple[int, ...]
    chunks: dict[str, tuple[StoredChunk, ...]]

    def row_count(self, table: str) -> int:
        return sum(c.row_count for c in self.chunks[table])

    def etag(self, *variant: str) -> str:
        """A weak tag naming exactly the stored chunks and the way they are written."""
        digest = hashlib.sha256(FORMAT_REVISION)
        for part in variant:
            digest.update(b";" + part.encode())
        for name, chunks in self.chunks.items():
            digest.update(b";t:" + name.encode())
            for chunk in chunks:
                digest.update(b",%d" % chunk.id)
        return f'W/"{digest.hexdigest()[:32]}"'

    def cache_key(self, etag: str) -> str:
        """The byte-cache key of a file made from these chunks: the ETag (chunk ids and the
        way they are written) and each chunk's content fingerprint."""
        key = byte_cache.Key("file").add(etag)
        for name, chunks in self.chunks.items():
            key.add(name)
            for chunk in chunks:
                key.chunk(chunk.id, chunk.crc32, chunk.raw_size, chunk.row_count)
        return key.hexdigest()


def extract(session: Session, version_ids: Sequence[int], tables: Sequence[str]) -> Extract:
    found: dict[tuple[int, str], list[StoredChunk]] = defaultdict(list)
    rows = session.execute(
        select(
            VersionChunk.id,
            VersionChunk.version_id,
            VersionChunk.table_name,
            VersionChunk.row_count,
            VersionChunk.raw_size,
            VersionChunk.crc32,
        )
        .where(VersionChunk.version_id.in_(version_ids), VersionChunk.table_name.in_(tables))
        .order_by(VersionChunk.version_id, VersionChunk.table_name, VersionChunk.seq)
    )
    for r in rows:
        found[(r.version_id, r.table_name)].append(
            StoredChunk(r.id, r.version_id, r.row_count, r.raw_size, r.crc32)
        )
    chunks = {
        name: tuple(c for version_id in version_ids for c in found.get((version_id, name), ()))
        for name in tables
    }
    return Extract(tuple(version_ids), chunks)


def read_rows(
    engine: Engine, chunks: Sequence[StoredChunk], *, batch_bytes_max: int = READ_BATCH_BYTES
) -> Iterator[list[Row]]:
    """Each chunk's rows, in order, reading bodies in batches of about ``batch_bytes_max``."""
    batch: list[StoredChunk] = []
    batch_bytes = 0
    for chunk in chunks:
        batch.append(chunk)
        batch_bytes += chunk.raw_size
        if batch_bytes >= batch_bytes_max:
            yield from _read_batch(engine, batch)
            batch, batch_bytes = [], 0
    if batch:
        yield from _read_batch(engine, batch)


def _read_batch(engine: Engine, batch: Sequence[StoredChunk]) -> Iterator[list[Row]]:
    with engine.connect() as connection:
        result = connection.execute(
            select(VersionChunk.id, VersionChunk.body).where(
                VersionChunk.id.in_([c.id for c in batch])
            )
        )
        bodies = {row[0]: bytes(row[1]) for row in result}
    for chunk in batch:
        parsed: list[Row] = orjson.loads(b"[" + bodies.pop(chunk.id) + b"]")
        yield parsed
