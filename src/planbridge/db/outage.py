"""Telling a database outage from a bug: an error that a retry later may cure.

A stopped or restarting PostgreSQL, a dropped connection, a full pool, a read-only database or
a SQLite file locked by another process is not a server bug: clients get ``503`` with
``Retry-After`` (and Power BI backs off) instead of a ``500``.
"""

from __future__ import annotations

import sqlite3
import sys

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER_SECONDS = 10

_SQLITE_REASONS = {
    "database is locked": "busy",
    "readonly database": "read_only",
    "unable to open database file": "unreachable",
    "disk i/o error": "io_error",
    "database or disk is full": "disk_full",
}
_PG_STATE_REASONS = {
    "08": "unreachable",  # connection exception
    "53": "overloaded",  # insufficient resources (too many connections, disk full)
    "57": "unreachable",  # operator intervention: admin shutdown, cannot connect now
    "25006": "read_only",  # read-only SQL transaction (a standby, or default read only)
    "40001": "busy",  # serialization failure
    "40P01": "busy",  # deadlock detected
    "55P03": "busy",  # lock not available
}


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the database cannot serve right now (``unreachable``, ``read_only``, ``busy``,
    ``overloaded``, ``io_error``, ``disk_full``), or None when ``exc`` is not an outage."""
    if isinstance(exc, PoolTimeout):
        return "overloaded"
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        text = str(orig).lower()
        return next((reason for words, reason in _SQLITE_REASONS.items() if words in text), None)
    # psycopg is looked up, not imported: a server on SQLite never loads it (about 9 MiB), and
    # an error can only be a psycopg error once psycopg is loaded.
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(orig, psycopg.Error):
        state = orig.sqlstate or ""
        for prefix, reason in _PG_STATE_REASONS.items():
            if state.startswith(prefix):
                return reason
        if isinstance(orig, psycopg.OperationalError) and not state:
            return "unreachable"  # no server answered: refused, reset, closed
    if exc.connection_invalidated:
        return "unreachable"
    return None
