"""A second, empty database of the kind the run uses (SQLite file or PostgreSQL database)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Each call gives the URL of a new empty database; PostgreSQL ones are dropped after."""
    parsed = make_url(database_url)
    made: list[str] = []

    def make() -> str:
        name = f"fresh_{secrets.token_hex(4)}"
        if parsed.get_backend_name() == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return parsed.set(database=name).render_as_string(hide_password=False)

    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        yield make
    finally:
        if parsed.get_backend_name() == "postgresql":
            with admin.connect() as connection:
                for name in made:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
