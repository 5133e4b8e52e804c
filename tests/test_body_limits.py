"""Request bodies are bounded per route family, before any route (or authentication) runs."""

from __future__ import annotations

import socket

import pytest

from tests.error_shape import assert_error
from tests.server.test_loopback import server  # noqa: F401  (a real server on loopback)

MIB = 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


JSON = {"Content-Type": "application/json"}
BEARER = {**JSON, "Authorization": "Bearer pbp_not_checked_yet"}


def test_a_plan_api_body_over_the_limit_is_a_413_before_the_token_is_checked(make_client):
    client = make_client(api_body_max_mb=1)
    body = b'{"name": "' + b"x" * (2 * MIB) + b'"}'
    response = client.post("/api/v1/projects/ANY/tasks", content=body, headers=BEARER)
    error = assert_error(response, 413, "request_too_large")
    assert error["details"] == {"max_bytes": MIB, "setting": "api_body_max_mb", "bytes": len(body)}
    assert "1 MiB" in error["message"] and "Plan API" in error["message"]
    assert "PLANBRIDGE_API_BODY_MAX_MB" in error["hint"]


def test_a_chunked_body_without_length_is_refused_once_it_passes_the_limit(make_client):
    client = make_client(api_body_max_mb=1)
    response = client.post("/api/v1/projects/ANY/tasks", content=_chunks(3 * MIB), headers=BEARER)
    error = assert_error(response, 413, "request_too_large")
    assert error["details"] == {"max_bytes": MIB, "setting": "api_body_max_mb"}


def test_without_credentials_the_plan_api_takes_only_the_small_default_body(make_client):
    client = make_client(api_body_max_mb=1, form_body_max_kb=4)
    for body in (b" " * 5000, _chunks(5000, size=1000)):
        response = client.post("/api/v1/projects/ANY/tasks", content=body, headers=JSON)
        error = assert_error(response, 413, "request_too_large")
        assert error["details"]["setting"] == "form_body_max_kb" and "4 KiB" in error["message"]


def test_a_body_within_the_limit_still_reaches_the_route(make_client):
    client = make_client(api_body_max_mb=1)
    response = client.post(
        "/api/v1/projects/ANY/tasks", content=b'{"name": "' + b"x" * 1000 + b'"}', headers=BEARER
    )
    assert_error(response, 404, "project_not_found")


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


def test_a_session_cookie_gets_the_import_limit_on_the_import_page_only(make_client):
    client = make_client(import_max_mb=1, form_body_max_kb=1)
    client.cookies.set("pb_session", "not-checked-yet")
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
