"""``planbridge pat create|list|revoke``: personal access tokens for the Plan API.

A token acts as its owner, a project member; the member's role decides what it may do.
"""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import ByMember, Json, ProjectRef, token_row
from planbridge.cli.output import emit, table
from planbridge.cli.runtime import handles_errors
from planbridge.errors import InvalidInput
from planbridge.integrations import personal_tokens
from planbridge.projects import service as projects
from planbridge.projects.models import User

pat_app = typer.Typer(
    help="Personal access tokens (pbp_...) of project members, for the Plan API.",
    no_args_is_help=True,
)


@pat_app.command("create")
@handles_errors
def pat_create(
    project_ref: ProjectRef,
    name: Annotated[str, typer.Option(help="What the token is for (1-100 characters).")],
    user: Annotated[
        str | None, typer.Option("--user", help="Email of the member it acts as (default: --by).")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            help="Lifetime in days (default PLANBRIDGE_PAT_DEFAULT_DAYS, "
            "max PLANBRIDGE_PAT_MAX_DAYS)."
        ),
    ] = None,
    by: ByMember = None,
    as_json: Json = False,
) -> None:
    """Create a personal access token. The secret is printed once and cannot be shown again."""
    owner_email = user or by
    if owner_email is None:
        raise InvalidInput("Name the member the token acts as.", hint="Add --user EMAIL.")
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        owner = projects.get_user(session, owner_email)
        issued = personal_tokens.create_token(
            session,
            project,
            projects.actor_for(session, by),
            user=owner,
            name=name,
            days=days,
            now=runtime.now(),
            max_days=config.pat_max_days,
            default_days=config.pat_default_days,
        )
    token = issued.token
    api_url = f"{config.public_url}/api/v1/projects/{project.code}"
    emit(
        {
            "id": token.id,
            "name": token.name,
            "user": owner.email,
            "token": issued.secret,
            "expires_at": token.expires_at,
            "api_url": api_url,
        },
        as_json=as_json,
        text=(
            f"Personal access token {token.id} '{token.name}' of {owner.email} for "
            f"{project.code}, expires {token.expires_at:%Y-%m-%d}.\n{issued.secret}\n"
            f"Send it as 'Authorization: Bearer <token>' to {api_url}.\n"
            "This is the only time the token is shown. Store it in a password manager."
        ),
    )


@pat_app.command("list")
@handles_errors
def pat_list(
    project_ref: ProjectRef,
    user: Annotated[str | None, typer.Option("--user", help="Only this member's tokens.")] = None,
    by: ByMember = None,
    as_json: Json = False,
) -> None:
    """List tokens: owner, dates, last use and state (never the secret). Members see their own;
    admins and the operator see everyone's."""
    config = runtime.settings()
    moment = runtime.now()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        owner = projects.get_user(session, user) if user else None
        tokens = personal_tokens.list_tokens(
            session, project, projects.actor_for(session, by), user=owner
        )
        emails = {t.user_id: session.get(User, t.user_id) for t in tokens}
        rows = [
            token_row(t, moment, user=getattr(emails[t.user_id], "email", None)) for t in tokens
        ]
    table(
        rows,
        ["id", "name", "user", "hint", "created_at", "expires_at", "last_used_at", "state"],
        as_json=as_json,
    )


@pat_app.command("revoke")
@handles_errors
def pat_revoke(
    project_ref: ProjectRef,
    token_id: Annotated[int, typer.Argument(help="Token id (from pat list).")],
    by: ByMember = None,
    as_json: Json = False,
) -> None:
    """Revoke a token; it is refused from the next request on."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        token = personal_tokens.revoke_token(
            session, project, projects.actor_for(session, by), token_id, now=runtime.now()
        )
    emit(
        {"id": token.id, "state": "revoked", "revoked_at": token.revoked_at},
        as_json=as_json,
        text=f"personal access token {token.id} '{token.name}' revoked",
    )
