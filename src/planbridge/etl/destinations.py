"""Where a pull lands: DuckDB (one local file, the default), PostgreSQL, or files (Parquet or
Delta) on a local path or any fsspec URL (``s3://``, ``gs://``, ``az://``)."""

from __future__ import annotations

import importlib.util
import os
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


def target(name: DestinationName, portfolio: Portfolio) -> Target:
    import dlt

    options = portfolio.settings
    if name == "duckdb":
        path = portfolio.path(options.duckdb.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return Target(dlt.destinations.duckdb(credentials=str(path)), {}, str(path))
    if name == "postgres":
        env_name = options.postgres.credentials_env
        credentials = os.environ.get(env_name, "") if env_name else ""
        if env_name and not credentials:
            raise PortfolioConfigError(f"environment variable {env_name} is not set")
        destination = (
            dlt.destinations.postgres(credentials=credentials)
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
    return Target(dlt.destinations.filesystem(bucket_url=url), run, url)
