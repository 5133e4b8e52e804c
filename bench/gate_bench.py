"""The fixed cost of a cached feed request: the gate and the cache-key queries, in process.

Builds the demo project (or reuses ``--database-url``'s, when it already holds one with a
``bench`` token), then requests the default feed with gzip through the app in process (the
byte cache on, the file written by a first request) and reports per request: the median
server time, the SQL statements and write statements issued, the transactions begun, and a
cProfile of where the time goes (cumulative time of the gate's and the feed's steps).

    .venv/bin/python bench/gate_bench.py [--tasks 20000] [--weeks 6] [--requests 200]
    [--database-url sqlite:////tmp/gate.db | postgresql+psycopg://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.demo import generator
from planbridge.feeds import assemble, byte_cache, gate
from planbridge.integrations import fair_use
from planbridge.integrations import service as integrations
from planbridge.integrations.models import FeedToken
from planbridge.projects.models import Project
from planbridge.schema import migrate
from planbridge.settings import load_settings

STEPS = (
    (gate, "authorize"),
    (gate, "authenticate"),
    (fair_use, "consume"),
    (assemble, "recent_versions"),
    (assemble, "chunk_index"),
    (assemble, "layout"),
    (assemble, "cache_key"),
    (byte_cache.ByteCache, "lookup"),
)
"""The steps timed (wrapped in place, in this process only): the gate, its token check and
fair-use budget, the version and chunk-index queries, the body's layout and cache key, and the
cache file's lookup."""


def prepare(url: str, tasks: int, weeks: int) -> tuple[str, str]:
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        project = session.scalar(select(Project).where(Project.code == "GATE"))
        if project is None:
            started = time.perf_counter()
            project = generator.build(
                session, tasks=tasks, weeks=weeks, seed=1, now=now, code="GATE", tier="enterprise"
            ).project
            integrations.set_integration(session, project, OPERATOR, enabled=True)
            print(
                f"built {tasks} tasks x {weeks} versions in {time.perf_counter() - started:.0f} s"
            )
        for old in session.scalars(select(FeedToken).where(FeedToken.project_id == project.id)):
            session.delete(old)
        issued = integrations.create_token(
            session,
            project,
            OPERATOR,
            name="bench",
            days=None,
            max_days=90,
            default_days=90,
            now=now,
        )
        api_id, secret = project.api_id, issued.secret
    db.dispose()
    return api_id, secret


class StepTimes:
    """Wall time spent in each step, summed over the threads that serve requests."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def wrap(self, owner: Any, name: str) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                with self.lock:
                    self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
                    self.calls[name] = self.calls.get(name, 0) + 1

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


class UntilHeaders:
    """Server time of a request: from its arrival to the start of its response (the body is
    a cache file sent afterwards, the same for every variant of the code measured)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.times.append(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="planbridge-gate-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'gate.db'}"
    api_id, secret = prepare(url, args.tasks, args.weeks)
    settings = load_settings(
        database_url=url,
        _env_file=None,
        feed_requests_per_hour=10_000_000,
        feed_max_mb_enterprise=2048,
        cache_dir=str(workdir / "cache"),
        cache_max_mb=4096,
    )
    db = Database.from_settings(settings)
    counts = {"statements": 0, "writes": 0, "transactions": 0}

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counts["statements"] += 1
        head = statement.lstrip().split(None, 1)[0].upper()
        if head in ("UPDATE", "INSERT", "DELETE"):
            counts["writes"] += 1

    def begin(_conn: Any) -> None:
        counts["transactions"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.engine, "begin", begin)
    steps = StepTimes()
    for owner, name in STEPS:
        steps.wrap(owner, name)
    app = UntilHeaders(create_app(settings, db=db))
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "gzip"}
    path = f"/power-bi/v1/{api_id}"

    def get() -> int:
        with client.stream("GET", path, headers=headers) as response:
            assert response.status_code == 200, response.read()
            return sum(len(part) for part in response.iter_raw())

    with TestClient(app) as client:
        size = get()
        for _ in range(5):
            get()
        for key in counts:
            counts[key] = 0
        steps.reset()
        app.times.clear()
        for _ in range(args.requests):
            get()
    db.dispose()
    times = sorted(app.times)
    per = {k: v / args.requests for k, v in counts.items()}
    backend = url.split(":", 1)[0].split("+")[0]
    print(
        f"{backend}: cached gzip feed ({size / 1024 / 1024:.2f} MiB on the wire), "
        f"{args.requests} requests, server time to the response headers: median "
        f"{statistics.median(times) * 1000:.2f} ms, p95 {times[int(0.95 * len(times))] * 1000:.2f} "
        f"ms; per request {per['statements']:.1f} SQL statements, {per['writes']:.2f} writes, "
        f"{per['transactions']:.1f} transactions"
    )
    print("mean ms per request in each step:")
    for _owner, name in STEPS:
        if name in steps.seconds:
            print(
                f"  {name:<16} {steps.seconds[name] / args.requests * 1000:7.2f} ms"
                f"  ({steps.calls[name] / args.requests:.0f} call(s))"
            )


if __name__ == "__main__":
    main()
