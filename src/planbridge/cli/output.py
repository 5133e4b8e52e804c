"""How commands talk: one result (text or ``--json``), one error line, progress on a terminal."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

err_console = Console(stderr=True, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 250)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def emit(data: Any, *, as_json: bool, text: str | None = None) -> None:
    if as_json:
        sys.stdout.write(orjson.dumps(data, default=_default, option=orjson.OPT_INDENT_2).decode())
        sys.stdout.write("\n")
    elif text is not None:
        out_console.print(text)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, as_json: bool) -> None:
    if as_json:
        emit(list(rows), as_json=True)
        return
    if not rows:
        out_console.print("(none)")
        return
    view = Table(*columns, show_edge=False, header_style="bold")
    for row in rows:
        view.add_row(
            *("" if row.get(c) is None else str(_default_str(row.get(c))) for c in columns)
        )
    out_console.print(view)


def _default_str(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value


def fail(message: str, hint: str = "", code: int = 1) -> NoReturn:
    line = f"error: {message}"
    if hint:
        line += f" ({hint})"
    err_console.print(line, markup=False, highlight=False)
    raise typer.Exit(code)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A ``(step, done, total)`` callback that draws bars on a terminal and is silent elsewhere."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _step, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield report
