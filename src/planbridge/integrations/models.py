"""Tables of the integrations domain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime
from planbridge.integrations.token_core import TokenColumns


class FeedToken(TokenColumns, Base):
    """A named feed token of a project. Only the SHA-256 of the secret is kept."""

    __tablename__ = "feed_tokens"

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FeedUsage(Base):
    """Fair-use state of a project (GCRA): the theoretical arrival time, in epoch seconds."""

    __tablename__ = "feed_usage"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    tat: Mapped[float] = mapped_column(Float)


class TokenExpiryNotice(Base):
    """An expiry email sent about a feed token, ``days_before`` (14 or 3) days before it
    expires: each is sent once, whatever how often ``tokens notify-expiring`` runs."""

    __tablename__ = "feed_token_notices"

    token_id: Mapped[int] = mapped_column(
        ForeignKey("feed_tokens.id", ondelete="CASCADE"), primary_key=True
    )
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_to: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
