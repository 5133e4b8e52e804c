"""The same portfolio into DuckDB, PostgreSQL and Parquet files: identical rows everywhere."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest

from planbridge.etl import config
from planbridge.etl.catalog import feed_tables
from planbridge.etl.errors import PortfolioConfigError
from planbridge.etl.pull import pull
from tests.etl.conftest import feed, write_portfolio

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DLT = "postgresql://postgres:trust-auth-ignores-it@127.0.0.1:5432"  # dlt insists on a password


@pytest.fixture
def warehouse_pg() -> Iterator[str]:
    """A fresh PostgreSQL database for the warehouse, dropped afterwards."""
    name = f"planbridge_etl_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ordered(table) -> str:
    columns = ", ".join(f'"{c}"' for c in ("project_id", *table.column_names))
    return f'select {columns} from planbridge."{table.name}" order by {columns}'


def test_duckdb_postgres_and_parquet_hold_identical_rows(
    server, demos, tmp_path: Path, warehouse_pg: str
):
    env = {"WAREHOUSE_PG": f"{PG_DLT}/{warehouse_pg}"}
    extra = '[postgres]\ncredentials_env = "WAREHOUSE_PG"\n[filesystem]\nbucket_url = "lake"'
    path = write_portfolio(tmp_path / "portfolio.toml", server, demos[:2], env, extra=extra)
    portfolio = config.load(path, environ=env)
    reports = {name: pull(portfolio, name) for name in ("duckdb", "postgres", "filesystem")}
    again = pull(portfolio, "filesystem")  # files are appended to: a re-run must add nothing
    assert again.ok and [p.versions for p in again.projects.values()] == [0, 0]
    with pytest.raises(PortfolioConfigError, match="--full would append"):
        pull(portfolio, "filesystem", full=True)
    assert all(r.ok for r in reports.values()), {
        n: (r.load_error, [p.error for p in r.failed]) for n, r in reports.items()
    }

    expected = {t.name: sum(len(feed(server, d)[t.name]) for d in demos[:2]) for t in feed_tables()}
    lake = tmp_path / "lake" / "planbridge"
    with (
        duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as dd,
        psycopg.connect(f"{PG_SERVER}/{warehouse_pg}") as pg,
    ):
        for table in feed_tables():
            if not expected[table.name]:
                continue
            in_duckdb = dd.sql(_ordered(table)).fetchall()
            in_postgres = [tuple(r) for r in pg.execute(_ordered(table)).fetchall()]
            assert len(in_duckdb) == expected[table.name], table.name
            assert in_duckdb == in_postgres, table.name
            files = f"{lake / table.name}/*.parquet"
            in_parquet = duckdb.sql(
                _ordered(table).replace(f'planbridge."{table.name}"', f"read_parquet('{files}')")
            ).fetchall()
            assert in_parquet == in_duckdb, table.name
