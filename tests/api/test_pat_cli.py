"""``planbridge pat create|list|revoke`` (the Typer sub-app, as the lead registers it)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from planbridge.cli.pat_command import pat_app


@pytest.fixture
def pat(db, database_url, monkeypatch):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(pat_app, list(args))
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def test_create_list_revoke_with_json(pat, client, api):
    created = json.loads(
        pat("create", api.code, "--name", "CLI sync", "--by", api.member.label, "--json").stdout
    )
    assert created["token"].startswith("pbp_") and created["user"] == api.member.label
    assert created["api_url"].endswith(f"/api/v1/projects/{api.code}")
    auth = {"Authorization": f"Bearer {created['token']}"}
    assert client.get(api.url(), headers=auth).status_code == 200
    listed = json.loads(pat("list", api.code, "--by", api.member.label, "--json").stdout)
    assert [t["name"] for t in listed] == ["member sync", "CLI sync"]
    assert all(t["state"] == "active" for t in listed)
    assert created["token"] not in json.dumps(listed)
    everyone = json.loads(pat("list", api.code, "--json").stdout)
    assert len(everyone) == 3
    revoked = json.loads(pat("revoke", api.code, str(created["id"]), "--json").stdout)
    assert revoked["state"] == "revoked"
    assert client.get(api.url(), headers=auth).status_code == 401


def test_operator_creates_for_a_named_user_with_a_lifetime(pat, api):
    created = json.loads(
        pat(
            "create", api.code, "--name", "P6", "--user", api.admin.label, "--days", "7", "--json"
        ).stdout
    )
    assert created["user"] == api.admin.label
    text = pat("list", api.code, "--user", api.admin.label).stdout
    assert "P6" in text and "member sync" not in text


def test_errors_are_one_line_and_exit_non_zero(pat, api):
    no_user = pat("create", api.code, "--name", "x", ok=False)
    assert no_user.exit_code == 1 and "--user EMAIL" in no_user.output
    too_long = pat(
        "create", api.code, "--name", "x", "--user", api.admin.label, "--days", "91", ok=False
    )
    assert "1 to 90 days" in too_long.output
    not_owner = pat(
        "create",
        api.code,
        "--name",
        "x",
        "--user",
        api.member.label,
        "--by",
        api.admin.label,
        ok=False,
    )
    assert "acts as its owner" in not_owner.output
