"""Where a pull lands: DuckDB (one local file, the default), PostgreSQL, or files (Parquet or
Delta) on a local path or any fsspec URL (``s3://``, ``gs://``, ``az://``)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from dlt.common.destination import Destination

from planbridge.etl.config import DestinationName, Portfolio
from planbridge.etl.errors import PortfolioConfigError


@dataclass(frozen=True)
class Target:
    destination: Destination[Any, Any]
    run_options: dict[str, Any]
    where: str
    """Where the data went, for people: a path or URL, never credentials."""
    merges: bool = True
    """False for files: rows are appended (new versions only)."""


def target(name: DestinationName, portfolio: Portfolio) -> Target:
    import dlt

    options = portfolio.settings
    if name == "duckdb":
        path = portfolio.path(options.duckdb.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        duck = dlt.destinations.duckdb(credentials=str(path))
        return Target(duck, {"loader_file_format": "parquet"}, str(path))
    if name == "postgres":
        env_name = options.postgres.credentials_env
        credentials = portfolio.postgres_credentials
        if env_name and credentials is None:
            raise PortfolioConfigError(f"environment variable {env_name} is not set")
        destination = (
            dlt.destinations.postgres(credentials=credentials.get_secret_value())
            if credentials
            else dlt.destinations.postgres()
        )
        return Target(destination, {}, "postgres")
    return _filesystem(portfolio)


def _filesystem(portfolio: Portfolio) -> Target:
    import dlt

    fs = portfolio.settings.filesystem
    url = fs.bucket_url if "://" in fs.bucket_url else str(portfolio.path(fs.bucket_url))
    run: dict[str, Any] = {"loader_file_format": "parquet"}
    if fs.table_format == "delta":
        if importlib.util.find_spec("deltalake") is None:
            raise PortfolioConfigError(
                "table_format = 'delta' needs the deltalake package", hint="pip install deltalake"
            )
        run["table_format"] = "delta"
    return Target(dlt.destinations.filesystem(bucket_url=url), run, url, merges=False)
