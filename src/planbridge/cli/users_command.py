"""``planbridge users``: people who sign in to PlanBridge, their passwords and access."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from planbridge.accounts import service as accounts
from planbridge.actors import CLI, Actor
from planbridge.cli import runtime
from planbridge.cli.output import emit, fail, table
from planbridge.cli.runtime import handles_errors
from planbridge.db.session import Database
from planbridge.projects import service as projects
from planbridge.settings import Settings

OPERATOR = Actor(label="operator", via=CLI)

users_app = typer.Typer(help="Users: accounts, passwords and sign-in.", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Email = Annotated[str, typer.Option(help="Email address (the login).")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from standard input (first line)."),
]


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        fail("no password on standard input", "pipe it in: printf '%s' \"$PW\" | planbridge ...")
    return password


@users_app.command("create")
@handles_errors
def users_create(
    email: Email,
    name: Annotated[str, typer.Option(help="Display name.")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")] = "Default",
    password_stdin: PasswordStdin = False,
    as_json: Json = False,
) -> None:
    """Create a user. Without --password-stdin, print a one-time set-password link."""
    config = runtime.settings()
    password = _read_password() if password_stdin else None
    with runtime.database(config).transaction() as session:
        created = accounts.create_account(
            session,
            OPERATOR,
            email=email,
            name=name,
            organisation=organisation,
            password=password,
            now=runtime.now(),
            link_hours=config.set_password_link_hours,
        )
    user = created.user
    result: dict[str, object] = {"id": user.id, "email": user.email}
    text = f"created user {user.email}"
    if created.link_secret is not None:
        link = f"{config.public_url}/set-password#{created.link_secret}"
        result["set_password_link"] = link
        text += (
            f"\nSet-password link (works once, for {config.set_password_link_hours} hours; "
            f"send it privately):\n{link}"
        )
    emit(result, as_json=as_json, text=text)


@users_app.command("set-password")
@handles_errors
def users_set_password(
    email: Email, password_stdin: PasswordStdin = False, as_json: Json = False
) -> None:
    """Give a user a new password (read from standard input); their sessions end."""
    if not password_stdin:
        fail("the password is only read from standard input", "add --password-stdin")
    config = runtime.settings()
    password = _read_password()
    with runtime.database(config).transaction() as session:
        user = accounts.set_password(
            session, OPERATOR, email=email, password=password, now=runtime.now()
        )
    emit({"email": user.email}, as_json=as_json, text=f"password of {user.email} set")


@users_app.command("list")
@handles_errors
def users_list(as_json: Json = False) -> None:
    """List users: email, name, whether they have a password, whether they are disabled."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        rows = [
            {
                "id": row.user.id,
                "email": row.user.email,
                "name": row.user.name,
                "password": "set" if row.has_password else "not set",
                "state": "disabled" if row.disabled else "active",
            }
            for row in accounts.list_accounts(session)
        ]
    table(rows, ["id", "email", "name", "password", "state"], as_json=as_json)


@users_app.command("disable")
@handles_errors
def users_disable(email: Email, as_json: Json = False) -> None:
    """Stop a user from signing in and end their sessions (memberships stay)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        user = accounts.disable(session, OPERATOR, email=email, now=runtime.now())
    emit(
        {"email": user.email, "state": "disabled"},
        as_json=as_json,
        text=f"{user.email} disabled",
    )


def print_demo_admin(config: Settings, db: Database, *, as_json: bool) -> None:
    """``serve --demo`` on an empty database: a demo admin whose password is printed once."""
    with db.transaction() as session:
        project = projects.get_project(session, "DEMO")
        user, password = accounts.create_demo_admin(session, project, now=runtime.now())
    emit(
        {"sign_in": f"{config.public_url}/login", "email": user.email, "password": password},
        as_json=as_json,
        text=(
            f"Sign in at {config.public_url}/login as {user.email} with password {password}\n"
            "(shown once; change it with: planbridge users set-password --email "
            f"{user.email} --password-stdin)"
        ),
    )
