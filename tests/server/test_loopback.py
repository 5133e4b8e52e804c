"""A real server on loopback, as Power BI meets it, and what it writes to its logs."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.builders import publish_at, small_plan
from tests.conftest import T0

POWER_BI_HEADERS = {
    "User-Agent": "Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)",
    "Accept-Encoding": "gzip, deflate",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db, database_url, tmp_path: Path):
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "PLANBRIDGE_DATABASE_URL": database_url,
        "PLANBRIDGE_PORT": str(port),
        "PLANBRIDGE_LOG_FORMAT": "json",
        "PLANBRIDGE_HISTORY_DAYS": "100000",
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "planbridge", "serve"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120  # generous: CI machines can be busy
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail("server did not start: " + log.read_text())
            yield base, log
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_power_bi_request_on_loopback_gets_gzipped_json(server, make_project, db):
    base, _ = server
    feed = make_project()
    small_plan(db, feed.project)
    publish_at(db, feed.project, T0)
    with httpx.Client(base_url=base) as client:
        response = client.get(feed.url, headers={**POWER_BI_HEADERS, **feed.auth})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["project"]["id"] == feed.project.api_id
        assert len(body["tasks"]) == 3
        raw = client.get(feed.url, headers={**POWER_BI_HEADERS, **feed.auth})
        assert json.loads(gzip.decompress(raw.read() if False else _raw_bytes(base, feed)))


def _raw_bytes(base, feed) -> bytes:
    with (
        httpx.Client(base_url=base) as client,
        client.stream("GET", feed.url, headers={**POWER_BI_HEADERS, **feed.auth}) as response,
    ):
        return b"".join(response.iter_raw())


def test_base_url_answers_anonymously_for_the_service_test_connection(server):
    base, _ = server
    response = httpx.get(base + "/", headers=POWER_BI_HEADERS)
    assert response.status_code == 200
    info = response.json()
    assert info["name"] == "PlanBridge" and info["version"]
    assert httpx.get(base + "/healthz").json() == {"status": "ok"}
    assert httpx.get(base + "/readyz").json()["status"] == "ready"


def test_logs_are_structured_and_never_contain_a_token(server, make_project):
    base, log = server
    feed = make_project()
    with httpx.Client(base_url=base) as client:
        client.get(feed.url, headers={**POWER_BI_HEADERS, **feed.auth})
        client.get(f"{feed.url}?token={feed.token}", headers=POWER_BI_HEADERS)
        client.get(f"/power-bi/v1/{feed.token}", headers=POWER_BI_HEADERS)
        client.get(feed.url, headers={"Authorization": "Bearer pbt_not_a_real_token_at_all_xx"})
    time.sleep(0.3)
    text = log.read_text()
    assert feed.token not in text
    assert feed.token[4:20] not in text
    assert "Authorization" not in text and "authorization" not in text
    assert "Bearer" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("message") == "request"]
    assert len(requests) >= 4
    statuses = [r["status"] for r in requests if r["path"].startswith("/power-bi/")]
    assert 200 in statuses and 400 in statuses and 401 in statuses
    assert any(r["query_names"] == ["[redacted]"] or "token" in r["query_names"] for r in requests)
    assert any("[redacted]" in r["path"] for r in requests)
    assert all(r["user_agent"] for r in requests if r["path"].startswith("/power-bi/"))
