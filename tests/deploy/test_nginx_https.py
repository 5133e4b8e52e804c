"""The shipped nginx configuration, run by Debian's nginx with a self-signed certificate in
front of two PlanBridge worker processes on a fresh PostgreSQL database: the feed, OData, a
CSV download and the web sign-in through https, with every URL PlanBridge returns on the
public https address and the session cookie ``Secure``.

Only the machine-specific values of ``deploy/nginx/*.conf`` change (ports, certificate and log
paths, server name); the proxy connects from 127.0.0.2, the only address PlanBridge trusts
forwarded headers from, so a direct request proves those headers are refused from anyone else.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.schema import migrate
from tests.builders import publish_at, small_plan
from tests.conftest import REPO
from tests.web.conftest import PASSWORD, csrf_of

pytestmark = pytest.mark.slow
DEPLOY = REPO / "deploy" / "nginx"
PROXY_ADDRESS = "127.0.0.2"
ADMIN = "ada@example.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if not found:
        pytest.fail(f"{name} is not installed: run make system-deps")
    return found


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    server = make_url(
        os.environ.get("PLANBRIDGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    name = f"planbridge_nginx_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Published:
    api_id: str
    token: str


def _publish_a_project(url: str) -> Published:
    db = Database.from_url(url)
    try:
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            project = projects.create_project(
                session, name="Quay Street", code="QS1", organisation="Org", timezone="UTC"
            )
            integrations.set_integration(session, project, OPERATOR, enabled=True)
            issued = integrations.create_token(
                session,
                project,
                OPERATOR,
                name="nginx test",
                days=None,
                max_days=90,
                default_days=90,
                now=dt.datetime.now(dt.UTC),
            )
            accounts.create_account(
                session,
                OPERATOR,
                email=ADMIN,
                name="Ada Admin",
                organisation="Org",
                password=PASSWORD,
                now=dt.datetime.now(dt.UTC),
                link_hours=72,
            )
            projects.add_member(session, project, projects.get_user(session, ADMIN), "admin")
        small_plan(db, project)
        publish_at(db, project, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        return Published(project.api_id, issued.secret)
    finally:
        db.dispose()


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, **options: object) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} stopped:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=2, **options)  # type: ignore[arg-type]
            return
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer:\n{log.read_text()}")


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            _tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx no longer has {old!r}: update this test with it"
    return text.replace(old, new)


def _nginx_conf(folder: Path, upstream: int, http: int, https: int, cache: Path) -> Path:
    cert, key = _certificate(folder)
    proxy = (DEPLOY / "planbridge_proxy.conf").read_text()
    (folder / "planbridge_proxy.conf").write_text(proxy + f"proxy_bind {PROXY_ADDRESS};\n")
    site = (DEPLOY / "planbridge.conf").read_text()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("server_name planbridge.example.com;", "server_name localhost;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("/etc/ssl/planbridge/fullchain.pem", str(cert)),
        ("/etc/ssl/planbridge/privkey.pem", str(key)),
        ("/var/log/nginx/planbridge.access.log", str(folder / "planbridge.access.log")),
        ("/etc/nginx/planbridge_proxy.conf", str(folder / "planbridge_proxy.conf")),
        ("alias /var/lib/planbridge/cache/;", f"alias {cache}/;"),
    ]:
        site = _replace(site, old, new)
    (folder / "planbridge.conf").write_text(site)
    temp = "\n".join(
        f"  {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  access_log {folder / 'access.log'};\n{temp}\n"
        f"  include {folder / 'planbridge.conf'};\n}}\n"
    )
    return main


@dataclass
class Stack:
    public: str
    direct: str
    http: str
    feed: Published
    serve: subprocess.Popen[bytes]
    ca: ssl.SSLContext

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.public, verify=self.ca, timeout=30)


@contextmanager
def _running_stack(
    postgres_url: str, tmp_path: Path, feed: Published, **settings: str
) -> Iterator[Stack]:
    nginx = _tool("nginx")
    tmp_path.mkdir(parents=True, exist_ok=True)
    upstream, http, https = _free_port(), _free_port(), _free_port()
    public = f"https://localhost:{https}"
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANBRIDGE_")}
    env.update(
        PLANBRIDGE_DATABASE_URL=postgres_url,
        PLANBRIDGE_BASE_URL=public,
        PLANBRIDGE_FORWARDED_ALLOW_IPS=PROXY_ADDRESS,
        PLANBRIDGE_ODATA_PAGE_SIZE="2",
        PLANBRIDGE_CACHE_DIR=str(cache),
        **settings,
    )
    serve_log = tmp_path / "serve.log"
    conf = _nginx_conf(tmp_path, upstream, http, https, cache)
    nginx_args = [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")]
    check = subprocess.run(
        [*nginx_args, "-t"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    with serve_log.open("wb") as sink:
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "planbridge",
                "serve",
                "--workers",
                "2",
                "--port",
                str(upstream),
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        proxy = subprocess.Popen(
            [*nginx_args, "-g", "daemon off;"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            direct = f"http://127.0.0.1:{upstream}"
            _wait(f"{direct}/healthz", serve, serve_log)
            ca = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
            _wait(f"{public}/healthz", proxy, tmp_path / "error.log", verify=ca)
            yield Stack(public, direct, f"http://localhost:{http}", feed, serve, ca)
        finally:
            for process in (proxy, serve):
                process.terminate()
                process.wait(timeout=30)


@pytest.fixture(scope="module")
def published(postgres_url: str) -> Published:
    return _publish_a_project(postgres_url)


@pytest.fixture(scope="module")
def stack(
    postgres_url: str, published: Published, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with _running_stack(postgres_url, tmp_path_factory.mktemp("nginx"), published) as running:
        yield running


def _raw(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    with client.stream("GET", url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_feed_odata_and_csv_through_https_use_the_public_address(stack: Stack):
    auth = {"Authorization": f"Bearer {stack.feed.token}"}
    feed = f"/power-bi/v1/{stack.feed.api_id}"
    workers = [
        p
        for p in psutil.Process(stack.serve.pid).children()
        if "spawn_main" in " ".join(p.cmdline())
    ]
    assert len(workers) == 2
    with stack.client() as client, httpx.Client(base_url=stack.direct, timeout=30) as direct:
        assert client.get("/").json()["docs"] == f"{stack.public}/docs"

        for encoding in ("gzip", "identity"):
            headers = {**auth, "Accept-Encoding": encoding}
            through, body = _raw(client, feed, headers)
            straight, expected = _raw(direct, feed, headers)
            assert through.status_code == 200 == straight.status_code
            assert through.headers.get("content-encoding") == straight.headers.get(
                "content-encoding"
            )
            assert through.headers["etag"] == straight.headers["etag"]
            assert body == expected  # passed through: nginx neither compressed nor decoded
        assert through.headers.get("strict-transport-security")
        assert len(client.get(feed, headers=auth).json()["tasks"]) == 3

        odata = f"/odata/v4/{stack.feed.api_id}/"
        context = client.get(odata).json()["@odata.context"]
        assert context == f"{stack.public}{odata}$metadata"
        page = client.get(f"{odata}Tasks", headers=auth).json()
        assert page["@odata.context"].startswith(f"{stack.public}{odata}$metadata")
        assert page["@odata.nextLink"].startswith(f"{stack.public}{odata}Tasks?")
        following = client.get(page["@odata.nextLink"], headers=auth)
        assert following.status_code == 200 and len(following.json()["value"]) == 1

        spoofed = direct.get(odata, headers={"X-Forwarded-Proto": "https", "Host": "evil.test"})
        assert spoofed.json()["@odata.context"].startswith("http://evil.test/")

        csv = client.get(f"{feed}/tables/tasks.csv", headers=auth)
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.content.startswith(b"\xef\xbb\xbf")
        assert len(csv.text.strip().splitlines()) == 4


def test_plain_http_redirects_to_https(stack: Stack):
    response = httpx.get(f"{stack.http}/power-bi/v1/x?limit=1", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"].startswith("https://localhost")


def test_import_bodies_are_bounded_by_nginx_at_the_import_limit(stack: Stack):
    path = "/api/v1/projects/QS1/imports"
    auth = {"Authorization": "Bearer pbp_not_a_real_token", "Content-Type": "text/csv"}
    limit = 20 * 1024 * 1024
    with stack.client() as client:
        too_large = client.post(path, headers=auth, content=b"x" * (limit + 1))
        assert too_large.status_code == 413
        assert too_large.json()["error"]["code"] == "file_too_large"
        # Under nginx's limit and PlanBridge's 64 KiB for a request without a live token (a
        # larger one would be refused by PlanBridge before nginx has sent it all, which nginx
        # may report as a 502): it reaches PlanBridge, which checks the token.
        within = client.post(path, headers=auth, content=b"x" * (32 * 1024))
        assert within.status_code == 401
        form = client.post("/power-bi/v1/x", headers=auth, content=b"x" * (65 * 1024))
        assert form.status_code == 413
        assert form.json()["error"]["code"] == "request_too_large"


def test_web_sign_in_through_https_sets_a_secure_session_and_lands_on_projects(stack: Stack):
    with stack.client() as client:
        page = client.get("/login?next=/projects")
        assert page.status_code == 200
        signed_in = client.post(
            "/login",
            data={
                "email": ADMIN,
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "/projects",
            },
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        location = signed_in.headers["location"]
        assert location in ("/projects", f"{stack.public}/projects")
        cookie = next(
            c for c in signed_in.headers.get_list("set-cookie") if c.startswith("pb_session=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie
        projects_page = client.get(location)
        assert projects_page.status_code == 200
        assert "Quay Street" in projects_page.text and str(projects_page.url).startswith(
            stack.public
        )


def test_nginx_sends_cached_files_after_planbridge_authorises(
    postgres_url: str, published: Published, tmp_path: Path
):
    """PLANBRIDGE_CACHE_ACCEL_REDIRECT with the shipped `internal` location: the same bytes and
    headers as PlanBridge sending them itself, Range requests, and no way in from outside."""
    auth = {"Authorization": f"Bearer {published.token}"}
    feed = f"/power-bi/v1/{published.api_id}"
    redirect = {"PLANBRIDGE_CACHE_ACCEL_REDIRECT": "/_planbridge_cache/"}
    with (
        _running_stack(postgres_url, tmp_path / "plain", published) as plain,
        _running_stack(postgres_url, tmp_path / "accel", published, **redirect) as accel,
        plain.client() as reference,
        accel.client() as client,
        httpx.Client(base_url=accel.direct, timeout=30) as direct,
    ):
        for path in (feed, f"{feed}/metrics", f"{feed}/tables/tasks.csv", f"{feed}/tables.xlsx"):
            for encoding in ("gzip", "identity"):
                headers = {**auth, "Accept-Encoding": encoding}
                through, body = _raw(client, path, headers)
                want, expected = _raw(reference, path, headers)
                assert through.status_code == 200 == want.status_code, path
                assert body == expected, path
                for name in ("etag", "content-type", "content-encoding", "content-disposition"):
                    assert through.headers.get(name) == want.headers.get(name), (path, name)
                assert through.headers["cache-control"] == "no-store"
                assert through.headers["content-length"] == str(len(body))
                assert through.headers.get("strict-transport-security")
                handed, empty = _raw(direct, path, headers)
                assert handed.headers["x-accel-redirect"].startswith("/_planbridge_cache/")
                assert empty == b""
                assert "x-accel-redirect" not in through.headers
        ranged, part = _raw(
            client, feed, {**auth, "Accept-Encoding": "identity", "Range": "bytes=5-24"}
        )
        assert ranged.status_code == 206 and part == expected_feed(reference, feed, auth)[5:25]
        etag = client.get(feed, headers=auth).headers["etag"]
        assert client.get(feed, headers={**auth, "If-None-Match": etag}).status_code == 304
        refused = client.get(feed, headers={"Authorization": "Bearer pbt_not_a_token"})
        assert refused.status_code == 401
        assert client.get("/_planbridge_cache/").status_code == 404
        cached = next(p for p in (tmp_path / "accel" / "cache").glob("*/*.json"))
        assert (
            client.get(f"/_planbridge_cache/{cached.parent.name}/{cached.name}").status_code == 404
        )


def expected_feed(client: httpx.Client, feed: str, auth: dict[str, str]) -> bytes:
    return _raw(client, feed, {**auth, "Accept-Encoding": "identity"})[1]
