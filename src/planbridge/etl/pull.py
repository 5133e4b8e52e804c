"""One pull of a portfolio: every project's new versions into one dataset, in one load."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from planbridge.etl.client import Politeness
from planbridge.etl.config import DestinationName, Portfolio
from planbridge.etl.destinations import target
from planbridge.etl.errors import PortfolioConfigError
from planbridge.etl.outcome import Listener, ProjectOutcome, PullReport


def pull(
    portfolio: Portfolio,
    destination: DestinationName | None = None,
    *,
    full: bool = False,
    listeners: Sequence[Listener] = (),
) -> PullReport:
    """Pull every project; a failing project is reported and the others still load."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    from planbridge.etl.source import source

    options = portfolio.settings
    name = destination or options.destination
    where = target(name, portfolio)
    if full and not where.merges:
        raise PortfolioConfigError(
            "--full would append every row again: files cannot be merged into",
            hint=f"delete {where.where}/{options.dataset} and pull again",
        )
    report = PullReport(
        {p.name: ProjectOutcome(p.name, p.api_id) for p in portfolio.projects},
        destination=f"{name}: {where.where}",
        dataset=options.dataset,
        listeners=list(listeners),
    )
    pipeline = dlt.pipeline(
        pipeline_name=f"planbridge_{options.dataset}_{name}",
        destination=where.destination,
        dataset_name=options.dataset,
        pipelines_dir=str(portfolio.path(options.pipelines_dir)),
    )
    politeness = Politeness(
        timeout_s=options.timeout_s,
        max_attempts=options.max_attempts,
        max_retry_wait_s=options.max_retry_wait_s,
        versions_per_request=options.versions_per_request,
    )
    data = source(portfolio.projects, politeness, options.workers, full, report, where.merges)
    started = time.monotonic()
    try:
        pipeline.run(data, **where.run_options)
    except PipelineStepFailed as exc:
        report.load_error = f"{exc.step} step failed: {_cause(exc)}"
    report.load_seconds = time.monotonic() - started
    for outcome in report.projects.values():
        if outcome.status == "pulled":
            outcome.status = "failed" if report.load_error else "loaded"
            outcome.error = report.load_error if report.load_error else ""
            report.changed(outcome)
    return report


def _cause(exc: BaseException) -> str:
    cause: BaseException = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"
