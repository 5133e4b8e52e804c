"""Run uvicorn with one process, or with N worker processes (PostgreSQL only).

Workers are separate processes started by uvicorn: each builds its own app and database engine
from the environment through :func:`worker_app`, so the options given to ``serve`` are passed
on as ``PLANBRIDGE_*`` variables. Forwarded headers (``X-Forwarded-Proto``, ``-For``) are
trusted only from ``PLANBRIDGE_FORWARDED_ALLOW_IPS``, the reverse proxy.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from planbridge.db.session import Database
from planbridge.settings import Settings, load_settings


def run(config: Settings, db: Database, workers: int) -> None:
    import uvicorn

    from planbridge.app import create_app
    from planbridge.cli import malloc_arenas

    malloc_arenas.limit()
    common = {
        "host": config.host,
        "port": config.port,
        "access_log": False,
        "log_config": None,
        "log_level": config.log_level,
        "proxy_headers": True,
        "forwarded_allow_ips": config.forwarded_allow_ips,
    }
    if workers == 1:
        uvicorn.run(create_app(config, db=db), **common)  # type: ignore[arg-type]
        return
    db.dispose()
    os.environ.update(
        PLANBRIDGE_HOST=config.host,
        PLANBRIDGE_PORT=str(config.port),
        PLANBRIDGE_DATABASE_URL=config.database_url.get_secret_value(),
    )
    uvicorn.run(
        "planbridge.cli.serve_workers:worker_app",
        factory=True,
        workers=workers,
        **common,  # type: ignore[arg-type]
    )


def worker_app() -> FastAPI:
    """The app of one worker process, with its own logging set up."""
    from planbridge import logs
    from planbridge.app import create_app
    from planbridge.cli import malloc_arenas

    malloc_arenas.limit()

    config = load_settings()
    logs.configure(config.log_level, config.log_format)
    return create_app(config)
