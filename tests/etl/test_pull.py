"""Pulling a portfolio from a real server into DuckDB: every row once, then only new ones."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import duckdb

from planbridge.etl import config, hints
from planbridge.etl.catalog import feed_tables
from planbridge.etl.pull import pull
from tests.builders import publish_at
from tests.conftest import T0
from tests.etl.conftest import feed, write_portfolio

DUCKDB_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP WITH TIME ZONE",
}


def _portfolio(tmp_path: Path, server, demos, **kwargs) -> config.Portfolio:
    env: dict[str, str] = {}
    path = write_portfolio(tmp_path / "portfolio.toml", server, demos, env, **kwargs)
    return config.load(path, environ=env)


def _feed_counts(server, demos) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for demo in demos:
        body = feed(server, demo)
        for table in feed_tables():
            counts[(demo.project.api_id, table.name)] += len(body[table.name])
    return counts


def _loaded_counts(path: Path) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    with duckdb.connect(str(path), read_only=True) as con:
        present = {
            r[0]
            for r in con.sql(
                "select table_name from information_schema.tables where table_schema = 'planbridge'"
            ).fetchall()
        }
        for table in feed_tables():
            if table.name not in present:
                continue
            for project_id, n in con.sql(
                f'select project_id, count(*) from planbridge."{table.name}" group by 1'
            ).fetchall():
                counts[(project_id, table.name)] = n
    return counts


def test_first_pull_loads_every_row_of_every_project_with_catalog_types(server, demos, tmp_path):
    portfolio = _portfolio(tmp_path, server, demos)
    report = pull(portfolio)
    assert report.ok, report
    assert all(p.status == "loaded" and p.versions == 3 for p in report.projects.values())
    expected = _feed_counts(server, demos)
    assert +expected == _loaded_counts(tmp_path / "warehouse.duckdb")
    assert sum(p.rows for p in report.projects.values()) == sum(expected.values())
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        for table in feed_tables():
            found = {
                name: (kind, nullable)
                for name, kind, nullable in con.sql(
                    "select column_name, data_type, is_nullable from information_schema.columns"
                    " where table_schema = 'planbridge' and table_name = ?",
                    params=[table.name],
                ).fetchall()
            }
            if not found:
                continue
            for column in table.columns:
                assert found[column.name] == (
                    DUCKDB_TYPES[column.type],
                    "YES" if column.nullable else "NO",
                ), (table.name, column.name)
            assert found["project_id"] == ("VARCHAR", "NO")
            assert not set(found) - {*table.column_names, "project_id", "_dlt_load_id", "_dlt_id"}
        projects = con.sql("select portfolio_name, code from planbridge.projects").fetchall()
        assert sorted(projects) == sorted((d.name, d.project.code) for d in demos)


def test_second_pull_moves_no_row_and_a_new_publication_is_pulled_alone(
    server, demos, db, tmp_path
):
    portfolio = _portfolio(tmp_path, server, demos[:3])
    assert pull(portfolio).ok
    before = _loaded_counts(tmp_path / "warehouse.duckdb")

    again = pull(portfolio)
    assert again.ok
    assert [(p.versions, p.rows) for p in again.projects.values()] == [(0, 0)] * 3
    assert _loaded_counts(tmp_path / "warehouse.duckdb") == before

    changed = demos[1]
    publish_at(db, changed.project, T0 + dt.timedelta(days=2), name="Week 4")
    third = pull(portfolio)
    assert third.ok
    pulled = {p.name: (p.versions, p.rows > 0) for p in third.projects.values()}
    assert pulled == {"site-1": (0, False), "site-2": (1, True), "site-3": (0, False)}
    after = _loaded_counts(tmp_path / "warehouse.duckdb")
    assert +after == +_feed_counts(server, demos[:3])
    grown = {key for key in after if after[key] != before.get(key, 0)}
    assert grown and all(project_id == changed.project.api_id for project_id, _ in grown)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        names = con.sql(
            "select name from planbridge.versions where project_id = ? order by number",
            params=[changed.project.api_id],
        ).fetchall()
    assert names[-1] == ("Week 4",) and len(names) == 4


def test_unchanged_projects_answer_304_once_the_cursor_settled(server, demos, tmp_path):
    portfolio = _portfolio(tmp_path, server, demos[:2])
    for _ in range(3):
        assert pull(portfolio).ok
    for demo in demos[:2]:
        statuses = [
            line["status"]
            for line in (json.loads(t) for t in server.log.read_text().splitlines() if t[:1] == "{")
            if line.get("message") == "request" and line["path"] == demo.path
        ]
        assert statuses == [200, 200, 304]


def test_full_pull_replaces_rows_without_duplicating_them(server, demos, tmp_path):
    portfolio = _portfolio(tmp_path, server, demos[:2])
    assert pull(portfolio).ok
    before = _loaded_counts(tmp_path / "warehouse.duckdb")
    full = pull(portfolio, full=True)
    assert full.ok and all(p.versions == 3 for p in full.projects.values())
    assert _loaded_counts(tmp_path / "warehouse.duckdb") == before


def test_every_feed_table_has_its_keys_declared():
    assert set(hints.ROW_KEYS) | {"ppc_breakdown", "variance"} == {t.name for t in feed_tables()}
