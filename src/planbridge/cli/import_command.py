"""``planbridge import PROJECT FILE``: bring a schedule or spreadsheet into the live plan."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.cli.output import fail


def import_schedule(
    project_ref: Annotated[str, typer.Argument(help="Project code, id or feed id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import a P6 XER, MS Project XML, CSV or XLSX file into the live plan."""
    fail("import is not available yet")
