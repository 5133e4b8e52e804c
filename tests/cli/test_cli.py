"""The command line: each command, its --json output, and one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app
from planbridge.projects import service as projects
from tests.builders import small_plan


@pytest.fixture
def cli(db, database_url, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def _json(result):
    return json.loads(result.stdout)


def test_project_admin_flow_end_to_end(cli, client, db):
    cli("users", "create", "--email", "ana@example.com", "--name", "Ana Souza")
    created = _json(cli("projects", "create", "--name", "Quay Street", "--code", "qs1", "--json"))
    assert created["code"] == "QS1"
    cli("members", "add", "QS1", "ana@example.com", "--role", "admin")
    cli("integration", "enable", "QS1", "--by", "ana@example.com")
    token = _json(
        cli(
            "tokens",
            "create",
            "QS1",
            "--name",
            "BI team",
            "--days",
            "30",
            "--by",
            "ana@example.com",
            "--json",
        )
    )
    assert token["token"].startswith("pbt_")
    listed = _json(cli("tokens", "list", "QS1", "--json"))
    assert [t["name"] for t in listed] == ["BI team"]
    assert listed[0]["created_by"] == "ana@example.com"
    assert listed[0]["state"] == "active"
    assert listed[0]["days_left"] == 30
    assert "days_left" in cli("tokens", "list", "QS1").stdout
    assert token["token"] not in json.dumps(listed)
    empty = cli("publish", "QS1", "--name", "Week 1", ok=False)
    assert empty.exit_code == 1 and "has no tasks, so there is nothing to publish" in empty.output
    with db.transaction() as session:
        project = projects.get_project(session, "QS1")
    small_plan(db, project)
    version = _json(cli("publish", "QS1", "--name", "Week 1", "--json"))
    assert version["number"] == 1 and version["warnings"] == []
    again = cli("publish", "QS1", "--name", "Week 1", ok=False)
    assert "already named 'Week 1'" in again.output
    url = created["feed_url"].split("8000")[1]
    response = client.get(url, headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status_code == 200
    assert response.json()["versions"][0]["name"] == "Week 1"
    cli("tokens", "revoke", "QS1", str(token["id"]))
    revoked = _json(cli("tokens", "list", "QS1", "--json"))[0]
    assert (revoked["state"], revoked["days_left"]) == ("revoked", None)
    actions = [e["action"] for e in _json(cli("audit", "list", "QS1", "--json"))]
    assert actions == [
        "project.create",
        "member.add",
        "integration.enable",
        "token.create",
        "version.publish",
        "token.revoke",
    ]
    same_day = cli("publish", "QS1", "--name", "Week 1 again")
    assert "warning: Version 1 'Week 1' was already published today" in same_day.output


def test_errors_print_one_line_and_exit_non_zero(cli):
    cli("projects", "create", "--name", "Free one", "--code", "FREE", "--tier", "free")
    result = cli("integration", "enable", "FREE", ok=False)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: Project FREE is on the free tier")
    missing = cli("tokens", "list", "NOPE", ok=False)
    assert missing.exit_code == 1
    assert "No project 'NOPE'" in missing.output
    assert "Traceback" not in missing.output


def test_non_admin_cannot_create_tokens_from_the_cli(cli):
    cli("users", "create", "--email", "bo@example.com", "--name", "Bo")
    cli("projects", "create", "--name", "P", "--code", "P1")
    cli("members", "add", "P1", "bo@example.com", "--role", "member")
    result = cli("tokens", "create", "P1", "--name", "x", "--by", "bo@example.com", ok=False)
    assert result.exit_code == 1
    assert "not an admin" in result.output


def test_feed_suspend_and_resume(cli):
    cli("projects", "create", "--name", "P", "--code", "P2")
    assert _json(cli("feed", "suspend", "P2", "--reason", "abuse", "--json"))["feed"] == "suspended"
    listed = _json(cli("projects", "list", "--json"))
    assert listed[0]["feed"] == "suspended"
    assert _json(cli("feed", "resume", "P2", "--json"))["feed"] == "serving"


def test_demo_builds_an_enabled_project_with_a_token_and_curl_line(cli):
    result = _json(cli("demo", "--tasks", "40", "--weeks", "2", "--seed", "7", "--json"))
    assert result["versions"] == 2 and result["tasks"] == 40
    assert result["token"].startswith("pbt_")
    assert result["feed_url"] in result["curl"]
    assert "Authorization: Bearer " in result["curl"]


def test_config_show_masks_the_database_password(cli, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", "postgresql+psycopg://u:s3cret@db.example/pb")
    result = cli("config", "show", "--json")
    assert "s3cret" not in result.stdout
    settings = {row["setting"]: row for row in _json(result)}
    assert settings["PLANBRIDGE_DATABASE_URL"]["value"].startswith("postgresql+psycopg://u:***@")
    assert settings["PLANBRIDGE_FEED_MAX_MB_PRO"]["value"] == 32


def test_bad_setting_is_one_clear_line(cli, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_HISTORY_DAYS", "soon")
    result = cli("config", "show", ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("error: setting PLANBRIDGE_HISTORY_DAYS")


def test_commands_refuse_an_uninitialised_database(tmp_path, monkeypatch):
    empty = tmp_path / "empty.db"
    empty.touch()
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", f"sqlite:///{empty}")
    result = CliRunner().invoke(app, ["projects", "list"])
    assert result.exit_code == 1
    assert "run: planbridge db upgrade" in result.output
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    assert CliRunner().invoke(app, ["projects", "list"]).exit_code == 0


def test_metrics_rebuild_is_idempotent(cli):
    cli("demo", "--tasks", "40", "--weeks", "3", "--code", "MR", "--json")
    first = _json(cli("metrics", "rebuild", "MR", "--json"))
    assert first == {"project": "MR", "versions": 3, "changed": 0}


def test_every_command_takes_json(cli):
    from typer.main import get_command

    root = get_command(app)

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    for path, command in walk(root, []):
        options = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert "--json" in options, path
