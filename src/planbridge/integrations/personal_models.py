"""The table of personal access tokens: a project member's write credential for the Plan API."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from planbridge.db.base import Base
from planbridge.integrations.token_core import TokenColumns


class PersonalAccessToken(TokenColumns, Base):
    """A named token of one user in one project. Only the SHA-256 of the secret is kept; the
    member's role is read at each request, so a demotion or removal takes effect at once."""

    __tablename__ = "personal_access_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
