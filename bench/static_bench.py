"""Peer benchmark: PlanBridge against nginx serving the same bytes from a file and Datasette
serving the same rows, in one run, as ratios (issue 14).

Builds the 20,000-task demo project with 6 weekly versions (and a 200-project portfolio of small
ones), then serves it with PlanBridge under uvicorn (``planbridge serve``) and, when installed,
Granian; starts nginx (the Debian package, ``/usr/sbin/nginx``, its own temporary config on a
free port, no root) on a copy of the default feed's bytes (identity, and ``gzip_static`` on the
``.gz`` next to it), and Datasette on a SQLite file holding the feed's rows. Prints one table.

    .venv/bin/python bench/static_bench.py [--tasks 20000] [--weeks 6] [--requests 7]
    [--concurrent 20] [--portfolio 200] [--big-weeks 0] [--servers uvicorn,granian]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

``--big-weeks N`` also builds an N-version enterprise project of the same size per version and
measures the server's memory while serving its whole feed (``limit=N``; 27 versions make about
500 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from harness import MIB, POWER_BI_USER_AGENT, PeakRss, free_port, fresh_database, planbridge
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.demo import generator
from planbridge.integrations import service as integrations

NGINX = "/usr/sbin/nginx"
DATASETTE_PAGE_ROWS = 20000
"""Datasette's page size here: Power BI's OData page size, so both walk the rows in pages."""


@dataclass(frozen=True)
class Feed:
    api_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "User-Agent": POWER_BI_USER_AGENT}


class TreeRss(PeakRss):
    """Peak RSS of a server and its child processes together (Granian serves from a child)."""

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            time.sleep(0.005)


def build(url: str, *, count: int, tasks: int, weeks: int, first: int, tier: str) -> list[Feed]:
    db = Database.from_url(url)
    now = dt.datetime.now(dt.UTC)
    made = []
    for n in range(first, first + count):
        with db.transaction() as session:
            result = generator.build(
                session, tasks=tasks, weeks=weeks, seed=n, now=now, code=f"S{n:04d}", tier=tier
            )
            integrations.set_integration(session, result.project, OPERATOR, enabled=True)
            issued = integrations.create_token(
                session,
                result.project,
                OPERATOR,
                name="bench",
                days=None,
                max_days=90,
                default_days=90,
                now=now,
            )
            made.append(Feed(result.project.api_id, issued.secret))
    db.dispose()
    return made


def wait_up(url: str, log: Path) -> None:
    for _ in range(600):
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit(f"{url} did not start:\n" + log.read_text())


@contextmanager
def process(command: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[int]:
    with log.open("wb") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_up(probe, log)
            yield child.pid
        finally:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def planbridge_server(kind: str, env: dict[str, str], workdir: Path) -> tuple[list[str], int]:
    port = free_port()
    env["PLANBRIDGE_PORT"] = str(port)
    if kind == "uvicorn":
        return [sys.executable, "-m", "planbridge", "serve"], port
    granian = str(Path(sys.executable).with_name("granian"))
    command = [granian, "--interface", "asgi", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-ws", "--log-level", "warning"]
    return [*command, "planbridge.cli.serve_workers:worker_app"], port


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    sendfile on;
    tcp_nopush on;
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        location / {{ gzip_static on; }}
    }}
}}
"""


@contextmanager
def nginx(identity: bytes, zipped: bytes, workdir: Path) -> Iterator[tuple[str, int]]:
    root = workdir / "nginx"
    (root / "www").mkdir(parents=True)
    (root / "tmp").mkdir()
    (root / "www" / "feed.json").write_bytes(identity)
    (root / "www" / "feed.json.gz").write_bytes(zipped)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port))
    base = f"http://127.0.0.1:{port}"
    command = [NGINX, "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")]
    with process(command, dict(os.environ), base + "/", root / "out.log") as pid:
        yield base + "/feed.json", pid


def datasette_db(identity: bytes, path: Path) -> int:
    """The feed's rows, one SQLite table per feed table; returns the row count."""
    body = json.loads(identity)
    rows = 0
    with sqlite3.connect(path) as conn:
        for name, value in body.items():
            if not isinstance(value, list) or not value:
                continue
            columns = list(value[0])
            quoted = ", ".join(f'"{c}"' for c in columns)
            conn.execute(f'CREATE TABLE "{name}" ({quoted})')
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f'INSERT INTO "{name}" VALUES ({marks})',
                [
                    [
                        json.dumps(v) if isinstance(v, list | dict) else v
                        for v in (r.get(c) for c in columns)
                    ]
                    for r in value
                ],
            )
            rows += len(value)
    return rows


def datasette_walk(base: str, tables: list[str]) -> tuple[float, int]:
    """Every row of every table as JSON, page by page (``next_url``): seconds and rows.

    Each page's clock runs from the request to the last byte read, as for PlanBridge and nginx;
    parsing the page to find ``next_url`` (the client's work) is done after its clock stops.
    The client sends Power BI's ``Accept-Encoding: gzip, deflate``; Datasette answers identity.
    """
    seconds = 0.0
    rows = 0
    headers = {"Accept-Encoding": "gzip, deflate", "User-Agent": POWER_BI_USER_AGENT}
    with httpx.Client(timeout=600) as client:
        for table in tables:
            url: str | None = f"{base}/feed/{table}.json?_shape=objects&_size=max&_nofacet=1"
            while url:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                seconds += time.perf_counter() - started
                response.raise_for_status()
                page = response.json()
                rows += len(page["rows"])
                url = page.get("next_url")
    return seconds, rows


def timed(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    with client.stream("GET", url, headers=headers) as response:
        response.raise_for_status()
        size = sum(len(part) for part in response.iter_raw(1024 * 1024))
    return time.perf_counter() - started, size


def median_time(url: str, headers: dict[str, str], n: int) -> float:
    with httpx.Client(timeout=300) as client:
        timed(client, url, headers)  # warm: the cache file is written on first request
        return statistics.median(timed(client, url, headers)[0] for _ in range(n))


def concurrent_p95(
    url: str, headers: dict[str, str], clients: int, rounds: int
) -> tuple[float, int]:
    """p95 seconds of ``clients`` parallel refreshes, ``rounds`` each; and the errors."""

    def one(_: int) -> list[float | None]:
        out: list[float | None] = []
        with httpx.Client(timeout=300) as client:
            for _ in range(rounds):
                try:
                    out.append(timed(client, url, headers)[0])
                except httpx.HTTPError:
                    out.append(None)
        return out

    with ThreadPoolExecutor(clients) as pool:
        results = [t for batch in pool.map(one, range(clients)) for t in batch]
    times = sorted(t for t in results if t is not None)
    errors = len(results) - len(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else float("nan")
    return p95, errors


def first_pages(base: str, feeds: list[Feed], workers: int) -> tuple[float, float]:
    """Seconds to read the first page (``limit=1``) of every feed, and the p95 per request."""

    def one(feed: Feed) -> float:
        with httpx.Client(timeout=120) as client:
            started = time.perf_counter()
            response = client.get(
                f"{base}/power-bi/v1/{feed.api_id}?limit=1",
                headers={**feed.headers, "Accept-Encoding": "gzip"},
            )
            response.raise_for_status()
            return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        times = sorted(pool.map(one, feeds))
    return time.perf_counter() - started, times[int(0.95 * (len(times) - 1))]


def memory_walk(base: str, feed: Feed, pid: int, limits: list[int]) -> list[tuple[int, int]]:
    """(body bytes, peak RSS) while serving each ``limit``, identity, read to the last byte."""
    out = []
    with httpx.Client(timeout=600) as client:
        for limit in limits:
            with TreeRss(pid) as rss:
                for _ in range(2):  # the first builds the cache file, the second is served from it
                    _, size = timed(
                        client,
                        f"{base}/power-bi/v1/{feed.api_id}?limit={limit}",
                        {**feed.headers, "Accept-Encoding": "identity"},
                    )
            out.append((size, rss.peak))
    return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def report(
    args: argparse.Namespace,
    backend: str,
    body: bytes,
    zipped: bytes,
    row_count: int,
    ng: dict[str, float],
    datasette: tuple[float, int],
    figures: dict[str, Figures],
) -> None:
    ds_seconds, ds_rows = datasette
    print()
    print(
        f"database {backend}; default feed {len(body) / MIB:.1f} MiB, "
        f"gzip {len(zipped) / MIB:.2f} MiB, {row_count} rows"
    )
    print(
        f"nginx: identity {ms(ng['identity'])}, gzip_static {ms(ng['gzip'])}, "
        f"{args.concurrent} concurrent gzip p95 {ms(ng['p95'])} ({ng['errors']:.0f} errors)"
    )
    print(
        f"datasette: {ds_rows} rows as JSON in pages of {DATASETTE_PAGE_ROWS}: {ds_seconds:.2f} s"
    )
    print()
    print("| figure | " + " | ".join(f"PlanBridge, {k}" for k in figures) + " | goal |")
    print("| --- |" + " --- |" * len(figures) + " --- |")

    def line(name: str, cells: list[str], goal: str) -> None:
        print(f"| {name} | " + " | ".join(cells) + f" | {goal} |")

    every = list(figures.values())
    line(
        "full default feed, identity: PlanBridge / nginx",
        [
            f"{ms(f.identity)} / {ms(ng['identity'])} = {f.identity / ng['identity']:.1f}x"
            for f in every
        ],
        "<= 1.5x",
    )
    line(
        "full default feed, gzip: PlanBridge / nginx `gzip_static`",
        [f"{ms(f.gzip)} / {ms(ng['gzip'])} = {f.gzip / ng['gzip']:.1f}x" for f in every],
        "<= 1.5x",
    )
    line(
        "Datasette / PlanBridge, same rows as JSON, both identity",
        [f"{ds_seconds:.2f} s / {ms(f.identity)} = {ds_seconds / f.identity:.0f}x" for f in every],
        ">= 50x",
    )
    line(
        "Datasette / PlanBridge, same rows as JSON, as Power BI asks (gzip accepted)",
        [f"{ds_seconds:.2f} s / {ms(f.gzip)} = {ds_seconds / f.gzip:.0f}x" for f in every],
        ">= 50x",
    )
    line(
        f"{args.concurrent} concurrent full-feed refreshes (gzip): p95 / nginx p95",
        [
            f"{ms(f.p95)} / {ms(ng['p95'])} = {f.p95 / ng['p95']:.1f}x, {f.errors} errors"
            for f in every
        ],
        "<= 2x, no error",
    )
    line(
        "server RSS (process tree): idle, then peak during the rows above",
        [f"{f.rss_idle / MIB:.0f} MiB, peak {f.rss_peak / MIB:.0f} MiB" for f in every],
        "<= 150 MiB",
    )
    line(
        "server RSS peak serving feeds of growing size (body: peak)",
        [
            ", ".join(f"{size / MIB:.0f} MiB: {peak / MIB:.0f}" for size, peak in f.walk)
            for f in every
        ],
        "flat, <= 150 MiB",
    )
    line(
        f"first page of {args.portfolio} feeds, {args.portfolio_workers} in parallel",
        [f"{f.portfolio_seconds:.2f} s (p95 {ms(f.portfolio_p95)})" for f in every],
        "reported",
    )


@dataclass
class Figures:
    identity: float = 0.0
    gzip: float = 0.0
    p95: float = 0.0
    errors: int = 0
    portfolio_seconds: float = 0.0
    portfolio_p95: float = 0.0
    rss_peak: int = 0
    rss_idle: int = 0
    walk: list[tuple[int, int]] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--portfolio", type=int, default=200)
    parser.add_argument("--portfolio-workers", type=int, default=32)
    parser.add_argument("--big-weeks", type=int, default=0)
    parser.add_argument("--servers", default="uvicorn,granian")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    servers = [s for s in args.servers.split(",") if s]
    if "granian" in servers and not Path(sys.executable).with_name("granian").exists():
        print("granian is not installed: PlanBridge is measured under uvicorn only")
        servers.remove("granian")

    workdir = Path(tempfile.mkdtemp(prefix="planbridge-static-bench-"))
    with fresh_database(args.database_url, workdir) as url:
        env = {
            **os.environ,
            "PLANBRIDGE_DATABASE_URL": url,
            "PLANBRIDGE_FEED_REQUESTS_PER_HOUR": "10000000",
            "PLANBRIDGE_FEED_MAX_MB_ENTERPRISE": "2048",
            "PLANBRIDGE_CACHE_DIR": str(workdir / "cache"),
            "PLANBRIDGE_CACHE_MAX_MB": "4096",
            "PLANBRIDGE_LOG_LEVEL": "warning",
        }
        planbridge(env, "db", "upgrade")
        started = time.perf_counter()
        [main_feed] = build(
            url, count=1, tasks=args.tasks, weeks=args.weeks, first=1, tier="enterprise"
        )
        seconds = time.perf_counter() - started
        print(f"built {args.tasks} tasks x {args.weeks} versions in {seconds:.0f} s")
        started = time.perf_counter()
        portfolio = build(url, count=args.portfolio, tasks=10, weeks=1, first=1000, tier="pro")
        print(f"built {args.portfolio} small projects in {time.perf_counter() - started:.0f} s")
        big = None
        if args.big_weeks:
            started = time.perf_counter()
            [big] = build(
                url, count=1, tasks=args.tasks, weeks=args.big_weeks, first=2, tier="enterprise"
            )
            seconds = time.perf_counter() - started
            print(f"built the big project ({args.big_weeks} versions) in {seconds:.0f} s")

        identity_headers = {**main_feed.headers, "Accept-Encoding": "identity"}
        gzip_headers = {**main_feed.headers, "Accept-Encoding": "gzip"}
        figures: dict[str, Figures] = {}
        body = zipped = b""
        for kind in servers:
            server_env = dict(env)
            command, port = planbridge_server(kind, server_env, workdir)
            base = f"http://127.0.0.1:{port}"
            with process(command, server_env, base + "/healthz", workdir / f"{kind}.log") as pid:
                feed_url = f"{base}/power-bi/v1/{main_feed.api_id}"
                if not body:
                    body = httpx.get(feed_url, headers=identity_headers, timeout=300).content
                    with (
                        httpx.Client(timeout=300) as client,
                        client.stream("GET", feed_url, headers=gzip_headers) as response,
                    ):
                        zipped = b"".join(response.iter_raw())
                got = Figures()
                with TreeRss(pid) as idle:
                    time.sleep(0.2)
                got.rss_idle = idle.peak
                with TreeRss(pid) as rss:
                    got.identity = median_time(feed_url, identity_headers, args.requests)
                    got.gzip = median_time(feed_url, gzip_headers, args.requests)
                    got.p95, got.errors = concurrent_p95(
                        feed_url, gzip_headers, args.concurrent, args.rounds
                    )
                    if portfolio:
                        got.portfolio_seconds, got.portfolio_p95 = first_pages(
                            base, portfolio, args.portfolio_workers
                        )
                got.rss_peak = rss.peak
                got.walk = memory_walk(base, main_feed, pid, list(range(1, args.weeks + 1)))
                if big is not None:
                    got.walk += memory_walk(base, big, pid, [args.big_weeks])
                figures[kind] = got

        with nginx(body, zipped, workdir) as (static_url, _nginx_pid):
            ng: dict[str, float] = {
                "identity": median_time(static_url, {"Accept-Encoding": "identity"}, args.requests),
                "gzip": median_time(static_url, {"Accept-Encoding": "gzip"}, args.requests),
            }
            p95, errors = concurrent_p95(
                static_url, {"Accept-Encoding": "gzip"}, args.concurrent, args.rounds
            )
            ng.update(p95=p95, errors=errors)

        sqlite_file = workdir / "feed.db"
        row_count = datasette_db(body, sqlite_file)
        tables = [n for n, v in json.loads(body).items() if isinstance(v, list) and v]
        port = free_port()
        datasette = str(Path(sys.executable).with_name("datasette"))
        command = [datasette, "serve", str(sqlite_file), "--port", str(port), "--setting"]
        command += [
            "max_returned_rows",
            str(DATASETTE_PAGE_ROWS),
            "--setting",
            "sql_time_limit_ms",
            "600000",
        ]
        with process(command, dict(os.environ), f"http://127.0.0.1:{port}/", workdir / "ds.log"):
            ds_seconds, ds_rows = datasette_walk(f"http://127.0.0.1:{port}", tables)
        assert ds_rows == row_count, (ds_rows, row_count)

    backend = "postgresql" if args.database_url else "sqlite"
    report(args, backend, body, zipped, row_count, ng, (ds_seconds, ds_rows), figures)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
