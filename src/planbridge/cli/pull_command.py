"""``planbridge pull --config portfolio.toml``: every project of a portfolio into a warehouse."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from planbridge.cli.output import emit, err_console, fail, table
from planbridge.cli.runtime import handles_errors

if TYPE_CHECKING:
    from planbridge.etl.outcome import ProjectOutcome, PullReport

SUMMARY_COLUMNS = ("project", "status", "versions", "rows", "seconds", "retries", "error")


@handles_errors
def pull(
    config: Annotated[
        Path,
        typer.Option("--config", help="The portfolio file (TOML): projects and destination."),
    ],
    destination: Annotated[
        str | None,
        typer.Option(
            "--destination",
            help="duckdb, postgres or filesystem (default: the file's, else duckdb).",
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="Read every version again (rows are replaced, not doubled)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Pull the published versions of every project in a portfolio into a warehouse.

    Only versions not loaded before are requested. A project that fails is reported and the
    others still load; the exit status is 1 if any project failed. Needs the etl extra.
    """
    if importlib.util.find_spec("dlt") is None:
        fail("planbridge pull needs the etl extra", "pip install 'planbridge[etl]'")
    from planbridge.etl import config as portfolio_file
    from planbridge.etl.pull import pull as run_pull

    if destination not in (None, "duckdb", "postgres", "filesystem"):
        fail(f"unknown destination '{destination}'", "use duckdb, postgres or filesystem")
    portfolio = portfolio_file.load(config)
    with _bars(enabled=not as_json) as listener:
        report = run_pull(portfolio, destination, full=full, listeners=[listener])  # type: ignore[arg-type]
    _summary(report, as_json=as_json)
    if not report.ok:
        raise typer.Exit(1)


def _summary(report: PullReport, *, as_json: bool) -> None:
    rows = [p.as_dict() for p in report.projects.values()]
    if as_json:
        emit(
            {
                "destination": report.destination,
                "dataset": report.dataset,
                "load_seconds": round(report.load_seconds, 2),
                "load_error": report.load_error,
                "projects": rows,
            },
            as_json=True,
        )
        return
    table(rows, SUMMARY_COLUMNS, as_json=False)
    failed = len(report.failed)
    versions = sum(p.versions for p in report.projects.values())
    line = (
        f"{versions} versions into {report.destination} (dataset {report.dataset}) "
        f"in {report.load_seconds:.1f} s; {failed} of {len(rows)} projects failed."
    )
    emit(None, as_json=False, text=line)
    if report.load_error:
        err_console.print(f"error: {report.load_error}", markup=False, highlight=False)


@contextmanager
def _bars(*, enabled: bool) -> Iterator[Callable[[ProjectOutcome], None]]:
    """One bar per project on a terminal; silent elsewhere."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _outcome: None
        return
    columns: list[Any] = [
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.fields[status]:>8} {task.fields[versions]:>4} versions"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err_console, transient=False) as progress:
        bars: dict[str, TaskID] = {}

        def update(outcome: ProjectOutcome) -> None:
            if outcome.name not in bars:
                bars[outcome.name] = progress.add_task(
                    outcome.name[:24], total=None, status="", versions=0
                )
            finished = outcome.status in ("pulled", "loaded", "failed")
            progress.update(
                bars[outcome.name],
                status=outcome.status,
                versions=outcome.versions,
                total=1 if finished else None,
                completed=1 if finished else 0,
            )

        yield update
