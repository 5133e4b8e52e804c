"""``planbridge serve`` reports a busy port, bad settings and SQLite workers before its banner,
with the fix, and warns when the printed URLs would not reach it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planbridge.cli import serve_checks
from planbridge.settings import load_settings


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANBRIDGE_")}
    env["PLANBRIDGE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    env.update({f"PLANBRIDGE_{k.upper()}": v for k, v in settings.items()})
    return env


def _serve_fails(tmp_path: Path, *args: str, **settings: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "planbridge", "serve", *args],
        env=_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "serving" not in done.stderr + done.stdout
    return done.stderr


def test_busy_port_is_reported_before_the_banner_with_the_fix(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = _serve_fails(tmp_path, "--port", str(port))
    assert error.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert f"--port {port + 1}" in error
    assert not (tmp_path / "serve.db").exists()


def test_several_workers_on_sqlite_are_refused(tmp_path):
    error = _serve_fails(tmp_path, "--workers", "2", port=str(_free_port()))
    assert error.startswith("error: 2 workers need PostgreSQL; the database is SQLite")
    assert "PLANBRIDGE_DATABASE_URL=postgresql" in error


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"base_url": "planbridge.example.com"}, "setting PLANBRIDGE_BASE_URL"),
        ({"token_default_days": "60", "token_max_days": "30"}, "PLANBRIDGE_TOKEN_DEFAULT_DAYS"),
        ({"host": "192.0.2.77"}, "192.0.2.77 is not an address of this machine"),
        ({"port": "http"}, "setting PLANBRIDGE_PORT"),
    ],
)
def test_bad_settings_are_reported_before_the_banner(tmp_path, settings, message):
    assert message in _serve_fails(tmp_path, **{"port": str(_free_port()), **settings})


@pytest.mark.slow
def test_unset_base_url_on_all_interfaces_warns_before_the_banner(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "planbridge", "serve"],
        env=_env(tmp_path, host="0.0.0.0", port=str(_free_port("0.0.0.0"))),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    assert process.stderr is not None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "serving on" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stderr.close()
    assert lines[0].startswith("warning: PLANBRIDGE_BASE_URL is not set while listening on")
    assert lines[1] == f"Database: SQLite file {tmp_path / 'serve.db'}\n"
    assert "serving on 0.0.0.0" in lines[2]


def _warnings(**settings: object) -> list[str]:
    config = load_settings(_env_file=None, database_url="sqlite://", **settings)
    return [w.message for w in serve_checks.warnings(config)]


def test_base_url_warnings_name_what_clients_would_get_wrong():
    assert _warnings() == []
    assert "not set while listening on ::" in _warnings(host="::")[0]
    assert _warnings(base_url="https://planbridge.example.com", host="0.0.0.0") == []
    assert _warnings(base_url="http://127.0.0.1:8000", port=8000) == []
    assert _warnings(base_url="http://localhost:8000", port=8000) == []
    mismatch = _warnings(base_url="http://127.0.0.1:8000", port=9000)
    assert "does not match the listening address 127.0.0.1:9000" in mismatch[0]
    assert "does not match" in _warnings(base_url="http://127.0.0.1:8000", host="0.0.0.0")[0]
    plain = _warnings(base_url="http://planbridge.example.com")
    assert "unencrypted" in plain[0]
