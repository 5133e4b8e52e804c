"""Writing and reading a version's stored chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import orjson
from sqlalchemy import insert, select
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
    """Serialize each table's rows into chunks of the version, one bulk insert per table."""
    names = [name for name in rows if rows[name]]
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
                for c in chunks.encode(rows[name], chunk_rows)
            ],
        )
        if progress is not None:
            progress(step, len(names))


def load_rows(session: Session, version_id: int, tables: Sequence[str]) -> dict[str, list[Row]]:
    """A stored version's rows of the given tables, parsed back from their chunks."""
    rows: dict[str, list[Row]] = {name: [] for name in tables}
    for name, body in session.execute(
        select(VersionChunk.table_name, VersionChunk.body)
        .where(VersionChunk.version_id == version_id, VersionChunk.table_name.in_(tables))
        .order_by(VersionChunk.table_name, VersionChunk.seq)
    ):
        rows[name].extend(orjson.loads(b"[" + bytes(body) + b"]"))
    return rows
