"""Options and arguments shared by commands, and the URLs they print."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from planbridge.integrations.token_core import TokenColumns, days_left, token_state
from planbridge.projects.models import Project
from planbridge.settings import Settings

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ProjectRef = Annotated[str, typer.Argument(help="Project code, id or feed id.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting project admin (default: the operator)."),
]
ByMember = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting member (default: the operator)."),
]


def feed_url(config: Settings, project: Project) -> str:
    return f"{config.public_url}/power-bi/v1/{project.api_id}"


def token_row(token: TokenColumns, now: dt.datetime, **extra: Any) -> dict[str, Any]:
    """What a token list shows of a feed or personal token (never the secret)."""
    return {
        "id": token.id,
        "name": token.name,
        **extra,
        "hint": token.display_hint,
        "created_by": token.created_by,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "state": token_state(token, now),
        "days_left": days_left(token, now),
    }
