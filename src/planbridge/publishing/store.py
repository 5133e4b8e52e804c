"""Writing and reading a version's stored chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import orjson
from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from planbridge.publishing import chunks
from planbridge.publishing.models import VersionChunk
from planbridge.publishing.snapshot import Row

Progress = Callable[[int, int], None]
"""Called with (steps done, steps in all)."""


def store_rows(
    session: Session,
    version_id: int,
    rows: dict[str, list[Row]],
    *,
    chunk_rows: int,
    progress: Progress | None = None,
) -> None:
    """Serialize each table's rows into chunks of the version, one bulk insert (executemany)
    per table."""
    names = [name for name in rows if rows[name]]
    encoded = chunks.encode_tables({name: rows[name] for name in names}, chunk_rows)
    for step, name in enumerate(names, start=1):
        session.execute(
            insert(VersionChunk),
            [
                {
                    "version_id": version_id,
                    "table_name": name,
                    "seq": c.seq,
                    "row_count": c.row_count,
                    "raw_size": len(c.body),
                    "crc32": c.crc32,
                    "deflate_size": len(c.deflate),
                    "body": c.body,
                    "deflate": c.deflate,
                }
                for c in encoded[name]
            ],
        )
        if progress is not None:
            progress(step, len(names))


def load_rows(session: Session, version_id: int, tables: Sequence[str]) -> dict[str, list[Row]]:
    """A stored version's rows of the given tables, parsed back from their chunks (bodies read
    in one query, in PostgreSQL's binary protocol)."""
    rows: dict[str, list[Row]] = {name: [] for name in tables}
    order = session.execute(
        select(VersionChunk.id, VersionChunk.table_name)
        .where(VersionChunk.version_id == version_id, VersionChunk.table_name.in_(tables))
        .order_by(VersionChunk.table_name, VersionChunk.seq)
    ).all()
    bodies = chunk_bytes(session.connection(), [chunk_id for chunk_id, _ in order], "body")
    for chunk_id, name in order:
        rows[name].extend(orjson.loads(b"[" + bodies[chunk_id] + b"]"))
    return rows


def chunk_bytes(
    connection: Connection, ids: Sequence[int], column: Literal["body", "deflate"]
) -> dict[int, bytes]:
    """Stored ``body`` (or ``deflate``) bytes of the given chunks, by chunk id.

    PostgreSQL: read in the binary protocol (text would hex-encode every byte, doubling the
    transfer and costing a decode)."""
    if column not in ("body", "deflate"):
        raise ValueError(column)
    if not ids:
        return {}
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor(binary=True) as cursor:  # type: ignore[union-attr]
            cursor.execute(
                f"SELECT id, {column} FROM version_chunks WHERE id = ANY(%s)",  # noqa: S608
                [list(ids)],
            )
            return {row[0]: bytes(row[1]) for row in cursor}
    source = getattr(VersionChunk, column)
    result = connection.execute(select(VersionChunk.id, source).where(VersionChunk.id.in_(ids)))
    return {row[0]: bytes(row[1]) for row in result}
