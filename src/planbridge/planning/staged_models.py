"""The table of uploads kept between a dry run and its apply in the web app (used by
``planbridge.imports.staging``; here, in the lowest domain layer, so the schema can list it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime


class StagedImport(Base):
    """A file a project admin uploaded for a dry run in the web app, kept until it is applied
    (then deleted) or expires. Only the SHA-256 of its random key is stored; the key is bound to
    the project and the user who uploaded it."""

    __tablename__ = "staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    p6_project: Mapped[str | None] = mapped_column(String(40))
    date_format: Mapped[str | None] = mapped_column(String(8))
    """``auto``, ``dmy``, ``mdy`` or ``ymd`` (see ``planbridge.imports.dates``); ``None`` in rows
    staged before migration 0009, read as ``auto``."""
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
