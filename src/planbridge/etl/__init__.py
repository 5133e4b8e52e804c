"""Portfolio ETL on dlt: every project's published versions into a warehouse, incrementally.

``planbridge.etl.source(projects)`` is a dlt source usable in any dlt pipeline;
``planbridge.etl.pull.pull(portfolio)`` is what ``planbridge pull`` runs. Needs the ``etl``
extra (``pip install 'planbridge[etl]'``).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "source":  # imported on use: dlt is an optional extra and slow to import
        from planbridge.etl.source import source

        return source
    raise AttributeError(name)
