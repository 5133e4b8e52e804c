"""The table of personal access tokens: a project member's write credential for the Plan API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base, UTCDateTime, utcnow


class PersonalAccessToken(Base):
    """A named token of one user in one project. Only the SHA-256 of the secret is kept; the
    member's role is read at each request, so a demotion or removal takes effect at once."""

    __tablename__ = "personal_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    display_hint: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(320))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
