"""``planbridge``: run the service and manage projects, tokens and publications.

Every command takes ``--json`` for scripts; errors print one line and exit non-zero. Each
command group lives in its own ``*_command.py`` module; commands only translate arguments and
output, the services check permissions and write the audit log.
"""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge import __version__
from planbridge.cli import backup_command, publish_command, serve_command
from planbridge.cli.audit_command import audit_app
from planbridge.cli.config_command import config_app
from planbridge.cli.db_command import db_app
from planbridge.cli.exports_command import exports_app
from planbridge.cli.import_command import import_schedule
from planbridge.cli.integration_command import feed_app, integration_app
from planbridge.cli.oauth_command import oauth_clients_app, sso_app
from planbridge.cli.pat_command import pat_app
from planbridge.cli.powerbi_command import powerbi_app
from planbridge.cli.projects_command import members_app, projects_app
from planbridge.cli.publish_command import metrics_app
from planbridge.cli.pull_command import pull
from planbridge.cli.tokens_command import tokens_app
from planbridge.cli.users_command import users_app

app = typer.Typer(
    name="planbridge",
    help="PlanBridge: published Last Planner plans as a token-secured feed for Power BI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for sub, name in [
    (db_app, "db"),
    (projects_app, "projects"),
    (users_app, "users"),
    (members_app, "members"),
    (integration_app, "integration"),
    (tokens_app, "tokens"),
    (feed_app, "feed"),
    (config_app, "config"),
    (audit_app, "audit"),
    (metrics_app, "metrics"),
    (pat_app, "pat"),
    (powerbi_app, "powerbi"),
    (exports_app, "exports"),
    (oauth_clients_app, "oauth-clients"),
    (sso_app, "sso"),
]:
    app.add_typer(sub, name=name)

app.command("import")(import_schedule)
app.command()(serve_command.serve)
app.command("demo")(serve_command.demo_command)
app.command()(publish_command.publish)
app.command("backup")(backup_command.backup)
app.command("restore")(backup_command.restore)
app.command("pull")(pull)


def main() -> None:
    app()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planbridge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """PlanBridge command line."""
