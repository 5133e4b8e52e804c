"""One database whatever the current folder: the documented default location, the refusal to
invent an empty database, and the database in use printed by ``config show``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli.main import app


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("PLANBRIDGE_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "planbridge" / "planbridge.db"


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_commands_from_any_folder_use_the_default_database(data_home, tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    assert _run("db", "upgrade").exit_code == 0
    assert data_home.is_file()
    assert _run("projects", "create", "--name", "Quay", "--code", "QS1").exit_code == 0
    monkeypatch.chdir(second)
    listed = _run("projects", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [p["code"] for p in json.loads(listed.stdout)] == ["QS1"]
    assert not list(first.iterdir()) and not list(second.iterdir())


def test_a_missing_database_is_named_and_not_created(data_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["projects", "list"], ["tokens", "list", "QS1"], ["publish", "QS1"]):
        result = _run(*args)
        assert result.exit_code == 1
        assert f"no database at {data_home}" in result.output
        assert "planbridge db upgrade" in result.output
    assert not data_home.exists()
    assert not (tmp_path / "planbridge.db").exists()


def test_a_relative_sqlite_url_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", "sqlite:///./here.db")
    result = _run("projects", "list")
    assert f"no database at {tmp_path / 'here.db'}" in result.output


def test_config_show_names_the_database_in_use(data_home):
    shown = _run("config", "show")
    assert shown.output.startswith(f"Database in use: SQLite file {data_home}\n")
    rows = {r["setting"]: r["value"] for r in json.loads(_run("config", "show", "--json").stdout)}
    assert rows["PLANBRIDGE_DATABASE_URL"] == f"sqlite:///{data_home}"


def test_the_default_follows_home_when_xdg_data_home_is_unset(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PLANBRIDGE_"))}
    env["HOME"] = str(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-m", "planbridge", "config", "show"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = tmp_path / ".local" / "share" / "planbridge" / "planbridge.db"
    assert shown.stdout.startswith(f"Database in use: SQLite file {expected}\n")
