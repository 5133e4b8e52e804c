"""``planbridge config``: the settings in force."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from planbridge.cli import runtime
from planbridge.cli.options import Json
from planbridge.cli.output import table
from planbridge.cli.runtime import handles_errors
from planbridge.settings import Settings

config_app = typer.Typer(help="Settings.", no_args_is_help=True)


@config_app.command("show")
@handles_errors
def config_show(as_json: Json = False) -> None:
    """Print every setting with its value (secrets masked)."""
    config = runtime.settings()
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(config, name)
        if name == "database_url":
            value = make_url(value.get_secret_value()).render_as_string(hide_password=True)
        rows.append(
            {
                "setting": f"PLANBRIDGE_{name.upper()}",
                "value": value,
                "description": field.description,
            }
        )
    table(rows, ["setting", "value", "description"], as_json=as_json)
