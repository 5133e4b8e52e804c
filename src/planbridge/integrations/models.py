"""Tables of the integrations domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime, utcnow
from planbridge.integrations.token_core import TokenColumns


class FeedToken(TokenColumns, Base):
    """A named feed token of a project. Only the SHA-256 of the secret is kept."""

    __tablename__ = "feed_tokens"

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEvent(Base):
    """One management action: who did what to which project, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(60))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FeedUsage(Base):
    """Fair-use state of a project (GCRA): the theoretical arrival time, in epoch seconds."""

    __tablename__ = "feed_usage"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    tat: Mapped[float] = mapped_column(Float)
