"""What every command needs: settings, an up-to-date database, the clock, error handling."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from planbridge.cli.output import fail
from planbridge.db import location
from planbridge.db.session import Database
from planbridge.errors import PlanBridgeError
from planbridge.imports import limits as import_limits
from planbridge.schema import migrate
from planbridge.settings import Settings, load_settings

P = ParamSpec("P")
R = TypeVar("R")


def settings() -> Settings:
    try:
        config = load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "PLANBRIDGE_" + str(first["loc"][0]).upper()
        fail(f"setting {name}: {first['msg']}", "see docs/settings.md")
    import_limits.bind(config.import_max_rows)
    return config


_OPEN: list[Database] = []


def database(config: Settings, *, require_current: bool = True, create: bool = False) -> Database:
    """The configured database; closed by :func:`handles_errors` when the command ends.

    Only the commands that create a database (``serve``, ``db upgrade``, ``demo``,
    ``restore``) pass ``create``: every other command refuses a SQLite file that does not
    exist, naming the path, instead of silently creating an empty one.
    """
    url = config.database_url.get_secret_value()
    path = location.sqlite_path(url)
    if path is not None and not path.exists():
        if not create:
            fail(
                f"no database at {path}",
                "create it with: planbridge db upgrade, or set PLANBRIDGE_DATABASE_URL to the "
                "database you use",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.from_settings(config)
    _OPEN.append(db)
    if require_current and not migrate.is_up_to_date(db.engine):
        fail(
            "the database is not initialised or not up to date",
            "run: planbridge db upgrade",
        )
    return db


def create_schema(db: Database) -> None:
    """Migrate an empty database to the newest schema; refuse an out-of-date one."""
    if migrate.current_revision(db.engine) is None:
        migrate.upgrade(db.engine)
    elif not migrate.is_up_to_date(db.engine):
        fail("the database schema is out of date", "run: planbridge db upgrade")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn domain and database errors into one clear line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PlanBridgeError as exc:
            fail(exc.message, exc.hint)
        except OperationalError as exc:
            fail(f"cannot use the database: {_first_line(exc)}", "check PLANBRIDGE_DATABASE_URL")
        except SQLAlchemyError as exc:
            fail(f"database error: {_first_line(exc)}")
        finally:
            while _OPEN:
                _OPEN.pop().dispose()

    return wrapper


def _first_line(exc: Any) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
