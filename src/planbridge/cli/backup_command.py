"""``planbridge backup FILE`` and ``planbridge restore FILE``: the whole database, to and from
one file (SQLite online backup; PostgreSQL ``pg_dump -Fc`` and ``pg_restore``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planbridge.cli import runtime
from planbridge.cli.output import emit
from planbridge.cli.runtime import handles_errors
from planbridge.db import backup as backups
from planbridge.db import location
from planbridge.schema import migrate

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@handles_errors
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    as_json: Json = False,
) -> None:
    """Write a consistent copy of the database to FILE, while the service keeps serving.

    SQLite: the online backup API (FILE is a SQLite database). PostgreSQL: pg_dump -Fc (needs
    the PostgreSQL client tools).
    """
    config = runtime.settings()
    url = config.database_url.get_secret_value()
    db = runtime.database(config, require_current=False)
    revision = migrate.current_revision(db.engine)
    size = backups.backup(url, file, force=force)
    emit(
        {"file": str(file), "bytes": size, "revision": revision},
        as_json=as_json,
        text=f"backed up {location.describe(url)} (revision {revision}) to {file} ({size:,} bytes)",
    )


@handles_errors
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by planbridge backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already has data.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Replace the database with the backup FILE (stop the service first).

    A database that already has tables is refused unless --force is given. A SQLite file that
    does not exist yet is created; a PostgreSQL database must exist (createdb).
    """
    config = runtime.settings()
    url = config.database_url.get_secret_value()
    runtime.database(config, require_current=False, create=True)
    backups.restore(url, file, force=force)
    db = runtime.database(config, require_current=False)
    revision = migrate.current_revision(db.engine)
    current = migrate.is_up_to_date(db.engine)
    advice = "" if current else "\nThe backup is from an older release; run: planbridge db upgrade"
    emit(
        {"file": str(file), "revision": revision, "up_to_date": current},
        as_json=as_json,
        text=f"restored {file} into {location.describe(url)} (revision {revision}){advice}",
    )
