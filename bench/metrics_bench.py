"""Metrics benchmark: how long the Last Planner metrics take at publication for a 20,000-task
demo project (6 weekly versions), and what they look like.

    .venv/bin/python bench/metrics_bench.py [--tasks 20000] [--weeks 6]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.demo.generator import build
from planbridge.publishing.metrics import INPUT_TABLES, metrics_for
from planbridge.publishing.models import Version
from planbridge.publishing.service import publish
from planbridge.publishing.store import load_rows
from planbridge.schema.migrate import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    args = parser.parse_args()
    db = Database.from_url(f"sqlite:///{Path(tempfile.mkdtemp()) / 'metrics.db'}")
    upgrade(db.engine)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        project = build(session, tasks=args.tasks, weeks=args.weeks, seed=1, now=now).project
    with db.transaction() as session:
        latest = session.scalars(
            select(Version).where(Version.project_id == project.id).order_by(Version.number)
        ).all()[-1]
        rows = load_rows(session, latest.id, INPUT_TABLES)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            result = metrics_for(session, project, latest, rows)
            timings.append(time.perf_counter() - started)
    with db.transaction() as session:
        started = time.perf_counter()
        publish(session, project, OPERATOR, now=now + dt.timedelta(days=7), chunk_rows=2000)
        publish_s = time.perf_counter() - started
    ppc = {r["metric"]: r["value"] for r in result["ppc"]}
    print(f"project                  {args.tasks} tasks, {args.weeks} versions")
    print(
        f"metrics of one window    median {statistics.median(timings) * 1000:.0f} ms "
        "(reading the previous version's rows + computing every table)"
    )
    print(f"a whole publish          {publish_s:.2f} s (snapshot, metrics, serialization, storage)")
    print(
        f"latest window            PPC task-day {ppc['ppc_task_day']}, PPC task {ppc['ppc_task']}"
    )
    print("rows                     " + ", ".join(f"{k} {len(v)}" for k, v in result.items()))
    top = [r for r in result["variance"] if r["level"] == "reason"][:3]
    print(
        "pareto top 3             "
        + "; ".join(f"{r['reason']} {r['delayed_task_days']}" for r in top)
    )


if __name__ == "__main__":
    main()
