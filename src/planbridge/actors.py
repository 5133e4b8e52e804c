"""Who is acting: a project member (by user) or the operator at the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    label: str
    """What the audit log and lists show: the user's email, or ``operator``."""
    user_id: int | None = None

    @property
    def is_operator(self) -> bool:
        return self.user_id is None


OPERATOR = Actor(label="operator")
