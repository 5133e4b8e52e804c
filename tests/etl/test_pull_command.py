"""``planbridge pull`` as an operator runs it: a failing project, throttling, secrets kept."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from planbridge.actors import OPERATOR
from planbridge.errors import RateLimited
from planbridge.etl import config
from planbridge.etl.pull import pull
from planbridge.integrations import fair_use
from planbridge.integrations import service as integrations
from tests.etl.conftest import write_portfolio


def _run_pull(config: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planbridge", "pull", "--config", str(config), *args],
        env={**os.environ, **env},
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _revoke(db, project) -> None:
    with db.transaction() as session:
        project = session.merge(project)
        (token,) = integrations.list_tokens(session, project, OPERATOR)
        integrations.revoke_token(session, project, OPERATOR, token.id, now=dt.datetime.now(dt.UTC))


def _json_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("{")]


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_revoked_token_fails_its_project_while_the_others_load(server, demos, db, tmp_path):
    revoked = demos[1]
    _revoke(db, revoked.project)
    env: dict[str, str] = {}
    config = write_portfolio(tmp_path / "portfolio.toml", server, demos[:3], env)

    result = _run_pull(config, env, "--json")

    assert result.returncode == 1, result.stderr
    summary = {p["project"]: p for p in json.loads(result.stdout)["projects"]}
    assert summary["site-2"]["status"] == "failed"
    assert "401 invalid_token" in summary["site-2"]["error"]
    assert "revoked" in summary["site-2"]["error"]
    assert summary["site-1"]["status"] == summary["site-3"]["status"] == "loaded"
    assert summary["site-1"]["versions"] == summary["site-3"]["versions"] == 3
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        loaded = dict(
            con.sql("select project_id, count(*) from planbridge.tasks group by 1").fetchall()
        )
    assert set(loaded) == {demos[0].project.api_id, demos[2].project.api_id}


def test_text_summary_lists_each_project_and_a_bad_token_never_appears(server, demos, tmp_path):
    env: dict[str, str] = {}
    wrong = "pbt_" + "x" * 36
    config = write_portfolio(
        tmp_path / "portfolio.toml", server, demos[:2], env, tokens={"site-2": wrong}
    )

    result = _run_pull(config, env)

    assert result.returncode == 1
    cells = [[c.strip() for c in line.split("│")] for line in result.stdout.splitlines()]
    rows = {c[0]: c for c in cells if len(c) == 7}
    assert rows["site-1"][1:4] == ["loaded", "3", rows["site-1"][3]] and int(rows["site-1"][3])
    assert rows["site-2"][1] == "failed"
    assert "PB_TOKEN_SITE_2 is not a PlanBridge feed token" in rows["site-2"][6]
    assert wrong not in result.stdout + result.stderr
    assert "1 of 2 projects failed" in result.stdout


def test_tokens_never_reach_output_logs_state_or_the_warehouse(server, demos, tmp_path):
    env: dict[str, str] = {}
    config = write_portfolio(tmp_path / "portfolio.toml", server, demos[:2], env)

    result = _run_pull(config, env, "--json")
    again = _run_pull(config, env)

    assert result.returncode == 0 and again.returncode == 0, result.stderr + again.stderr
    server_log = server.log.read_bytes()
    for demo in demos[:2]:
        secret = demo.token
        for text in (result.stdout, result.stderr, again.stdout, again.stderr):
            assert secret not in text and secret[4:20] not in text
        assert secret.encode() not in server_log
        assert _files_containing(tmp_path, secret[4:20].encode()) == []
        assert _rows_containing(tmp_path / "warehouse.duckdb", secret[4:20]) == 0


def _rows_containing(warehouse: Path, needle: str) -> int:
    """Rows of any table (data, state, schemas) whose text holds ``needle``; files may compress."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.sql(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        assert len(tables) > 10
        return sum(
            con.sql(
                f'select count(*) from "{schema}"."{name}" t where cast(t as varchar) like ?',
                params=[f"%{needle}%"],
            ).fetchall()[0][0]
            for schema, name in tables
        )


def test_429_with_retry_after_is_waited_out_and_the_pull_completes(
    start_server, demos, db, tmp_path, caplog
):
    server = start_server(PLANBRIDGE_FEED_REQUESTS_PER_HOUR="600")  # Retry-After up to 6 s
    env: dict[str, str] = {}
    portfolio = config.load(write_portfolio(tmp_path / "p.toml", server, demos[:2], env), env)
    throttled = demos[0]
    with db.transaction() as session:  # a burst spends the hour's budget, as a busy client would
        for _ in range(700):
            try:
                fair_use.consume(session, throttled.project.id, 600, time.time())
            except RateLimited:
                break
        else:
            raise AssertionError("the budget never ran out")

    with caplog.at_level(logging.WARNING, logger="planbridge.etl"):
        report = pull(portfolio)

    assert report.ok, report
    outcomes = report.projects
    assert outcomes["site-1"].versions == 3 and outcomes["site-1"].waits == 1
    assert outcomes["site-2"].waits == 0
    assert "project site-1: HTTP 429, retrying after" in caplog.text
    statuses = [
        line["status"]
        for line in map(json.loads, _json_lines(server.log))
        if line.get("message") == "request"
        and line["path"] == f"/power-bi/v1/{throttled.project.api_id}"
    ]
    assert statuses == [429, 200]  # waited as told: retrying sooner would meet another 429
    assert throttled.token[4:20] not in caplog.text
