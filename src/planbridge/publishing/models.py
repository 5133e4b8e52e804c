"""Tables of the publishing domain. Rows here are written once and never updated."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # A unique index, not a constraint: SQLite adds it without rebuilding the table.
        Index("uq_versions_project_id_name", "project_id", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_by: Mapped[str] = mapped_column(String(320))
    task_count: Mapped[int] = mapped_column(Integer)


class VersionChunk(Base):
    """A run of one feed table's rows of one version, serialized at publication.

    ``body`` is the rows as JSON objects joined by commas (no brackets); ``deflate`` is the same
    bytes as a raw DEFLATE stream ending in a sync flush, so chunks concatenate into one gzip
    body without recompressing; ``crc32`` and ``raw_size`` let the gzip trailer be computed
    without reading ``body``.
    """

    __tablename__ = "version_chunks"
    __table_args__ = (
        UniqueConstraint("version_id", "table_name", "seq"),
        # Covers the chunk index every feed request reads (``feeds.assemble.chunk_index``):
        # read from a few index pages instead of one table page per chunk (each row carries
        # its bodies), which matters most when another request's write has just emptied
        # SQLite's page cache.
        Index(
            "ix_version_chunks_layout",
            "version_id",
            "table_name",
            "seq",
            "id",
            "raw_size",
            "deflate_size",
            "crc32",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    table_name: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(Integer)
    raw_size: Mapped[int] = mapped_column(BigInteger)
    crc32: Mapped[int] = mapped_column(BigInteger)
    deflate_size: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    deflate: Mapped[bytes] = mapped_column(LargeBinary)
