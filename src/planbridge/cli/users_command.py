"""``planbridge users``: the people who sign in and act on projects."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import Json
from planbridge.cli.output import emit
from planbridge.cli.runtime import handles_errors
from planbridge.projects import management
from planbridge.projects import service as projects

users_app = typer.Typer(help="Users.", no_args_is_help=True)


@users_app.command("create")
@handles_errors
def users_create(
    email: Annotated[str, typer.Option(help="Email address (the login).")],
    name: Annotated[str, typer.Option(help="Display name.")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")] = "Default",
    as_json: Json = False,
) -> None:
    """Create a user."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        user = management.create_user(
            session,
            projects.actor_for(session, None),
            email=email,
            name=name,
            organisation=organisation,
        )
    emit({"id": user.id, "email": user.email}, as_json=as_json, text=f"created user {user.email}")
