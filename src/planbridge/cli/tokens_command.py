"""``planbridge tokens``: feed tokens (pbt_...) of a project, for Power BI, Excel and ETL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.options import By, Json, ProjectRef, feed_url, token_row
from planbridge.cli.output import emit, fail, table
from planbridge.cli.runtime import handles_errors
from planbridge.integrations import expiry_notices, mail
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects

tokens_app = typer.Typer(help="Feed tokens.", no_args_is_help=True)


@tokens_app.command("create")
@handles_errors
def tokens_create(
    project_ref: ProjectRef,
    name: Annotated[str, typer.Option(help="What the token is for (1-100 characters).")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days (default and max 90).")] = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Create a feed token. The secret is printed once and cannot be shown again."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        issued = integrations.create_token(
            session,
            project,
            projects.actor_for(session, by),
            name=name,
            days=days,
            max_days=config.token_max_days,
            default_days=config.token_default_days,
            now=runtime.now(),
        )
    token = issued.token
    emit(
        {
            "id": token.id,
            "name": token.name,
            "token": issued.secret,
            "expires_at": token.expires_at,
            "feed_url": feed_url(config, project),
        },
        as_json=as_json,
        text=(
            f"Token {token.id} '{token.name}' for {project.code}, expires "
            f"{token.expires_at:%Y-%m-%d}.\n{issued.secret}\n"
            "This is the only time the token is shown. Store it in a password manager."
        ),
    )


@tokens_app.command("list")
@handles_errors
def tokens_list(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """List a project's tokens: creator, dates, last use and state (never the secret)."""
    config = runtime.settings()
    moment = runtime.now()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        actor = projects.actor_for(session, by)
        rows = [token_row(t, moment) for t in integrations.list_tokens(session, project, actor)]
    table(
        rows,
        [
            "id",
            "name",
            "hint",
            "created_by",
            "created_at",
            "expires_at",
            "days_left",
            "last_used_at",
            "state",
        ],
        as_json=as_json,
    )


@tokens_app.command("revoke")
@handles_errors
def tokens_revoke(
    project_ref: ProjectRef,
    token_id: Annotated[int, typer.Argument(help="Token id (from tokens list).")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Revoke a token; it is refused from the next request on."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        token = integrations.revoke_token(
            session, project, projects.actor_for(session, by), token_id, now=runtime.now()
        )
    emit(
        {"id": token.id, "state": "revoked", "revoked_at": token.revoked_at},
        as_json=as_json,
        text=f"token {token.id} '{token.name}' revoked",
    )


@tokens_app.command("rotate")
@handles_errors
def tokens_rotate(
    project_ref: ProjectRef,
    token_id: Annotated[int, typer.Argument(help="Token id (from tokens list).")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Replace a token: a new secret with the same name and lifetime; the old one keeps working
    for PLANBRIDGE_TOKEN_ROTATE_GRACE_HOURS, then expires."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        rotated = integrations.rotate_token(
            session,
            project,
            projects.actor_for(session, by),
            token_id,
            grace=dt.timedelta(hours=config.token_rotate_grace_hours),
            max_days=config.token_max_days,
            now=runtime.now(),
        )
    new, old = rotated.issued.token, rotated.old
    emit(
        {
            "id": new.id,
            "name": new.name,
            "token": rotated.issued.secret,
            "expires_at": new.expires_at,
            "replaces": old.id,
            "old_expires_at": old.expires_at,
            "feed_url": feed_url(config, project),
        },
        as_json=as_json,
        text=(
            f"Token {new.id} '{new.name}' for {project.code} replaces token {old.id}, expires "
            f"{new.expires_at:%Y-%m-%d}.\n{rotated.issued.secret}\n"
            "This is the only time the token is shown. Store it in a password manager.\n"
            f"Token {old.id} keeps working until {old.expires_at:%Y-%m-%d %H:%M} UTC: "
            "update the report's credentials before then."
        ),
    )


@tokens_app.command("notify-expiring")
@handles_errors
def tokens_notify_expiring(as_json: Json = False) -> None:
    """Email each feed token's creator 14 and 3 days before the token expires (once each).
    Run it daily (deploy/systemd/planbridge-token-notices.timer); needs PLANBRIDGE_SMTP_*."""
    config = runtime.settings()
    with mail.Mailer(config) as mailer, runtime.database(config).transaction() as session:
        notices = expiry_notices.notify_expiring(
            session,
            projects.actor_for(session, None),
            now=runtime.now(),
            send=mailer.send,
            base_url=config.public_url,
            grace_hours=config.token_rotate_grace_hours,
        )
    rows = [dataclasses.asdict(n) for n in notices]
    table(
        rows,
        ["token_id", "project", "name", "days_left", "to", "status", "reason"],
        as_json=as_json,
    )
    failed = sum(n.status == "failed" for n in notices)
    if failed:
        fail(f"{failed} expiry notices could not be sent; the next run tries again")
