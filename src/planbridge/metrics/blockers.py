"""Blocker (constraint) figures of one version: counts, ageing and promises kept."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

from planbridge.metrics.dates import Window
from planbridge.metrics.snapshot import Blocker
from planbridge.metrics.tables import BLOCKER_METRICS, BLOCKERS, Row, RowHead, make_row, ratio


def blocker_row(
    head: RowHead, blockers: Sequence[Blocker], as_of: dt.date, window: Window | None
) -> Row:
    """The version's blocker figures as of its publication date.

    Without a window (a project's first version) the window counts are null; the standing
    figures (open, overdue, ageing) are still given.
    """
    open_blockers = [b for b in blockers if b.is_open]
    ages = [max((as_of - b.raised_on).days, 0) for b in open_blockers]
    overdue = [b for b in open_blockers if b.due_on is not None and b.due_on < as_of]
    row = make_row(
        BLOCKER_METRICS,
        **head.values(BLOCKERS),
        as_of=as_of.isoformat(),
        open_count=len(open_blockers),
        overdue_count=len(overdue),
        median_open_age_days=float(statistics.median(ages)) if ages else None,
        raised_count=None,
        resolved_count=None,
        promises_due_count=None,
        promises_kept_count=None,
        promises_kept=None,
    )
    if window is not None:
        row.update(_window_counts(blockers, window))
    return row


def _window_counts(blockers: Sequence[Blocker], window: Window) -> Row:
    due = [b for b in blockers if b.due_on is not None and b.due_on in window]
    kept = [b for b in due if _kept(b)]
    return {
        "raised_count": sum(1 for b in blockers if b.raised_on in window),
        "resolved_count": sum(
            1
            for b in blockers
            if not b.is_open and b.resolved_on is not None and b.resolved_on in window
        ),
        "promises_due_count": len(due),
        "promises_kept_count": len(kept),
        "promises_kept": ratio(len(kept), len(due)),
    }


def _kept(blocker: Blocker) -> bool:
    """Resolved on or before its due date."""
    return (
        not blocker.is_open
        and blocker.resolved_on is not None
        and blocker.due_on is not None
        and blocker.resolved_on <= blocker.due_on
    )
