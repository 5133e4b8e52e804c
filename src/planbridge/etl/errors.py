"""What can go wrong in a pull: a bad portfolio file (nothing runs) or one project (others load)."""

from __future__ import annotations

from planbridge.errors import PlanBridgeError


class PortfolioConfigError(PlanBridgeError):
    """The portfolio file cannot be used; the message names the file and the entry."""

    code = "portfolio_config"


class ProjectFailed(Exception):
    """One project could not be pulled. The message is safe to show: it never holds a token."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
