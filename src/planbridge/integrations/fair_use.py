"""Fair use: a per-project request budget, enforced with GCRA in one atomic upsert.

The budget allows ``per_hour`` requests in any hour (bursts included); each request moves the
project's theoretical arrival time (TAT) forward by ``3600 / per_hour`` seconds. A request is
refused while the TAT is more than ``3600 - interval`` seconds ahead of now; ``Retry-After``
says how long until it is not. A single conditional upsert (``INSERT ... ON CONFLICT DO UPDATE
... WHERE ... RETURNING``) makes this safe across workers on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import math

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from planbridge.errors import RateLimited
from planbridge.integrations.models import FeedUsage

HOUR_S = 3600.0


def consume(session: Session, project_id: int, per_hour: int, now: float) -> None:
    """Spend one request of the project's budget, or raise :class:`RateLimited`.

    One statement: an upsert that creates the project's row on its first request and
    otherwise moves its TAT forward only while the budget allows it, returning the new TAT (no
    row when the budget is spent). PostgreSQL locks the row for the ``DO UPDATE`` and checks
    the condition on its latest version; SQLite runs it under the transaction's write lock.
    Either way concurrent requests of any worker count exactly once each.
    """
    interval = HOUR_S / per_hour
    tolerance = HOUR_S - interval
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    start = case((FeedUsage.tat > now, FeedUsage.tat), else_=now)
    spent = session.execute(
        insert(FeedUsage)
        .values(project_id=project_id, tat=now + interval)
        .on_conflict_do_update(
            index_elements=[FeedUsage.project_id],
            set_={"tat": start + interval},
            where=start - now <= tolerance,
        )
        .returning(FeedUsage.tat)
    ).first()
    if spent is not None:
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
