"""Where the ETL reads the feed's tables from: the one line to re-point when the catalog moves."""

from __future__ import annotations

from planbridge.feeds.catalog import FEED_TABLES
from planbridge.feeds.tables import Table


def feed_tables() -> tuple[Table, ...]:
    """Every table the JSON feed carries, with its columns, types and nullability."""
    return FEED_TABLES
