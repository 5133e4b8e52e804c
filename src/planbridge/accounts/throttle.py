"""Sign-in throttling: after ``MAX_FAILURES`` failures for one email or one address within
``WINDOW``, further attempts wait until the oldest of those failures leaves the window."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planbridge.accounts.models import SignInFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


def retry_minutes(session: Session, *, email: str, address: str, now: dt.datetime) -> int | None:
    """Whole minutes to wait before the next attempt, or ``None`` when one may be made now."""
    since = now - WINDOW
    waits = []
    for column, value in ((SignInFailure.email, email), (SignInFailure.address, address)):
        times = session.scalars(
            select(SignInFailure.at)
            .where(column == value, SignInFailure.at > since)
            .order_by(SignInFailure.at.desc())
            .limit(MAX_FAILURES)
        ).all()
        if len(times) >= MAX_FAILURES:
            waits.append(times[-1] + WINDOW - now)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds() / 60))


def record_failure(session: Session, *, email: str, address: str, now: dt.datetime) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
    session.add(SignInFailure(at=now, email=email[:320], address=address[:64]))
    session.flush()


def clear_account(session: Session, email: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
    session.flush()
