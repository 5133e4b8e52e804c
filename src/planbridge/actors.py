"""Who is acting: a project member (by user) or the operator at the command line, and through
which channel (``via``), so that every service can check the role and the audit row can name
the way in."""

from __future__ import annotations

from dataclasses import dataclass

CLI = "cli"
"""``via`` of the command line."""
WEB = "web"
"""``via`` of a signed-in web page."""


def via_token(token_id: int) -> str:
    """``via`` of a Plan API request made with personal access token ``token_id``."""
    return f"pat {token_id}"


@dataclass(frozen=True, slots=True)
class Actor:
    label: str
    """What the audit log and lists show: the user's email, or ``operator``."""
    user_id: int | None = None
    via: str | None = None
    """The channel: ``cli``, ``web`` or ``pat <token id>``; written to each audit row."""

    @property
    def is_operator(self) -> bool:
        return self.user_id is None


OPERATOR = Actor(label="operator")
