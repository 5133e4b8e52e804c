"""``planbridge users``: create with a password from stdin or a one-time link, set-password,
list and disable; and ``serve --demo``'s demo admin."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from tests.web.conftest import csrf_of, sign_in

PASSWORD = "harbour bridge concrete pour"


@pytest.fixture
def cli(db, database_url, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None, ok: bool = True):
        result = runner.invoke(app, list(args), input=stdin)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_user_created_with_a_password_on_stdin_can_sign_in(cli, client):
    cli(
        "users",
        "create",
        "--email",
        "Ana@Example.com",
        "--name",
        "Ana",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert sign_in(client, "ana@example.com", PASSWORD).status_code == 303


def test_a_weak_password_is_refused_and_no_user_is_created(cli):
    result = cli(
        "users",
        "create",
        "--email",
        "bo@example.com",
        "--name",
        "Bo",
        "--password-stdin",
        stdin="password\n",
        ok=False,
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert "bo@example.com" not in cli("users", "list").output


def test_without_a_password_a_one_time_link_is_printed_and_works_once(cli, client, make_client):
    created = json.loads(
        cli("users", "create", "--email", "cy@example.com", "--name", "Cy", "--json").stdout
    )
    link = created["set_password_link"]
    assert link.startswith("http://127.0.0.1:8000/set-password#")
    code = link.split("#", 1)[1]
    page = client.get("/set-password")
    fields = {"code": code, "password": PASSWORD, "password_again": PASSWORD}
    done = client.post(
        "/set-password", data={"csrf_token": csrf_of(page.text), **fields}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/projects"
    assert client.get("/projects").status_code == 200
    again = make_client()
    page = again.get("/set-password")
    reused = again.post("/set-password", data={"csrf_token": csrf_of(page.text), **fields})
    assert reused.status_code == 422
    assert "not valid" in reused.text
    assert sign_in(make_client(), "cy@example.com", PASSWORD).status_code == 303


def test_an_expired_link_is_refused(cli, client, clock):
    created = json.loads(
        cli("users", "create", "--email", "di@example.com", "--name", "Di", "--json").stdout
    )
    clock.advance(days=365)
    page = client.get("/set-password")
    answer = client.post(
        "/set-password",
        data={
            "csrf_token": csrf_of(page.text),
            "code": created["set_password_link"].split("#")[1],
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert answer.status_code == 422


def test_set_password_replaces_the_password_and_ends_sessions(cli, client, make_client):
    cli(
        "users",
        "create",
        "--email",
        "ed@example.com",
        "--name",
        "Ed",
        "--password-stdin",
        stdin=PASSWORD,
    )
    sign_in(client, "ed@example.com", PASSWORD)
    assert client.get("/projects", follow_redirects=False).status_code == 200
    cli(
        "users",
        "set-password",
        "--email",
        "ed@example.com",
        "--password-stdin",
        stdin="a completely new passphrase\n",
    )
    assert client.get("/projects", follow_redirects=False).status_code == 303
    assert sign_in(make_client(), "ed@example.com", PASSWORD).status_code == 400
    assert (
        sign_in(make_client(), "ed@example.com", "a completely new passphrase").status_code == 303
    )


def test_set_password_needs_password_stdin(cli):
    result = cli("users", "set-password", "--email", "x@example.com", ok=False)
    assert "--password-stdin" in result.output


def test_list_and_disable(cli, client):
    cli(
        "users",
        "create",
        "--email",
        "fi@example.com",
        "--name",
        "Fi",
        "--password-stdin",
        stdin=PASSWORD,
    )
    sign_in(client, "fi@example.com", PASSWORD)
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert listed == [
        {
            "id": listed[0]["id"],
            "email": "fi@example.com",
            "name": "Fi",
            "password": "set",
            "state": "active",
        }
    ]
    cli("users", "disable", "--email", "fi@example.com")
    assert json.loads(cli("users", "list", "--json").stdout)[0]["state"] == "disabled"
    assert client.get("/projects", follow_redirects=False).status_code == 303
    assert sign_in(client, "fi@example.com", PASSWORD).status_code == 400


def test_demo_admin_is_created_once_with_a_random_password(db, make_client):
    from planbridge.accounts.service import create_demo_admin
    from planbridge.projects import service as projects

    with db.transaction() as session:
        project = projects.create_project(session, name="Demo", code="DEMO", organisation="D")
        user, password = create_demo_admin(session, project, now=project.created_at)
    assert len(password) >= 16
    client = make_client()
    assert sign_in(client, user.email, password).status_code == 303
    assert "Demo" in client.get("/projects/DEMO/integrations").text
