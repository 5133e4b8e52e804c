"""Tasks Made Ready: did the tasks P planned to start in the window start free of blockers?

After Hamzeh, Ballard & Tommelein (2012), see docs/metrics.md for the definition and sources.
"""

from __future__ import annotations

from collections.abc import Iterable

from planbridge.metrics.dates import Window
from planbridge.metrics.ppc import TaskOutcome
from planbridge.metrics.snapshot import Blocker, Snapshot
from planbridge.metrics.tables import TMR, TMR_TABLE, Row, RowHead, make_row, ratio


def tmr_row(
    head: RowHead, outcomes: Iterable[TaskOutcome], current: Snapshot, window: Window
) -> Row:
    """Of the PPC (task day) tasks whose planned start (in P) falls in the window, the share
    that C shows with no blocker open on that start day. Tasks deleted in C are not ready."""
    blockers_by_task: dict[int, list[Blocker]] = {}
    for blocker in current.blockers:
        blockers_by_task.setdefault(blocker.task_id, []).append(blocker)
    starting = [o.task for o in outcomes if o.counts_for_task_day and o.task.start in window]
    ready = [
        task
        for task in starting
        if task.task_id in current.tasks
        and not any(b.open_on(task.start) for b in blockers_by_task.get(task.task_id, ()))
    ]
    return make_row(
        TMR_TABLE,
        **head.values(TMR),
        value=ratio(len(ready), len(starting)),
        task_count=len(starting),
        ready_count=len(ready),
    )
