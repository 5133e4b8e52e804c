"""Fair use: a per-project request budget, enforced with GCRA in one atomic UPDATE.

The budget allows ``per_hour`` requests in any hour (bursts included); each request moves the
project's theoretical arrival time (TAT) forward by ``3600 / per_hour`` seconds. A request is
refused while the TAT is more than ``3600 - interval`` seconds ahead of now; ``Retry-After``
says how long until it is not. The single conditional UPDATE makes this safe across workers
on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import math

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from planbridge.errors import RateLimited
from planbridge.integrations.models import FeedUsage

HOUR_S = 3600.0


def consume(session: Session, project_id: int, per_hour: int, now: float) -> None:
    interval = HOUR_S / per_hour
    tolerance = HOUR_S - interval
    if session.get(FeedUsage, project_id) is None:
        _create(session, project_id, now)
    start = case((FeedUsage.tat > now, FeedUsage.tat), else_=now)
    result = session.execute(
        update(FeedUsage)
        .where(FeedUsage.project_id == project_id, start - now <= tolerance)
        .values(tat=start + interval)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return
    tat = session.scalar(select(FeedUsage.tat).where(FeedUsage.project_id == project_id)) or now
    retry_after = max(1, math.ceil(tat - now - tolerance))
    raise RateLimited(
        f"This project's feed budget of {per_hour} requests per hour is used up.",
        hint=f"Retry in {retry_after} s. Feeds are meant for periodic (e.g. weekly) refreshes; "
        "use ETag/If-None-Match to make repeated checks cheap.",
        headers={"Retry-After": str(retry_after)},
        details={"retry_after_s": retry_after, "requests_per_hour": per_hour},
    )


def _create(session: Session, project_id: int, now: float) -> None:
    """Insert the project's row unless a concurrent request already did."""
    values = {"project_id": project_id, "tat": now}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(FeedUsage).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(FeedUsage).values(values).on_conflict_do_nothing())
