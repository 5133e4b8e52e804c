"""How many task rows one import may hold (``PLANBRIDGE_IMPORT_MAX_ROWS``).

Parsing keeps every row of a schedule in memory until it is checked and applied in one
transaction (spreadsheet rows packed, about 100 bytes each; XER and MS Project tasks as
objects), so the number of rows, not the file size, bounds an import's memory. The limit is
checked while reading: a file past it is refused before the rest of it is parsed.

The app and the CLI bind the configured limit for the request or command (:func:`bind`); the
parsers read it with :func:`max_rows`, or take an explicit ``max_rows=``.
"""

from __future__ import annotations

from contextvars import ContextVar

from planbridge.imports.errors import ImportFileError

DEFAULT_MAX_ROWS = 100_000
_MAX_ROWS: ContextVar[int] = ContextVar("import_max_rows", default=DEFAULT_MAX_ROWS)


def bind(limit: int) -> None:
    """Use ``limit`` for the imports of the current request or command."""
    _MAX_ROWS.set(limit)


def max_rows(explicit: int | None = None) -> int:
    return explicit if explicit is not None else _MAX_ROWS.get()


def too_many_rows(limit: int, what: str) -> ImportFileError:
    return ImportFileError(
        f"The file holds more than {limit:,} {what}, the most one import accepts.",
        hint="Split the schedule into several imports, or ask the operator to raise "
        "PLANBRIDGE_IMPORT_MAX_ROWS (each row costs server memory while it is imported).",
        details={"reason": "too_many_rows", "max_rows": limit},
    )
