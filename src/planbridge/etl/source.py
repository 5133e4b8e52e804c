"""The dlt source: one resource per feed table, fed by one request stream per project.

A hidden ``feed_pages`` resource reads each project's new versions (in ``workers`` threads)
and hands every page to the table resources, so each version is requested once whatever the
number of tables. A project that fails is recorded and skipped; the others go on. A project's
cursor (dlt source state, saved with the load) moves only after all its pages were read.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from planbridge.etl import hints
from planbridge.etl.arrow import to_arrow
from planbridge.etl.catalog import Table
from planbridge.etl.client import Cursor, FeedReader, Page, Politeness
from planbridge.etl.config import FeedProject
from planbridge.etl.errors import ProjectFailed
from planbridge.etl.outcome import ProjectOutcome, PullReport

SOURCE_NAME = "planbridge"


@dataclass
class Tagged:
    """A page, with the project it came from."""

    project: FeedProject
    page: Page
    first: bool = False
    """The project's first page in this run (its ``projects`` row comes with it)."""


@dataclass
class _Done:
    project: FeedProject
    cursor: Cursor | None
    waits: int
    error: ProjectFailed | None = None


@dlt.source(name=SOURCE_NAME, max_table_nesting=0, root_key=False)
def source(
    projects: Sequence[FeedProject],
    politeness: Politeness = Politeness(),
    workers: int = 4,
    full: bool = False,
    report: PullReport | None = None,
    merge: bool = True,
) -> Iterator[DltResource]:
    """Every published table of every project in ``projects``, incrementally.

    ``full`` ignores what was loaded before and reads every version in the feed's history
    (rows already loaded are replaced, never duplicated). ``merge=False`` appends instead, for
    destinations that cannot merge (Parquet files): then a project's pages are handed over only
    once all of them were read, so a project failing half-way adds no row."""
    outcomes = report or PullReport({}, destination="", dataset="")
    disposition: Literal["merge", "append"] = "merge" if merge else "append"
    pages = dlt.resource(
        _pages(projects, politeness, workers, full, outcomes, whole=not merge),
        name="feed_pages",
        selected=False,
    )
    yield pages
    yield dlt.transformer(
        _projects,
        data_from=pages,
        name="projects",
        columns=hints.PROJECTS_COLUMNS,
        primary_key="project_id",
        write_disposition=disposition,
    )
    for table in hints.tables():
        yield dlt.transformer(
            _rows_of(table),
            data_from=pages,
            name=table.name,
            columns=hints.columns(table),
            write_disposition=disposition,
            schema_contract={"columns": "discard_value", "data_type": "freeze"},
            **hints.keys(table),
        )


def _projects(item: Tagged) -> Iterator[dict[str, Any]]:
    if not item.first:
        return
    doc = item.page.project
    yield {
        "project_id": doc["id"],
        "portfolio_name": item.project.name,
        "code": doc["code"],
        "name": doc["name"],
        "timezone": doc["timezone"],
        "tier": doc["tier"],
        "feed_url": item.project.url,
    }


def _rows_of(table: Table) -> Callable[[Tagged], Iterator[pa.Table]]:
    def rows(item: Tagged) -> Iterator[pa.Table]:
        found = item.page.tables.get(table.name)
        if found:
            yield to_arrow(table, item.page.project["id"], found)

    rows.__name__ = table.name
    return rows


def _pages(
    projects: Sequence[FeedProject],
    politeness: Politeness,
    workers: int,
    full: bool,
    report: PullReport,
    whole: bool,
) -> Iterator[Tagged]:
    state: dict[str, Any] = dlt.current.source_state().setdefault("projects", {})
    ready = [p for p in projects if _admit(p, report)]
    cursors = {p.api_id: Cursor.from_state(None if full else state.get(p.api_id)) for p in ready}
    inbox: queue.Queue[Tagged | _Done] = queue.Queue(maxsize=2 * workers)
    stop = threading.Event()

    def put(message: Tagged | _Done) -> None:
        while not stop.is_set():
            try:
                inbox.put(message, timeout=0.2)
                return
            except queue.Full:
                continue

    def work(project: FeedProject) -> None:
        reader = FeedReader(project, politeness)
        try:
            cursor = cursors[project.api_id]
            pages = reader.new_pages(cursor)
            for number, page in enumerate(list(pages) if whole else pages):
                put(Tagged(project, page, first=number == 0))
            done = _Done(project, cursor, reader.waits)
        except ProjectFailed as exc:
            done = _Done(project, None, reader.waits, exc)
        except Exception as exc:  # a bug or a surprise: fail the project, keep the others
            surprise = ProjectFailed(f"unexpected {type(exc).__name__}: {exc}")
            done = _Done(project, None, reader.waits, surprise)
        finally:
            reader.close()
        put(done)

    started = {p.name: time.monotonic() for p in ready}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planbridge-etl") as pool:
        try:
            for project in ready:
                pool.submit(work, project)
            remaining = len(ready)
            while remaining:
                message = inbox.get()
                outcome = report.projects[message.project.name]
                outcome.seconds = time.monotonic() - started[message.project.name]
                if isinstance(message, Tagged):
                    outcome.versions += len(message.page.versions)
                    outcome.rows += sum(len(rows) for rows in message.page.tables.values())
                    report.changed(outcome)
                    yield message
                    continue
                remaining -= 1
                outcome.waits = message.waits
                if message.error is None and message.cursor is not None:
                    state[message.project.api_id] = message.cursor.as_state()
                    outcome.status = "pulled"
                else:
                    outcome.status, outcome.error = "failed", str(message.error)
                report.changed(outcome)
        finally:
            stop.set()


def _admit(project: FeedProject, report: PullReport) -> bool:
    outcome = report.projects.setdefault(project.name, ProjectOutcome(project.name, project.api_id))
    if project.problem is not None or project.token is None:
        outcome.status = "failed"
        outcome.error = str(project.problem or ProjectFailed("no token"))
        report.changed(outcome)
        return False
    outcome.status = "pulling"
    report.changed(outcome)
    return True
