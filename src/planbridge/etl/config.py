"""The portfolio file (``portfolio.toml``): which projects to pull, where to, and how politely.

Tokens are never required in the file: each project names an environment variable
(``token_env``), or its token sits in dlt's ``.dlt/secrets.toml`` under
``[planbridge.tokens]``. A token is held as a :class:`~pydantic.SecretStr`, so no repr, log or
error shows it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from planbridge.etl.errors import PortfolioConfigError, ProjectFailed
from planbridge.integrations.secrets import is_well_formed, looks_like_token

DestinationName = Literal["duckdb", "postgres", "filesystem"]
FEED_PATH = re.compile(r"^(?P<base>.*)/power-bi/v1/(?P<api_id>p_[A-Za-z0-9_-]+)/?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectEntry(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$")
    url: str
    token_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    token: SecretStr | None = None


class DuckDBOptions(_Strict):
    path: str = "portfolio.duckdb"


class PostgresOptions(_Strict):
    credentials_env: str | None = None
    """Environment variable holding the connection URL; else dlt's own configuration
    (``DESTINATION__POSTGRES__CREDENTIALS`` or ``[destination.postgres]`` in secrets.toml)."""


class FilesystemOptions(_Strict):
    bucket_url: str = "warehouse"
    table_format: Literal["parquet", "delta"] = "parquet"


class PortfolioFile(_Strict):
    destination: DestinationName = "duckdb"
    dataset: str = Field(default="planbridge", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    pipelines_dir: str = ".planbridge-etl"
    workers: int = Field(default=4, ge=1, le=32)
    versions_per_request: int = Field(default=52, ge=1, le=1000)
    max_attempts: int = Field(default=6, ge=1, le=50)
    max_retry_wait_s: float = Field(default=300, gt=0, le=3600)
    timeout_s: float = Field(default=120, gt=0)
    duckdb: DuckDBOptions = DuckDBOptions()
    postgres: PostgresOptions = PostgresOptions()
    filesystem: FilesystemOptions = FilesystemOptions()
    projects: list[ProjectEntry] = Field(min_length=1)


@dataclass(frozen=True)
class FeedProject:
    """One project to pull: its feed URL and token (or why it has none usable)."""

    name: str
    url: str
    api_id: str
    token: SecretStr | None
    problem: ProjectFailed | None = None

    def __repr__(self) -> str:
        return f"FeedProject(name={self.name!r}, api_id={self.api_id!r})"


@dataclass(frozen=True)
class Portfolio:
    settings: PortfolioFile
    projects: tuple[FeedProject, ...]
    base_dir: Path
    postgres_credentials: SecretStr | None = None

    def path(self, value: str) -> Path:
        """A path from the file, relative to the file's folder."""
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate


def load(path: Path, environ: dict[str, str] | None = None) -> Portfolio:
    env = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PortfolioConfigError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PortfolioConfigError(f"{path}: not a TOML file: {exc}") from None
    try:
        settings = PortfolioFile.model_validate(raw)
    except ValidationError as exc:
        problem = _first_problem(exc)
        raise PortfolioConfigError(f"{path}: {problem}", hint="see docs/etl.md") from None
    if Path(settings.duckdb.path).stem == settings.dataset:
        raise PortfolioConfigError(
            f"{path}: the DuckDB file and the dataset are both named '{settings.dataset}'",
            hint="DuckDB would confuse them; rename one",
        )
    seen: dict[str, str] = {}
    projects = []
    for entry in settings.projects:
        project = _project(entry, env, path)
        for key in (entry.name, project.api_id):
            if key in seen:
                raise PortfolioConfigError(
                    f"{path}: projects '{seen[key]}' and '{entry.name}' repeat '{key}'",
                    hint="each project and each feed URL once",
                )
            seen[key] = entry.name
        projects.append(project)
    pg_env = settings.postgres.credentials_env
    pg = SecretStr(env[pg_env]) if pg_env and env.get(pg_env) else None
    return Portfolio(settings, tuple(projects), path.resolve().parent, pg)


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top)"
    return f"{where}: {first['msg']}"


def _project(entry: ProjectEntry, env: Any, path: Path) -> FeedProject:
    if looks_like_token(entry.url):
        raise PortfolioConfigError(
            f"{path}: project '{entry.name}': the URL holds a token",
            hint="revoke that token; give the token with token_env, never in a URL",
        )
    parts = urlsplit(entry.url)
    match = FEED_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or not parts.netloc or not match or parts.query:
        raise PortfolioConfigError(
            f"{path}: project '{entry.name}': url must be a feed URL "
            "like https://host/power-bi/v1/p_... (no query string)"
        )
    token, problem = _token(entry, env)
    url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return FeedProject(entry.name, url, match["api_id"], token, problem)


def _token(entry: ProjectEntry, env: Any) -> tuple[SecretStr | None, ProjectFailed | None]:
    if entry.token_env and entry.token:
        return None, ProjectFailed("give token or token_env, not both")
    if entry.token_env:
        value = env.get(entry.token_env, "")
        if not value:
            return None, ProjectFailed(f"environment variable {entry.token_env} is not set")
        where = f"environment variable {entry.token_env}"
    elif entry.token:
        value, where = entry.token.get_secret_value(), "token in the portfolio file"
    else:
        value, where = _dlt_secret(entry.name), "dlt secrets"
        if not value:
            return None, ProjectFailed(
                "no token",
                hint=f"set token_env, or planbridge.tokens.{entry.name} in .dlt/secrets.toml",
            )
    if not is_well_formed(value.strip()):
        return None, ProjectFailed(f"the {where} is not a PlanBridge feed token (pbt_...)")
    return SecretStr(value.strip()), None


def _dlt_secret(name: str) -> str:
    """``planbridge.tokens.NAME`` from dlt's providers (env, ``.dlt/secrets.toml``)."""
    import dlt

    value: Any = dlt.secrets.get(f"planbridge.tokens.{name}")
    return value if isinstance(value, str) else ""
