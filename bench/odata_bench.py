"""OData benchmark: a 20,000-task demo project with 6 weekly versions, served by the real server
on loopback; walks every entity set to the end of its @odata.nextLink chain, as Power BI does
(gzip accepted), twice (cold, then warm row cache), and prints the time, pages and rows per set,
the requests a refresh spends from the fair-use budget, and the server's peak RSS.

    .venv/bin/python bench/odata_bench.py [--tasks 20000] [--weeks 6] [--page-size 5000]
    [--ordered] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

``--ordered`` also walks Tasks with ``$orderby=name`` (every page scans the whole set).
With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POWER_BI = {
    "User-Agent": "Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)",
    "OData-MaxVersion": "4.0",
    "Accept": "application/json;odata.metadata=minimal",
    "Accept-Encoding": "gzip, deflate",
}
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def planbridge(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "planbridge", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


class PeakRss:
    """The server's RSS sampled every 5 ms (and the kernel's high-water mark where there is one)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def high_water_mark(self) -> int | None:
        status = Path(f"/proc/{self.process.pid}/status")
        if not status.exists():
            return None
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Walk:
    name: str
    pages: int = 0
    rows: int = 0
    wire_bytes: int = 0
    seconds: float = 0.0
    slowest_page_s: float = 0.0


def walk(client: httpx.Client, url: str, headers: dict[str, str], name: str) -> Walk:
    result = Walk(name)
    started = time.perf_counter()
    next_url: str | None = url
    while next_url is not None:
        page_started = time.perf_counter()
        response = client.get(next_url, headers=headers)
        response.raise_for_status()
        body = response.json()
        result.slowest_page_s = max(result.slowest_page_s, time.perf_counter() - page_started)
        result.pages += 1
        result.rows += len(body["value"])
        result.wire_bytes += int(response.headers.get("content-length", len(response.content)))
        next_url = body.get("@odata.nextLink")
    result.seconds = time.perf_counter() - started
    return result


def walk_all(client: httpx.Client, root: str, headers: dict[str, str]) -> list[Walk]:
    sets = [s["url"] for s in client.get(root, headers=headers).json()["value"]]
    client.get(root + "$metadata", headers=headers).raise_for_status()
    return [walk(client, root + name, headers, name) for name in sets]


def report(label: str, walks: list[Walk]) -> None:
    pages = sum(w.pages for w in walks)
    rows = sum(w.rows for w in walks)
    seconds = sum(w.seconds for w in walks)
    wire = sum(w.wire_bytes for w in walks)
    print(f"\n{label}: {seconds:.1f} s, {pages} pages, {rows} rows, {wire / MIB:.1f} MiB gzip")
    for w in walks:
        if w.pages > 1 or w.rows > 1000:
            print(
                f"  {w.name:<16} {w.rows:>7} rows {w.pages:>3} pages {w.seconds:6.2f} s "
                f"(slowest page {w.slowest_page_s * 1000:.0f} ms)"
            )
    small = [w for w in walks if not (w.pages > 1 or w.rows > 1000)]
    print(
        f"  {len(small)} small sets    {sum(w.rows for w in small):>7} rows "
        f"{sum(w.pages for w in small):>3} pages {sum(w.seconds for w in small):6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--page-size", type=int, default=None, help="default: the setting")
    parser.add_argument("--ordered", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="planbridge-odata-bench-"))
    admin = None
    if args.database_url:
        server_url = make_url(args.database_url)
        name = f"planbridge_bench_{secrets.token_hex(4)}"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = server_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    port = free_port()
    env = {
        **os.environ,
        "PLANBRIDGE_DATABASE_URL": url,
        "PLANBRIDGE_PORT": str(port),
        "PLANBRIDGE_FEED_REQUESTS_PER_HOUR": "100000",
        "PLANBRIDGE_LOG_LEVEL": "warning",
    }
    if args.page_size:
        env["PLANBRIDGE_ODATA_PAGE_SIZE"] = str(args.page_size)
    try:
        planbridge(env, "db", "upgrade")
        started = time.perf_counter()
        demo = json.loads(
            planbridge(
                env, "demo", "--tasks", str(args.tasks), "--weeks", str(args.weeks), "--json"
            )
        )
        demo_s = time.perf_counter() - started
        api_id = demo["feed_url"].rstrip("/").rsplit("/", 1)[1]
        headers = {"Authorization": f"Bearer {demo['token']}", **POWER_BI}
        server_log = (workdir / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "planbridge", "serve"], env=env, stderr=server_log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            root = f"{base}/odata/v4/{api_id}/"
            with httpx.Client(timeout=600) as client:
                for _ in range(300):
                    try:
                        client.get(f"{base}/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                else:
                    sys.exit("server did not start:\n" + (workdir / "server.log").read_text())
                client.get(root, headers=headers).raise_for_status()
                baseline = psutil.Process(server.pid).memory_info().rss
                with PeakRss(server.pid) as rss:
                    cold = walk_all(client, root, headers)
                    warm = walk_all(client, root, headers)
                    ordered = (
                        walk(client, root + "Tasks?$orderby=name", headers, "Tasks ordered")
                        if args.ordered
                        else None
                    )
                hwm = rss.high_water_mark()
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    page_size = args.page_size or "default (setting)"
    print(f"database        {make_url(url).get_backend_name()}")
    print(f"demo build      {args.tasks} tasks, {args.weeks} versions in {demo_s:.1f} s")
    print(f"page size       {page_size}")
    report("cold walk (row cache empty)", cold)
    report("warm walk", warm)
    if ordered is not None:
        print(
            f"\nTasks $orderby=name: {ordered.seconds:.1f} s, {ordered.pages} pages, "
            f"{ordered.rows} rows (slowest page {ordered.slowest_page_s * 1000:.0f} ms)"
        )
    requests = 2 + sum(w.pages for w in cold)
    print(f"\nrequests per full refresh  {requests} (service document, $metadata, pages)")
    print(f"server RSS      idle {baseline / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB (sampled)")
    if hwm is not None:
        print(f"                kernel high-water mark {hwm / MIB:.0f} MiB")


if __name__ == "__main__":
    main()
