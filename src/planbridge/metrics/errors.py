"""The one error the metrics raise: rows that are not shaped like the feed tables."""

from __future__ import annotations


class MetricsInputError(ValueError):
    """Version rows the metrics cannot read (a bug upstream, never a user's doing)."""
