"""Concurrent clients do not lose writes: creates and publishes that race for the next activity
id or version number all succeed (the race is retried inside the server), on SQLite and
PostgreSQL; two server processes share one SQLite file without a 500 or a lost task. Only real
conflicts (a stale If-Match, tested in test_concurrency.py) are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import TASK
from tests.server.test_loopback import _free_port

WORKERS = 10


def _clients(make_client, api, n: int = WORKERS):
    """``n`` clients, each of its own app, each warmed up with one request first (as a running
    server is): pydantic builds some validators on first use, which is not thread-safe."""
    clients = [make_client() for _ in range(n)]
    for client in clients:
        assert client.get(api.url("/tasks"), headers=api.as_member).status_code == 200
    return clients


def _race(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_ten_concurrent_creates_all_succeed_with_distinct_activity_ids(make_client, api):
    clients = _clients(make_client, api)
    body = {k: v for k, v in TASK.items()}

    responses = _race(
        [
            lambda c=c, n=n: c.post(
                api.url("/tasks"), json={**body, "name": f"Task {n}"}, headers=api.as_member
            )
            for n, c in enumerate(clients)
        ]
    )

    assert [r.status_code for r in responses] == [201] * WORKERS, [r.text for r in responses]
    ids = {r.json()["activity_id"] for r in responses}
    assert len(ids) == WORKERS
    listed = clients[0].get(api.url("/tasks"), headers=api.as_member).json()["items"]
    assert len(listed) == WORKERS


def test_ten_concurrent_publishes_all_succeed_with_consecutive_numbers(make_client, api, new_task):
    new_task()
    clients = _clients(make_client, api)

    responses = _race(
        [
            lambda c=c, n=n: c.post(
                api.url("/versions"), json={"name": f"Week {n}"}, headers=api.as_admin
            )
            for n, c in enumerate(clients)
        ]
    )

    assert [r.status_code for r in responses] == [201] * WORKERS, [r.text for r in responses]
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == list(range(1, WORKERS + 1))


@pytest.fixture
def two_servers(db, database_url, tmp_path: Path):
    if not database_url.startswith("sqlite"):
        pytest.skip("two processes on one SQLite file")
    processes, bases, sinks = [], [], []
    for n in range(2):
        port = _free_port()
        env = {**os.environ, "PLANBRIDGE_DATABASE_URL": database_url, "PLANBRIDGE_PORT": str(port)}
        sink = (tmp_path / f"server{n}.log").open("wb")
        sinks.append(sink)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "planbridge", "serve"], env=env, stdout=sink, stderr=sink
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 120  # generous: CI machines can be busy
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail("server did not start")
                    time.sleep(0.1)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        for sink in sinks:
            sink.close()


def test_two_server_processes_share_one_sqlite_file_without_errors(two_servers, api):
    def create(n: int) -> httpx.Response:
        base = two_servers[n % 2]
        return httpx.post(
            f"{base}{api.url('/tasks')}",
            json={**TASK, "name": f"Task {n}"},
            headers=api.as_member,
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(create, range(24)))

    assert [r.status_code for r in responses] == [201] * 24, [r.text for r in responses]
    listed = httpx.get(
        f"{two_servers[0]}{api.url('/tasks')}", params={"limit": 100}, headers=api.as_member
    )
    assert len(listed.json()["items"]) == 24
