"""Typed settings, read from ``PLANBRIDGE_*`` environment variables (and an optional ``.env``).

Every field carries a description; ``docs/settings.md`` documents each one and a test keeps the
two in step. Nothing here is read at import: :func:`load_settings` builds a fresh object.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from planbridge.db import location


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PLANBRIDGE_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: SecretStr = Field(
        default_factory=lambda: SecretStr(location.default_database_url()),
        description="SQLAlchemy URL of the database. By default a SQLite file in the user's "
        "data folder (`~/.local/share/planbridge/planbridge.db` when `XDG_DATA_HOME` is unset), "
        "whatever the current folder; postgresql+psycopg://user:pass@host/db for production.",
        json_schema_extra={"documented_default": location.DOCUMENTED_DEFAULT},
    )
    base_url: str | None = Field(
        default=None,
        description="Public base URL of this service, used in printed feed URLs and docs links "
        "(default: http://HOST:PORT from the two settings below).",
    )
    host: str = Field(default="127.0.0.1", description="Address `planbridge serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `planbridge serve` binds to.")
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="PostgreSQL connections each server process keeps open (docs/deploying.md); "
        "ignored for SQLite.",
    )
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        description="Extra PostgreSQL connections a process may open above db_pool_size under "
        "load; past both, a request waits up to 30 s, then gets 503 database_unavailable.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes of `planbridge serve` (more than 1 needs PostgreSQL).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses of the reverse proxy whose X-Forwarded-Proto and "
        "X-Forwarded-For headers are trusted (`*` trusts everyone: only behind a firewall).",
    )
    history_days: int = Field(
        default=183,
        ge=1,
        description="Versions published more than this many days ago are never served.",
    )
    feed_default_versions: int = Field(
        default=5, ge=1, description="Versions returned when a request gives no `limit`."
    )
    feed_max_versions: int = Field(
        default=52, ge=1, description="Upper cap on `limit`; larger values are lowered to it."
    )
    feed_max_mb_pro: int = Field(
        default=32, ge=1, description="Largest uncompressed feed body, in MiB, for pro projects."
    )
    feed_max_mb_enterprise: int = Field(
        default=256,
        ge=1,
        description="Largest uncompressed feed body, in MiB, for enterprise projects.",
    )
    feed_requests_per_hour: int = Field(
        default=120,
        ge=1,
        description="Fair-use budget: authenticated feed requests per project per hour.",
    )
    odata_page_size: int = Field(
        default=20000,
        ge=1,
        description="Rows per page of the OData feed; larger sets continue via @odata.nextLink.",
    )
    token_max_days: int = Field(
        default=90, ge=1, le=90, description="Longest lifetime a feed token may be given (days)."
    )
    token_default_days: int = Field(
        default=90, ge=1, le=90, description="Lifetime of a new feed token when none is chosen."
    )
    token_rotate_grace_hours: int = Field(
        default=24 * 7,
        ge=0,
        le=24 * 30,
        description="How long a rotated feed token keeps working after its replacement is "
        "issued (hours).",
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for the emails PlanBridge sends (feed-token expiry notices, "
        "`planbridge tokens notify-expiring`); unset: no email is sent.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_starttls: bool = Field(
        default=True,
        description="Upgrade the SMTP connection with STARTTLS before signing in and sending "
        "(turn off only for a relay on the same host).",
    )
    smtp_username: str | None = Field(
        default=None, description="User name at the SMTP server (unset: no sign-in)."
    )
    smtp_password: SecretStr | None = Field(
        default=None, description="Password of smtp_username at the SMTP server."
    )
    smtp_from: str | None = Field(
        default=None,
        description="The From address of PlanBridge's emails, e.g. `PlanBridge "
        "<planbridge@example.com>` (needed when smtp_host is set).",
    )
    pat_default_days: int = Field(
        default=30,
        ge=1,
        le=90,
        description="Lifetime of a new personal access token (Plan API) when none is chosen.",
    )
    pat_max_days: int = Field(
        default=90,
        ge=1,
        le=90,
        description="Longest lifetime a personal access token may be given (days).",
    )
    session_idle_hours: int = Field(
        default=8,
        ge=1,
        description="A signed-in browser session ends after this many hours without a request.",
    )
    session_max_days: int = Field(
        default=30,
        ge=1,
        description="A browser session ends this many days after sign-in, however active.",
    )
    set_password_link_hours: int = Field(
        default=72,
        ge=1,
        description="How long a one-time set-password link (from `users create`) stays valid.",
    )
    publish_chunk_rows: int = Field(
        default=2000,
        ge=10,
        description="Rows per stored feed chunk at publication (bounds server memory per read).",
    )
    import_max_rows: int = Field(
        default=100_000,
        ge=1,
        description="Most task rows one import may hold (CSV/XLSX rows, XER activities, MS "
        "Project tasks); a larger file is refused while it is read, which bounds import memory.",
    )
    csv_neutralise_formulas: bool = Field(
        default=True,
        description="Prefix a single quote to CSV text cells that start with =, +, -, @, tab or "
        "carriage return, so spreadsheets do not run them as formulas (docs/files.md).",
    )
    import_max_mb: int = Field(
        default=20,
        ge=1,
        description="Largest schedule file an import accepts, in MiB, for a request with a live "
        "personal access token or web session (others get the form limit); refused with 413 "
        "while it arrives.",
    )
    api_body_max_mb: int = Field(
        default=32,
        ge=1,
        description="Largest request body of the Plan API (JSON), in MiB, for a request with a "
        "live personal access token (others get the form limit); refused with 413 while it "
        "arrives.",
    )
    form_body_max_kb: int = Field(
        default=64,
        ge=1,
        description="Largest request body of every other route (web forms, feed and OData "
        "requests), in KiB.",
    )
    exports_dir: str = Field(
        default="./planbridge-exports",
        description="Directory where export actions write their files (one immutable file per "
        "action and published version).",
    )
    export_max_mb: float = Field(
        default=5120,
        gt=0,
        description="Largest export file, in MiB, that a run writes and a download sends "
        "(default 5 GB); larger ones are refused before any byte is sent.",
    )
    cache_dir: str | None = Field(
        default=None,
        description="Directory where published feed, metrics and CSV/XLSX bodies are kept as "
        'files, with a gzip copy, after their first request (docs/feed.md, "Byte cache"). By '
        "default `cache` next to the default database (`~/.local/share/planbridge/cache`).",
        json_schema_extra={"documented_default": location.DOCUMENTED_CACHE_DIR},
    )
    cache_max_mb: int = Field(
        default=2048,
        ge=0,
        description="Size cap of the byte cache, in MiB: past it, the least recently served "
        "files are removed. 0 switches the cache off (bodies are streamed from the database).",
    )
    cache_accel_redirect: str | None = Field(
        default=None,
        description="Behind nginx: a URL prefix of an `internal` location that serves "
        "cache_dir (e.g. `/_planbridge_cache/`). When set, an authorised request is answered "
        "with `X-Accel-Redirect` and nginx sends the file (docs/deploying.md).",
    )
    access_token_minutes: int = Field(
        default=60,
        ge=1,
        le=1440,
        description="Lifetime of an access token from OAuth or from the Basic exchange.",
    )
    oauth_grant_max_days: int = Field(
        default=90,
        ge=1,
        description="A sign-in's grant (its refresh tokens) ends this many days after the "
        "credentials were entered, however often it is refreshed.",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="Issuer URL of the organisation's OpenID Connect provider; when set, the "
        "sign-in page offers single sign-on through it.",
    )
    oidc_client_id: str | None = Field(
        default=None, description="PlanBridge's client id at the OpenID Connect provider."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="PlanBridge's client secret at the OpenID Connect provider."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Lowest level of log lines written."
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="`json` for one JSON object per line, `text` for humans."
    )

    @property
    def public_url(self) -> str:
        """``base_url`` without a trailing slash, or the address ``serve`` listens on."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` whenever the public base URL is https."""
        return self.public_url.startswith("https://")

    def feed_max_bytes(self, tier: str) -> int | None:
        """The body-size limit of a tier, in bytes (``None``: the tier has no feed)."""
        if tier == "pro":
            return self.feed_max_mb_pro * 1024 * 1024
        if tier == "enterprise":
            return self.feed_max_mb_enterprise * 1024 * 1024
        return None


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and ``.env``), with explicit overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
