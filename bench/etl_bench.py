"""Portfolio ETL benchmark: N demo projects served by the real server on loopback, pulled into
DuckDB by ``planbridge pull`` (a subprocess, as cron runs it). Prints the first pull's time,
rows per second and the puller's peak RSS, then a second pull (nothing new: one 304 per
project), then the first page (``limit=1``) of every feed of a larger portfolio read in
parallel, as a scheduler's fan-out would.

    .venv/bin/python bench/etl_bench.py [--projects 20] [--tasks 300] [--weeks 6]
    [--workers 4] [--first-page-projects 200] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx

from harness import MIB, PeakRss, _wait_until_up, free_port, fresh_database
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.demo import generator
from planbridge.integrations import service as integrations
from planbridge.schema import migrate


def build_projects(
    url: str, count: int, tasks: int, weeks: int, first: int
) -> list[tuple[str, str]]:
    """``count`` demo projects (feed id, token), codes numbered from ``first``."""
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    now = dt.datetime.now(dt.UTC)
    made = []
    for n in range(first, first + count):
        with db.transaction() as session:
            result = generator.build(
                session, tasks=tasks, weeks=weeks, seed=n, now=now, code=f"B{n:04d}", tier="pro"
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
            made.append((result.project.api_id, issued.secret))
    db.dispose()
    return made


def write_portfolio(
    workdir: Path, base: str, projects: list[tuple[str, str]], workers: int, env: dict[str, str]
) -> Path:
    lines = [f"workers = {workers}", '[duckdb]\npath = "bench-warehouse.duckdb"']
    for i, (api_id, token) in enumerate(projects):
        env[f"PB_BENCH_{i}"] = token
        lines.append(
            f'[[projects]]\nname = "p{i}"\nurl = "{base}/power-bi/v1/{api_id}"\n'
            f'token_env = "PB_BENCH_{i}"'
        )
    path = workdir / "portfolio.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed_pull(config: Path, env: dict[str, str]) -> tuple[float, int, dict]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "planbridge", "pull", "--config", str(config), "--json"],
        env=env,
        cwd=config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with PeakRss(process.pid) as rss:
        out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"pull failed:\n{out}\n{err}")
    return seconds, rss.high_water_mark() or rss.peak, json.loads(out)


def first_pages(base: str, projects: list[tuple[str, str]], workers: int) -> tuple[float, int]:
    def one(project: tuple[str, str]) -> int:
        api_id, token = project
        response = client.get(
            f"/power-bi/v1/{api_id}",
            params={"limit": "1"},
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
        )
        response.raise_for_status()
        return len(response.content)

    with httpx.Client(base_url=base, timeout=60) as client, ThreadPoolExecutor(workers) as pool:
        started = time.perf_counter()
        sizes = list(pool.map(one, projects))
    return time.perf_counter() - started, sum(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--first-page-projects", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="planbridge-etl-bench-"))
    with fresh_database(args.database_url, workdir) as url:
        started = time.perf_counter()
        portfolio = build_projects(url, args.projects, args.tasks, args.weeks, 1)
        print(
            f"built {args.projects} demo projects ({args.tasks} tasks, {args.weeks} versions "
            f"each) in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        env = {
            **os.environ,
            "PLANBRIDGE_DATABASE_URL": url,
            "PLANBRIDGE_PORT": str(port),
            "PLANBRIDGE_FEED_REQUESTS_PER_HOUR": "100000",
            "PLANBRIDGE_LOG_LEVEL": "warning",
        }
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "planbridge", "serve"], env=env, stderr=log
            )
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_until_up(base, log_path)
                run(args, workdir, base, portfolio, env, url)
            finally:
                server.terminate()
                server.wait(timeout=10)


def run(
    args: argparse.Namespace,
    workdir: Path,
    base: str,
    portfolio: list[tuple[str, str]],
    env: dict[str, str],
    url: str,
) -> None:
    config = write_portfolio(workdir, base, portfolio, args.workers, env)
    seconds, peak, summary = timed_pull(config, env)
    rows = sum(p["rows"] for p in summary["projects"])
    versions = sum(p["versions"] for p in summary["projects"])
    print(
        f"first pull, {args.projects} projects, {args.workers} workers: {versions} versions, "
        f"{rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s end to end; "
        f"load step {summary['load_seconds']:.1f} s); puller peak RSS {peak / MIB:.0f} MiB"
    )
    with duckdb.connect(str(workdir / "bench-warehouse.duckdb"), read_only=True) as con:
        loaded = con.sql("select count(*) from planbridge.tasks").fetchall()[0][0]
    print(
        f"  warehouse: {loaded} task rows; file "
        f"{(workdir / 'bench-warehouse.duckdb').stat().st_size / MIB:.1f} MiB"
    )
    seconds, peak, summary = timed_pull(config, env)
    moved = sum(p["rows"] for p in summary["projects"])
    print(
        f"second pull (nothing new): {moved} rows in {seconds:.1f} s; peak RSS {peak / MIB:.0f} MiB"
    )
    if args.first_page_projects:
        started = time.perf_counter()
        extra = build_projects(url, args.first_page_projects, 10, 1, 1000)
        print(
            f"built {args.first_page_projects} small projects in "
            f"{time.perf_counter() - started:.1f} s"
        )
        for workers in (1, 8, 32):
            seconds, size = first_pages(base, extra, workers)
            print(
                f"first page (limit=1) of {len(extra)} feeds, {workers:>2} in parallel: "
                f"{seconds:.2f} s ({len(extra) / seconds:.0f} feeds/s, {size / MIB:.1f} MiB)"
            )


if __name__ == "__main__":
    main()
