"""``planbridge import PROJECT FILE``: bring a schedule or spreadsheet into the live plan."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from planbridge.cli import runtime
from planbridge.cli.output import emit, err_console
from planbridge.cli.runtime import handles_errors
from planbridge.imports import parse_file
from planbridge.imports import service as imports
from planbridge.imports.dates import DateFormat
from planbridge.imports.report import ImportRejected, ImportReport
from planbridge.projects import service as projects

FORMAT_NAMES = {"xer": "P6 XER", "mspdi": "MS Project XML", "csv": "CSV", "xlsx": "XLSX"}
SHOWN_IDS = 10


@handles_errors
def import_schedule(
    project_ref: Annotated[str, typer.Argument(help="Project code, id or feed id.")],
    file: Annotated[
        Path, typer.Argument(help="The schedule: .xer, MS Project .xml, .csv or .xlsx.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; change nothing.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Delete tasks that left the schedule (only tasks with an external_id; "
            "needs a project admin).",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Email of the acting project member (default: the operator)."),
    ] = None,
    p6_project: Annotated[
        str | None,
        typer.Option("--p6-project", help="Project ID to take from a multi-project XER file."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding of an XER or CSV file (default: guessed)."),
    ] = None,
    date_format: Annotated[
        DateFormat,
        typer.Option(
            "--date-format",
            help="How CSV/XLSX dates written as text are read: auto (ISO, or the order the "
            "file proves; an ambiguous file is refused), dmy (25/03/2025), mdy (03/25/2025) "
            "or ymd.",
        ),
    ] = DateFormat.auto,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import a P6 XER, MS Project XML, CSV or XLSX file into the live plan.

    Tasks are matched by external_id, so importing again updates them. The import is one
    transaction: a file with problems changes nothing, and every problem is listed (exit 1).
    """
    db = runtime.database(runtime.settings())
    try:
        with db.transaction() as session:
            report = imports.import_schedule(
                session,
                projects.get_project(session, project_ref),
                projects.actor_for(session, by),
                lambda calendars: parse_file(
                    file,
                    project=p6_project,
                    calendars=calendars,
                    encoding=encoding,
                    date_format=date_format,
                ),
                prune=prune,
                dry_run=dry_run,
                source=file.name,
            )
    except ImportRejected as exc:
        _rejected(exc, as_json=as_json)
    finally:
        db.dispose()
    emit(report.to_dict(), as_json=as_json, text=render(report))


def _rejected(exc: ImportRejected, *, as_json: bool) -> NoReturn:
    if as_json:
        emit(exc.report.to_dict(), as_json=True)
    else:
        err_console.print(f"error: {exc.message}", markup=False, highlight=False)
        for problem in exc.report.problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
    raise typer.Exit(1)


def render(report: ImportReport) -> str:
    """The text report: counts first, then the ids that need attention and the warnings."""
    tasks, links = report.tasks, report.links
    kind = FORMAT_NAMES[report.source_format]
    if report.dry_run:
        head = f"Dry run of {report.source} ({kind}) into {report.project}: nothing was changed."
    else:
        head = f"Imported {report.source} ({kind}) into {report.project}."
    created = ", ".join(f"{n} {name}" for name, n in report.created.counts().items() if n)
    lines = [
        head,
        f"  tasks:      {len(tasks.added)} added, {len(tasks.updated)} updated, "
        f"{len(tasks.unchanged)} unchanged, {len(tasks.pruned)} removed",
        f"  milestones: {report.milestones} in the schedule",
        f"  links:      {len(links.added)} added, {len(links.removed)} removed, "
        f"{len(links.updated)} updated, {links.unchanged} unchanged",
        f"  resources:  {report.resources} in the schedule, replaced on "
        f"{len(report.resources_replaced_on)} existing tasks",
        f"  created:    {created or 'nothing'}",
    ]
    if report.updated_calendars or report.updated_folders:
        lines.append(
            f"  updated:    {len(report.updated_calendars)} calendars, "
            f"{len(report.updated_folders)} folders"
        )
    if report.external_links:
        lines.append(f"  {report.external_links} links to other projects were not created")
    if tasks.missing:
        if not report.prune:
            fate = "are kept (use --prune to remove them)"
        else:
            fate = "would be removed" if report.dry_run else "were removed"
        lines.append(
            f"{len(tasks.missing)} tasks are no longer in the schedule and {fate}: "
            f"{_ids(tasks.missing)}"
        )
    if report.warnings:
        lines.append(f"{len(report.warnings)} warnings:")
        lines += [f"  {warning}" for warning in report.warnings]
    return "\n".join(lines)


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    return f"{shown} and {more} more (see --json)" if more > 0 else shown
