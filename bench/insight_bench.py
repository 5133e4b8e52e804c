"""Insight benchmark: the demo project (20,000 tasks, 6 weekly versions by default) served by
the real server on loopback; a signed-in admin requests the Insight page (and each chart's CSV)
N times over one keep-alive connection and the script prints p50, p95 and max, and the size.
The figure is the round trip on loopback, so it is the server's time plus well under a
millisecond.

    .venv/bin/python bench/insight_bench.py [--requests 100] [--tasks 20000] [--weeks 6]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Target: p95 under 150 ms for the page on the 20,000-task project. The first view of each
version is printed apart: it sums that version's labour from its 20,000 stored task rows once.
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness import demo_server, signed_in_admin
from pages_bench import _percentile

CHARTS = ("ppc-trend", "ppc-breakdown", "variance", "blockers", "tmr", "labour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()

    with (
        demo_server(
            tasks=options.tasks, weeks=options.weeks, database_url=options.database_url
        ) as server,
        signed_in_admin(server, timeout=60) as client,
    ):
        print(
            f"PlanBridge Insight on {server.backend}: demo project {options.tasks} tasks, "
            f"{options.weeks} versions; {options.requests} requests per URL"
        )
        # The first view of a version sums its labour from the stored plan rows (then kept,
        # keyed by the chunks' CRCs): measured once per version, newest first.
        cold = []
        for number in range(options.weeks, 0, -1):
            started = time.perf_counter()
            response = client.get(f"/projects/DEMO/insight?version={number}")
            cold.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"first view of each of the {options.weeks} versions (cold): "
            + ", ".join(f"{t:.0f}" for t in cold)
            + f" ms; median {statistics.median(cold):.0f} ms"
        )
        paths = [
            "/projects/DEMO/insight",
            "/projects/DEMO/insight?version=3&versions=52&by=location",
            *(f"/projects/DEMO/insight/{chart}.csv" for chart in CHARTS),
        ]
        print(f"{'URL':58} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KiB':>7}")
        for path in paths:
            times = []
            size = 0
            for _ in range(options.requests):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                size = len(response.content)
                assert response.status_code == 200, (path, response.status_code)
            print(
                f"{path:58} {statistics.median(times):8.1f} {_percentile(times, 0.95):8.1f} "
                f"{max(times):8.1f} {size / 1024:7.1f}"
            )


if __name__ == "__main__":
    main()
