"""Feed benchmark: a 20,000-task demo project with 6 weekly versions, served by the real server
on loopback; prints the full default feed's body size, the median time to last byte over several
requests (identity and gzip), and the server's peak RSS and its growth over the idle baseline.

    .venv/bin/python bench/feed_bench.py [--tasks 20000] [--weeks 6] [--requests 7]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POWER_BI = {"User-Agent": "Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def planbridge(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "planbridge", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


class PeakRss:
    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(
    client: httpx.Client, url: str, headers: dict[str, str], n: int
) -> tuple[float, int, int]:
    times, wire, size = [], 0, 0
    for _ in range(n):
        started = time.perf_counter()
        with client.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            wire = sum(len(part) for part in response.iter_raw())
        times.append(time.perf_counter() - started)
    size = int(response.headers.get("content-length", wire))
    return statistics.median(times), wire, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="planbridge-bench-"))
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
    try:
        planbridge(env, "db", "upgrade")
        started = time.perf_counter()
        demo = json.loads(
            planbridge(
                env, "demo", "--tasks", str(args.tasks), "--weeks", str(args.weeks), "--json"
            )
        )
        demo_s = time.perf_counter() - started
        path = demo["feed_url"].split(str(8000), 1)[1]
        auth = {"Authorization": f"Bearer {demo['token']}", **POWER_BI}
        server_log = (workdir / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "planbridge", "serve"], env=env, stderr=server_log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=120) as client:
                for _ in range(300):
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                else:
                    sys.exit("server did not start:\n" + (workdir / "server.log").read_text())
                client.get("/")
                baseline = psutil.Process(server.pid).memory_info().rss
                with PeakRss(server.pid) as rss:
                    identity = measure(
                        client, path, {**auth, "Accept-Encoding": "identity"}, args.requests
                    )
                    zipped = measure(
                        client, path, {**auth, "Accept-Encoding": "gzip, deflate"}, args.requests
                    )
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    mib = 1024 * 1024
    body = identity[2]
    growth = rss.peak - baseline
    print(f"database                 {make_url(url).get_backend_name()}")
    print(f"demo build               {args.tasks} tasks, {args.weeks} versions in {demo_s:.1f} s")
    print(f"full default feed body   {body / mib:.1f} MiB ({body} bytes)")
    print(f"gzip on the wire         {zipped[1] / mib:.1f} MiB")
    ms = (identity[0] * 1000, zipped[0] * 1000)
    print(f"median time to last byte identity {ms[0]:.0f} ms, gzip {ms[1]:.0f} ms")
    print(f"                         ({args.requests} requests each)")
    print(f"server RSS               idle {baseline / mib:.0f} MiB, peak {rss.peak / mib:.0f} MiB")
    print(f"server memory growth     {growth / mib:.0f} MiB = {growth / body:.2f} x body size")


if __name__ == "__main__":
    main()
