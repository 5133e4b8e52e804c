"""What the server benchmarks share: a demo project in a fresh database (SQLite file, or a new
PostgreSQL database that is dropped afterwards), the real server on a free loopback port, and a
sampler of the server's peak RSS."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MIB = 1024 * 1024
POWER_BI_USER_AGENT = "Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def planbridge(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "planbridge", *args]
    return subprocess.run(
        command, env=env, input=stdin, check=True, capture_output=True, text=True
    ).stdout


class PeakRss:
    """A process's RSS sampled every 5 ms (and the kernel's high-water mark where there is one)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.005)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

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


@dataclass(frozen=True)
class DemoServer:
    base: str
    api_id: str
    token: str
    pid: int
    backend: str
    demo_seconds: float
    database_url: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "User-Agent": POWER_BI_USER_AGENT}


@contextmanager
def fresh_database(database_url: str | None, workdir: Path) -> Iterator[str]:
    if not database_url:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    server_url = make_url(database_url)
    name = f"planbridge_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def demo_server(
    *, tasks: int, weeks: int, database_url: str | None, env: dict[str, str] | None = None
) -> Iterator[DemoServer]:
    """Build the demo project with the CLI, then serve it until the block ends."""
    workdir = Path(tempfile.mkdtemp(prefix="planbridge-bench-"))
    with fresh_database(database_url, workdir) as url:
        port = free_port()
        full_env = {
            **os.environ,
            "PLANBRIDGE_DATABASE_URL": url,
            "PLANBRIDGE_PORT": str(port),
            "PLANBRIDGE_FEED_REQUESTS_PER_HOUR": "100000",
            "PLANBRIDGE_LOG_LEVEL": "warning",
            **(env or {}),
        }
        planbridge(full_env, "db", "upgrade")
        started = time.perf_counter()
        demo = json.loads(
            planbridge(full_env, "demo", "--tasks", str(tasks), "--weeks", str(weeks), "--json")
        )
        demo_seconds = time.perf_counter() - started
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "planbridge", "serve"], env=full_env, stderr=log
            )
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_until_up(base, log_path)
                yield DemoServer(
                    base=base,
                    api_id=demo["feed_url"].rstrip("/").rsplit("/", 1)[1],
                    token=demo["token"],
                    pid=server.pid,
                    backend=make_url(url).get_backend_name(),
                    demo_seconds=demo_seconds,
                    database_url=url,
                )
            finally:
                server.terminate()
                server.wait(timeout=10)


def _wait_until_up(base: str, log_path: Path) -> None:
    for _ in range(300):
        try:
            httpx.get(f"{base}/healthz", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit("server did not start:\n" + log_path.read_text())


ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench admin long passphrase"


@contextmanager
def signed_in_admin(server: DemoServer, *, timeout: float) -> Iterator[httpx.Client]:
    """A client signed in on the web as a new admin of the demo project (made with the CLI)."""
    env = {**os.environ, "PLANBRIDGE_DATABASE_URL": server.database_url}
    planbridge(env, "users", "create", "--email", ADMIN_EMAIL, "--name", "Bench Admin",
               "--password-stdin", stdin=ADMIN_PASSWORD)  # fmt: skip
    planbridge(env, "members", "add", "DEMO", ADMIN_EMAIL, "--role", "admin")
    with httpx.Client(base_url=server.base, timeout=timeout) as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token, "no CSRF token on /login"
        answer = client.post(
            "/login",
            data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=True,
        )
        assert answer.status_code == 200 and "Projects" in answer.text, answer.status_code
        yield client
