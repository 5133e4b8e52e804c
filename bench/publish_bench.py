"""Publish benchmark: the 20,000-task demo project (6 weekly versions) in a fresh database, then
a 7th version published several times, each in a transaction that is rolled back (so every run
publishes the same plan onto the same history), metrics included. Prints the median and the
time of each step (snapshot of the live plan, metrics, serialization and storage).

    .venv/bin/python bench/publish_bench.py [--tasks 20000] [--weeks 6] [--runs 5]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from harness import fresh_database
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.demo.generator import build
from planbridge.projects.models import Project
from planbridge.publishing import service
from planbridge.publishing.models import VersionChunk
from planbridge.schema.migrate import upgrade

STEPS = {"plan_rows": "snapshot", "metrics_for": "metrics", "store_rows": "store"}


@contextmanager
def timed_steps(seconds: dict[str, float]) -> Iterator[None]:
    """Time the publish flow's steps by wrapping the functions ``publish`` calls."""
    originals = {name: getattr(service, name) for name in STEPS}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[STEPS[name]] = time.perf_counter() - started

        return run

    for name, function in originals.items():
        setattr(service, name, timed(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(service, name, function)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    now = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    with fresh_database(args.database_url, Path(tempfile.mkdtemp())) as url:
        db = Database.from_url(url)
        upgrade(db.engine)
        started = time.perf_counter()
        with db.transaction() as session:
            project_id = build(session, tasks=args.tasks, weeks=args.weeks, seed=1, now=now)
            project_id = project_id.project.id
        built = time.perf_counter() - started
        runs: list[dict[str, float]] = []
        for _ in range(args.runs):
            steps: dict[str, float] = {}
            session = db._sessions()
            try:
                project = session.get_one(Project, project_id)
                with timed_steps(steps):
                    started = time.perf_counter()
                    version = service.publish(
                        session,
                        project,
                        OPERATOR,
                        now=now + dt.timedelta(days=7),
                        chunk_rows=2000,
                    )
                    steps["publish"] = time.perf_counter() - started
                chunks, size = session.execute(
                    select(func.count(), func.sum(VersionChunk.raw_size)).where(
                        VersionChunk.version_id == version.id
                    )
                ).one()
            finally:
                session.rollback()
                session.close()
            runs.append(steps)
        db.engine.dispose()
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"database        {make_url(url).get_backend_name()}")
    print(f"project         {args.tasks} tasks, {args.weeks} versions (built in {built:.1f} s)")
    print(f"one version     {chunks} chunks, {size / 1024 / 1024:.1f} MiB of rows")
    times = [r["publish"] for r in runs]
    print(
        f"publish         median {median['publish']:.2f} s of {args.runs} "
        f"(min {min(times):.2f} s, max {max(times):.2f} s)"
    )
    print(
        "  steps (median) "
        + ", ".join(f"{label} {median[label]:.2f} s" for label in STEPS.values())
    )


if __name__ == "__main__":
    main()
