"""A database that is down or read-only is a retryable outage, never a server bug: every request
that needs it answers ``503 database_unavailable`` with ``Retry-After``, ``/readyz`` says what is
wrong, ``/healthz`` (liveness) stays ``200``, and service resumes without a restart.

The PostgreSQL outage runs against a throwaway server this test starts itself (``initdb`` into a
temporary directory, a free port, ``pg_ctl stop``/``start``); the shared server is never touched.
The read-only SQLite file is opened with SQLite's ``mode=ro`` URI: the tests run as root, and a
``chmod`` does not stop root from writing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.db.session import Database
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.schema import migrate
from planbridge.settings import load_settings
from tests.conftest import T0, Clock
from tests.error_shape import assert_error

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


@dataclass
class Served:
    api_id: str
    token: str

    @property
    def feed(self) -> str:
        return f"/power-bi/v1/{self.api_id}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _seed(url: str) -> Served:
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        project = projects.create_project(
            session, name="Outage", code="OUT", organisation="Org", timezone="UTC", tier="pro"
        )
        integrations.set_integration(session, project, OPERATOR, enabled=True)
        token = integrations.create_token(
            session, project, OPERATOR, name="t", days=None, max_days=90, default_days=90, now=T0
        ).secret
        api_id = project.api_id
    database.dispose()
    return Served(api_id, token)


@contextlib.contextmanager
def _serving(url: str) -> Iterator[TestClient]:
    database = Database.from_url(url)
    settings = load_settings(database_url=url, _env_file=None)
    try:
        with TestClient(create_app(settings, db=database, clock=Clock())) as client:
            yield client
    finally:
        database.dispose()


def _assert_odata_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["error"]["code"] == "database_unavailable"


def _assert_unavailable(response, reason: str | None = None) -> None:
    error = assert_error(response, 503, "database_unavailable")
    assert int(response.headers["retry-after"]) > 0
    if reason:
        assert error["details"]["reason"] == reason


# -- read-only SQLite --------------------------------------------------------------------------


def test_a_read_only_sqlite_file_is_a_503_and_not_ready(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    served = _seed(f"sqlite:///{path}")
    with _serving(f"sqlite:///file:{path}?mode=ro&uri=true") as client:
        _assert_ro(client, served)


def _assert_ro(client: TestClient, served: Served) -> None:
    _assert_unavailable(client.get(served.feed, headers=served.auth), "read_only")
    _assert_odata_unavailable(client.get(f"/odata/v4/{served.api_id}/Tasks", headers=served.auth))
    ready = client.get("/readyz")
    _assert_unavailable(ready, "read_only")
    assert ready.json()["error"]["details"]["checks"]["writable"] == "read_only"
    assert client.get("/healthz").status_code == 200


def test_a_writable_sqlite_file_is_ready(tmp_path: Path) -> None:
    path = tmp_path / "rw.db"
    served = _seed(f"sqlite:///{path}")
    with _serving(f"sqlite:///{path}") as client:
        assert client.get(served.feed, headers=served.auth).status_code == 200
        ready = client.get("/readyz").json()

    assert ready == {
        "status": "ready",
        "checks": {"database": "ok", "writable": "ok", "schema": "ok"},
    }


def test_an_unmigrated_database_is_not_ready(tmp_path: Path) -> None:
    with _serving(f"sqlite:///{tmp_path / 'empty.db'}") as client:
        ready = client.get("/readyz")

    _assert_unavailable(ready)
    assert ready.json()["error"]["details"]["checks"]["schema"] == "schema_outdated"


# -- a throwaway PostgreSQL server -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, run as the ``postgres`` user when the
    tests run as root (``initdb`` refuses root)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="planbridge-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayPostgres]:
    if not PG_BIN or not (PG_BIN[-1] / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: initdb refuses root")
    server = ThrowawayPostgres(PG_BIN[-1])
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()  # unless the test left it stopped
        shutil.rmtree(server.dir, ignore_errors=True)


def test_a_postgresql_outage_is_a_503_with_retry_after_and_recovers_alone(throwaway_pg) -> None:
    served = _seed(throwaway_pg.url)
    with _serving(throwaway_pg.url) as client:
        _outage_and_recovery(client, served, throwaway_pg)


def _outage_and_recovery(client: TestClient, served: Served, throwaway_pg) -> None:
    assert client.get(served.feed, headers=served.auth).status_code == 200
    assert client.get("/readyz").status_code == 200

    throwaway_pg.stop()
    try:
        for url in (served.feed, f"{served.feed}/metrics", f"{served.feed}/tables/tasks.csv"):
            _assert_unavailable(client.get(url, headers=served.auth), "unreachable")
        odata = f"/odata/v4/{served.api_id}/Tasks"
        _assert_odata_unavailable(client.get(odata, headers=served.auth))
        _assert_unavailable(client.get("/api/v1/projects/OUT/tasks"), "unreachable")
        # a body with a well-formed token: the body limit looks the token up first, and an
        # outage there is the route's 503, not a 500
        pat = {"Authorization": f"Bearer {token_secrets.generate('pbp_')}"}
        posted = client.post("/api/v1/projects/OUT/tasks", json={"name": "x"}, headers=pat)
        _assert_unavailable(posted, "unreachable")
        ready = client.get("/readyz")
        _assert_unavailable(ready, "unreachable")
        assert ready.json()["error"]["details"]["checks"]["database"] == "unreachable"
        assert client.get("/healthz").status_code == 200
    finally:
        throwaway_pg.start()

    deadline = time.monotonic() + 20
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/readyz").status_code == 200
    assert client.get(served.feed, headers=served.auth).status_code == 200
