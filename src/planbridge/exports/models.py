"""Tables of the exports domain: the saved actions and the files their runs wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime


class ExportAction(Base):
    """A saved, named definition: one table, its columns and filters, how many of the latest
    published versions a run covers, and the file format (``csv`` or ``txt``)."""

    __tablename__ = "export_actions"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    table_name: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(3))
    columns: Mapped[list[str] | None] = mapped_column(JSON)
    filters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    versions: Mapped[int] = mapped_column(Integer, default=1)
    bom: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ExportFile(Base):
    """The manifest of one written file: never rewritten, one per action and version."""

    __tablename__ = "export_files"
    __table_args__ = (UniqueConstraint("action_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("export_actions.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(500))
    row_count: Mapped[int] = mapped_column(Integer)
    byte_count: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
