"""``planbridge db``: the database schema."""

from __future__ import annotations

import typer

from planbridge.cli import runtime
from planbridge.cli.options import Json
from planbridge.cli.output import emit
from planbridge.cli.runtime import handles_errors
from planbridge.schema import migrate

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
@handles_errors
def db_upgrade(as_json: Json = False) -> None:
    """Create or migrate the schema to the newest revision."""
    config = runtime.settings()
    db = runtime.database(config, require_current=False, create=True)
    migrate.upgrade(db.engine)
    revision = migrate.current_revision(db.engine)
    emit({"revision": revision}, as_json=as_json, text=f"database at revision {revision}")
