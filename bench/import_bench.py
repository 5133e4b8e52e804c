"""How long imports take: the largest shared sample, and a 20,000-task bulk upsert.

    .venv/bin/python bench/import_bench.py [--pg URL] [--tasks N]

Runs on a temporary SQLite file, then on PostgreSQL when the server answers (a fresh database
is created and dropped). Every figure includes the commit. Goal: each under 10 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.imports import ParsedLink, ParsedResource, ParsedSchedule, ParsedTask, parse_file
from planbridge.imports.apply import apply_schedule, project_calendars
from planbridge.planning.bulk import TaskInput, upsert_tasks
from planbridge.planning.enums import ResourceKind
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from planbridge.schema import migrate

LARGEST = Path(__file__).resolve().parents[2] / "shared" / "samples" / "xer-parser_test.xer"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GOAL_S = 10.0
MONDAY = dt.date(2025, 3, 3)


def timed(label: str, backend: str, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds < GOAL_S else "OVER GOAL"
    print(f"{backend:<11} {label:<52} {seconds:7.2f} s  {verdict}", flush=True)
    return seconds


def new_project(db: Database, code: str) -> int:
    with db.transaction() as session:
        project = projects.create_project(session, name=code, code=code, organisation="Bench")
        return project.id


def import_file(db: Database, project_id: int, path: Path) -> None:
    with db.transaction() as session:
        project = session.get(Project, project_id)
        assert project is not None
        parsed = parse_file(path, calendars=project_calendars(session, project))
        apply_schedule(session, project, parsed, actor=OPERATOR, source=path.name)


def task_inputs(count: int, *, changed_every: int = 0) -> list[TaskInput]:
    inputs = []
    for n in range(count):
        start = MONDAY + dt.timedelta(days=7 * (n % 52))
        item = TaskInput(
            external_id=f"P6-{n:06d}",
            name=f"Activity {n}",
            start_date=start,
            end_date=start + dt.timedelta(days=n % 5),
            duration_days=n % 5 + 1,
            tags=("bench",),
        )
        if changed_every and n % changed_every == 0:
            item = dataclasses.replace(item, name=f"Activity {n} (revised)", notes="moved")
        inputs.append(item)
    return inputs


def upsert(db: Database, project_id: int, inputs: list[TaskInput]) -> None:
    with db.transaction() as session:
        project = session.get(Project, project_id)
        assert project is not None
        upsert_tasks(session, project, inputs)


def schedule(count: int) -> ParsedSchedule:
    """A synthetic master schedule: ``count`` tasks in a chain, one resource each."""
    tasks = [
        ParsedTask(
            external_id=f"S-{n:06d}",
            name=f"Scheduled activity {n}",
            start=MONDAY,
            end=MONDAY + dt.timedelta(days=2),
            duration_days=3,
            source=f"activity S-{n:06d}",
            folder_code=f"WBS.{n % 100}",
            subcontractor=f"Trade {n % 25}",
            resources=[ParsedResource(ResourceKind.labour, "Operatives", 2 + n % 3, "h")],
        )
        for n in range(count)
    ]
    links = [ParsedLink(tasks[n - 1].external_id, tasks[n].external_id) for n in range(1, count)]
    return ParsedSchedule(source_format="csv", tasks=tasks, links=links)


def apply_parsed(db: Database, project_id: int, parsed: ParsedSchedule) -> None:
    with db.transaction() as session:
        project = session.get(Project, project_id)
        assert project is not None
        apply_schedule(session, project, parsed, actor=OPERATOR, source="synthetic")


def run(db: Database, backend: str, count: int) -> None:
    migrate.upgrade(db.engine)
    sample = new_project(db, "SAMPLE")
    timed(f"import {LARGEST.name} (692 tasks)", backend, lambda: import_file(db, sample, LARGEST))
    timed(
        f"re-import {LARGEST.name} (all unchanged)",
        backend,
        lambda: import_file(db, sample, LARGEST),
    )
    bulk = new_project(db, "BULK")
    timed(
        f"bulk upsert {count:,} tasks: insert",
        backend,
        lambda: upsert(db, bulk, task_inputs(count)),
    )
    timed(
        f"bulk upsert {count:,} tasks: again, every 2nd changed",
        backend,
        lambda: upsert(db, bulk, task_inputs(count, changed_every=2)),
    )
    synthetic = new_project(db, "SYNTH")
    parsed = schedule(count)
    timed(
        f"apply schedule {count:,} tasks + links + resources",
        backend,
        lambda: apply_parsed(db, synthetic, parsed),
    )
    db.dispose()


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database.from_url(f"sqlite:///{folder}/bench.db")
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_database(url: str) -> Iterator[Database | None]:
    server = make_url(url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"planbridge_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        print(f"postgresql  not reachable ({str(exc.orig).strip().splitlines()[0]}); skipped")
        admin.dispose()
        yield None
        return
    db = Database.from_url(server.set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL")
    parser.add_argument("--tasks", type=int, default=20_000, help="tasks in the bulk upsert")
    options = parser.parse_args()
    with sqlite_database() as db:
        run(db, "sqlite", options.tasks)
    with postgres_database(options.pg) as pg:
        if pg is not None:
            run(pg, "postgresql", options.tasks)


if __name__ == "__main__":
    main()
