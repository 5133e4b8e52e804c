"""``planbridge exports create|list|run`` (the Typer sub-app)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli.exports_command import exports_app


@pytest.fixture
def exports(db, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("PLANBRIDGE_EXPORTS_DIR", str(tmp_path))
    monkeypatch.setenv("PLANBRIDGE_HISTORY_DAYS", "100000")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(exports_app, list(args))
        assert result.exit_code == code, result.output
        return result

    return run


def test_create_list_run_with_json(exports, team):
    created = json.loads(
        exports(
            "create",
            "QST",
            "--name",
            "Done",
            "--table",
            "tasks",
            "--format",
            "txt",
            "--columns",
            "name,status",
            "--filter",
            'status eq "planned"',
            "--by",
            team.admin,
            "--json",
        ).stdout
    )
    assert created["filters"] == [{"column": "status", "op": "eq", "value": "planned"}]
    listed = json.loads(exports("list", "QST", "--json").stdout)
    assert [a["name"] for a in listed] == ["Done"]
    (manifest,) = json.loads(exports("run", "QST", "Done", "--json").stdout)
    data = Path(manifest["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"]
    assert data.startswith(b"name\tstatus\r\n")


def test_a_member_cannot_create(exports, team):
    result = exports(
        "create", "QST", "--name", "X", "--table", "tasks", "--by", team.member, code=1
    )
    assert "not an admin" in result.output
