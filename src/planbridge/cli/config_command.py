"""``planbridge config``: the settings in force."""

from __future__ import annotations

import typer

from planbridge.cli import runtime
from planbridge.cli.options import Json
from planbridge.cli.output import table
from planbridge.cli.runtime import handles_errors
from planbridge.db import location
from planbridge.settings import Settings

config_app = typer.Typer(help="Settings.", no_args_is_help=True)


@config_app.command("show")
@handles_errors
def config_show(as_json: Json = False) -> None:
    """Print every setting with its value (secrets masked) and the database in use."""
    config = runtime.settings()
    url = config.database_url.get_secret_value()
    if not as_json:
        typer.echo(f"Database in use: {location.describe(url)}")
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(config, name)
        if name == "database_url":
            value = location.shown_url(url)
        rows.append(
            {
                "setting": f"PLANBRIDGE_{name.upper()}",
                "value": value,
                "description": field.description,
            }
        )
    table(rows, ["setting", "value", "description"], as_json=as_json)
