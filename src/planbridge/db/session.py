"""The unit of work: the one place that commits.

Services only ``flush``; :meth:`Database.transaction` commits when its block succeeds and rolls
back when anything raises, so a failed operation leaves no partial rows behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from planbridge.db.engine import make_engine

if TYPE_CHECKING:  # a type only: db sits below settings in the layers
    from planbridge.settings import Settings


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(
            make_engine(
                settings.database_url.get_secret_value(),
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
            )
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work. On SQLite it takes the write lock at its start (``BEGIN
        IMMEDIATE``), waiting up to the busy timeout for another writer (thread or process), so
        a read that later writes can never be refused for a stale snapshot."""
        session = self._sessions()
        try:
            if self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """Reads only, always rolled back (nothing it does is kept). On SQLite it is a deferred
        ``BEGIN``, one snapshot that takes no write lock: in WAL mode readers neither wait for
        the writer nor block it, so concurrent reads do not queue for the lock as they would
        in :meth:`transaction`. On PostgreSQL it is an ordinary transaction (read committed,
        as :meth:`transaction` is)."""
        session = self._sessions()
        try:
            if self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN")
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
