"""Request bodies are bounded per route family, before any route runs. The large Plan API and
import limits need live credentials (a personal access token, or a web session on the Import
page), looked up before the body is read: anything else gets the small default limit."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import update

from planbridge.accounts import sessions
from planbridge.accounts.sessions import Lifetimes
from planbridge.integrations import secrets as token_secrets
from planbridge.integrations.personal_models import PersonalAccessToken
from planbridge.projects.models import User
from tests.api.conftest import issue_pat
from tests.error_shape import assert_error
from tests.server.test_loopback import server  # noqa: F401  (a real server on loopback)

MIB = 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


JSON = {"Content-Type": "application/json"}


@pytest.fixture
def live_pat(make_project, db, clock) -> str:
    """A live personal access token of another project's admin (the route then refuses the
    project ANY; the body limit only asks whether the token is live)."""
    feed = make_project()
    return issue_pat(db, feed.project, feed.admin.user_id, clock.now)


@pytest.fixture
def bearer(live_pat) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {live_pat}"}


def test_a_plan_api_body_over_the_limit_is_a_413_before_the_route_runs(make_client, bearer):
    client = make_client(api_body_max_mb=1)
    body = b'{"name": "' + b"x" * (2 * MIB) + b'"}'
    response = client.post("/api/v1/projects/ANY/tasks", content=body, headers=bearer)
    error = assert_error(response, 413, "request_too_large")
    assert error["details"] == {"max_bytes": MIB, "setting": "api_body_max_mb", "bytes": len(body)}
    assert "1 MiB" in error["message"] and "Plan API" in error["message"]
    assert "PLANBRIDGE_API_BODY_MAX_MB" in error["hint"]


def test_a_chunked_body_without_length_is_refused_once_it_passes_the_limit(make_client, bearer):
    client = make_client(api_body_max_mb=1)
    response = client.post("/api/v1/projects/ANY/tasks", content=_chunks(3 * MIB), headers=bearer)
    error = assert_error(response, 413, "request_too_large")
    assert error["details"] == {"max_bytes": MIB, "setting": "api_body_max_mb"}


def test_without_credentials_the_plan_api_takes_only_the_small_default_body(make_client):
    client = make_client(api_body_max_mb=1, form_body_max_kb=4)
    for body in (b" " * 5000, _chunks(5000, size=1000)):
        response = client.post("/api/v1/projects/ANY/tasks", content=body, headers=JSON)
        error = assert_error(response, 413, "request_too_large")
        assert error["details"]["setting"] == "form_body_max_kb" and "4 KiB" in error["message"]


def test_a_body_within_the_limit_still_reaches_the_route(make_client, bearer):
    client = make_client(api_body_max_mb=1)
    response = client.post(
        "/api/v1/projects/ANY/tasks", content=b'{"name": "' + b"x" * 1000 + b'"}', headers=bearer
    )
    assert_error(response, 404, "project_not_found")


def test_a_made_up_revoked_or_expired_token_gets_only_the_small_default_body(
    make_client, live_pat, db, clock
):
    """Only a live personal access token earns the Plan API's limit: a forged one (even well
    formed: the checksum is public), a Basic header, a feed token, or a revoked or expired PAT
    cannot make the server hold more than the small default."""
    client = make_client(api_body_max_mb=1, import_max_mb=1, form_body_max_kb=4)
    body = b'{"name": "' + b"x" * 5000 + b'"}'
    forged = token_secrets.generate("pbp_")  # well formed, checksum right, never issued
    assert token_secrets.is_well_formed(forged, "pbp_")
    for authorization in (
        "Bearer pbp_not_a_real_token",
        f"Bearer {forged}",
        "Basic YWRtaW46c2VjcmV0",
        "Bearer pbt_feed_tokens_do_not_count",
    ):
        for path in ("/api/v1/projects/ANY/tasks", "/api/v1/projects/ANY/imports"):
            response = client.post(
                path, content=body, headers={**JSON, "Authorization": authorization}
            )
            error = assert_error(response, 413, "request_too_large")
            assert error["details"]["setting"] == "form_body_max_kb", (authorization, path)
            assert "without a valid personal access token" in error["message"]
    live = {**JSON, "Authorization": f"Bearer {live_pat}"}
    assert client.post("/api/v1/projects/ANY/tasks", content=body, headers=live).status_code == 404
    with db.transaction() as session:
        session.execute(update(PersonalAccessToken).values(revoked_at=clock.now))
    error = assert_error(
        client.post("/api/v1/projects/ANY/tasks", content=body, headers=live),
        413,
        "request_too_large",
    )
    assert error["details"]["setting"] == "form_body_max_kb"
    with db.transaction() as session:
        session.execute(
            update(PersonalAccessToken).values(
                revoked_at=None, expires_at=clock.now - dt.timedelta(seconds=1)
            )
        )
    error = assert_error(
        client.post("/api/v1/projects/ANY/tasks", content=body, headers=live),
        413,
        "request_too_large",
    )
    assert error["details"]["setting"] == "form_body_max_kb"


def test_every_other_route_takes_only_a_small_body(make_client):
    client = make_client(form_body_max_kb=4)
    error = assert_error(client.post("/", content=b"x" * 5000), 413, "request_too_large")
    assert "4 KiB" in error["message"] and error["details"]["setting"] == "form_body_max_kb"
    assert_error(client.post("/", content=b"x" * 100), 405, "method_not_allowed")


def test_the_default_limits_are_documented_sizes(settings):
    from planbridge.body_limits import family_for

    assert family_for("/api/v1/projects/RIV/imports", settings).max_bytes == 20 * MIB
    assert family_for("/api/v1/projects/RIV/tasks", settings).max_bytes == 32 * MIB
    assert family_for("/login", settings).max_bytes == 64 * 1024
    anonymous = family_for("/api/v1/projects/RIV/imports", settings, authorization=False)
    assert anonymous.max_bytes == 64 * 1024


@pytest.mark.slow
def test_a_real_server_refuses_a_declared_200_mib_body_before_it_is_sent(server):  # noqa: F811
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/projects/ANY/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 209715200\r\n\r\n"
        )
        # Not one byte of the body is sent: the answer must come anyway.
        received = b""
        while chunk := sock.recv(65536):  # the server closes the connection after answering
            received += chunk
        answer = received.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413 "), answer
    assert "request_too_large" in answer


def test_the_session_cookie_name_is_the_web_apps():
    from planbridge import body_limits
    from planbridge.web.auth import SESSION_COOKIE

    assert f"{SESSION_COOKIE}=".encode() == body_limits.SESSION_COOKIE


def test_a_session_cookie_gets_the_import_limit_on_the_import_page_only(
    make_client, make_project, db, clock
):
    feed = make_project()
    with db.transaction() as session:
        user = session.get(User, feed.admin.user_id)
        secret = sessions.start(
            session,
            user,
            now=clock.now,
            lifetimes=Lifetimes(idle=dt.timedelta(hours=1), absolute=dt.timedelta(days=1)),
        )
    client = make_client(import_max_mb=1, form_body_max_kb=1)
    client.cookies.set("pb_session", "not-a-session")
    made_up = client.post(
        "/projects/ANY/import", content=b"x" * (200 * 1024), headers={"Accept": "text/html"}
    )
    assert made_up.status_code == 413, "a made-up session gets the 1 KiB default"
    client.cookies.set("pb_session", secret)
    body = b"x" * (200 * 1024)
    page = client.post("/projects/ANY/import", content=body, headers={"Accept": "text/html"})
    assert page.status_code != 413, "200 KiB is under the 1 MiB import limit"
    api = client.post("/api/v1/projects/ANY/imports", content=body)
    assert_error(api, 413, "request_too_large")
    over = client.post(
        "/projects/ANY/import", content=b"x" * (2 * MIB), headers={"Accept": "text/html"}
    )
    assert over.status_code == 413
    assert over.headers["content-type"].startswith("text/html")
    assert "The file is too large" in over.text and "Nothing was changed." in over.text
