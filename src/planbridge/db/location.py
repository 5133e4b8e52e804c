"""Where the database lives: one default SQLite file, whatever the current folder.

The default follows the XDG base directory convention, as other per-user services do:
``$XDG_DATA_HOME/planbridge/planbridge.db``, or ``~/.local/share/planbridge/planbridge.db``
when ``XDG_DATA_HOME`` is unset. It does not depend on the folder a command runs from, it
survives ``make clean`` and a fresh clone, and it works for an installed package that has no
repository around it. ``PLANBRIDGE_DATABASE_URL`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

DOCUMENTED_DEFAULT = "sqlite:///$XDG_DATA_HOME/planbridge/planbridge.db"


def default_sqlite_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "planbridge" / "planbridge.db"


DOCUMENTED_CACHE_DIR = "$XDG_DATA_HOME/planbridge/cache"


def default_cache_dir() -> Path:
    """Where published response bodies are kept as files: next to the default database."""
    return default_sqlite_path().parent / "cache"


def default_database_url() -> str:
    return f"sqlite:///{default_sqlite_path()}"


def sqlite_path(url: str) -> Path | None:
    """The absolute file of a SQLite URL; ``None`` for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).expanduser().absolute()


def shown_url(url: str) -> str:
    """The URL with its password hidden and a SQLite path made absolute."""
    parsed = make_url(url)
    path = sqlite_path(url)
    if path is not None:
        parsed = parsed.set(database=str(path))
    return parsed.render_as_string(hide_password=True)


def describe(url: str) -> str:
    """The database in use, for people: the SQLite file, or the URL with its password hidden."""
    path = sqlite_path(url)
    if path is not None:
        return f"SQLite file {path}"
    return shown_url(url)
