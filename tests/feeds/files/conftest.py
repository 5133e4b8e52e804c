"""A small published plan with names that CSV and Excel get wrong when they can."""

from __future__ import annotations

import datetime as dt

import pytest

from planbridge.planning import service as plan
from tests.builders import publish_at, small_plan
from tests.conftest import T0

TRICKY_NAME = 'Cut "core", then\nfill – Zone B'
FORMULA_NOTE = "=1+1"
CONTROL_ID = "EXT\x0b-7"
"""A vertical tab: legal in CSV, illegal in an XLSX cell (left out there)."""


@pytest.fixture
def published(make_project, db):
    """Two versions of the small plan plus one task whose text needs quoting and escaping."""
    feed = make_project()
    small_plan(db, feed.project)
    with db.transaction() as session:
        plan.add_task(
            session,
            feed.project,
            name=TRICKY_NAME,
            start_date=dt.date(2026, 11, 19),
            notes=FORMULA_NOTE,
            external_id=CONTROL_ID,
            work_area="Façade, north\r\nside",
        )
    publish_at(db, feed.project, T0 - dt.timedelta(days=7), name="Week 46")
    publish_at(db, feed.project, T0, name="Week 47")
    return feed


def table_url(feed, name: str, suffix: str) -> str:
    return f"{feed.url}/tables/{name}.{suffix}"
