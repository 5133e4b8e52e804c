"""A real PlanBridge server on loopback serving demo projects; portfolio files pointing at it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.demo import generator
from planbridge.integrations import service as integrations
from planbridge.projects.models import Project
from tests.conftest import T0, issue_token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    log: Path


@pytest.fixture
def start_server(db, database_url, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Starts ``python -m planbridge serve`` on a free port, with extra settings."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**settings: str) -> Server:
        port = _free_port()
        log = tmp_path / f"server-{port}.log"
        env = {
            **os.environ,
            "PLANBRIDGE_DATABASE_URL": database_url,
            "PLANBRIDGE_PORT": str(port),
            "PLANBRIDGE_LOG_FORMAT": "json",
            "PLANBRIDGE_HISTORY_DAYS": "100000",
            **settings,
        }
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "planbridge", "serve"], env=env, stdout=sink, stderr=sink
            )
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # generous: CI machines can be busy
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return Server(base, log)
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail("server did not start: " + log.read_text())

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server(start_server: Callable[..., Server]) -> Server:
    return start_server()


@dataclass
class Demo:
    project: Project
    token: str
    name: str

    @property
    def path(self) -> str:
        return f"/power-bi/v1/{self.project.api_id}"


def build_demo(db: Database, n: int, *, tasks: int = 40, weeks: int = 3) -> Demo:
    with db.transaction() as session:
        result = generator.build(
            session,
            tasks=tasks,
            weeks=weeks,
            seed=n,
            now=T0,
            code=f"PF{n:03d}",
            name=f"Portfolio project {n}",
            tier="pro",
        )
        integrations.set_integration(session, result.project, OPERATOR, enabled=True)
    token = issue_token(db, result.project, dt.datetime.now(dt.UTC))
    return Demo(result.project, token, f"site-{n}")


@pytest.fixture
def demos(db: Database) -> list[Demo]:
    """Five demo projects of 40 tasks and 3 weekly versions each."""
    return [build_demo(db, n) for n in range(1, 6)]


def write_portfolio(
    path: Path,
    server: Server,
    demos: list[Demo],
    env: dict[str, str],
    *,
    extra: str = "",
    tokens: dict[str, str] | None = None,
) -> Path:
    """A portfolio file naming each project's token variable; sets the variables in ``env``."""
    lines = [f'pipelines_dir = "{path.parent / "pipelines"}"', extra]
    lines.append(f'[duckdb]\npath = "{path.parent / "warehouse.duckdb"}"')
    for demo in demos:
        variable = f"PB_TOKEN_{demo.name.upper().replace('-', '_')}"
        env[variable] = (tokens or {}).get(demo.name, demo.token)
        lines.append(
            f'[[projects]]\nname = "{demo.name}"\nurl = "{server.base}{demo.path}"\n'
            f'token_env = "{variable}"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def feed(server: Server, demo: Demo, **params: str) -> dict:
    response = httpx.get(
        server.base + demo.path,
        params={"limit": "52", **params},
        headers={"Authorization": f"Bearer {demo.token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()
