"""Tables of the integrations domain."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base
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
