"""Pages benchmark: the demo project (300 tasks, 6 weekly versions) served by the real server on
loopback; a signed-in admin requests each page N times over one keep-alive connection and the
script prints each page's time (p50, p95, max) and its size. The figure is the round trip on
loopback, so it is the server's time plus well under a millisecond.

    .venv/bin/python bench/pages_bench.py [--requests 100] [--tasks 300]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
    .venv/bin/python bench/pages_bench.py --tasks 20000 --only plan   # the Plan page on 20k

Target: p95 under 50 ms for every page; the Plan page (first page, and a filtered and sorted
page) under 150 ms on the 20,000-task demo project.
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness import demo_server, signed_in_admin


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--only", default="", help="Only the pages whose path contains this, e.g. plan."
    )
    options = parser.parse_args()

    with (
        demo_server(
            tasks=options.tasks, weeks=options.weeks, database_url=options.database_url
        ) as server,
        signed_in_admin(server, timeout=30) as client,
    ):
        pages = [
            "/projects",
            "/projects/DEMO",
            "/projects/DEMO/integrations",
            "/projects/DEMO/integrations/tokens/new",
            "/projects/DEMO/members",
            "/projects/DEMO/audit",
            "/projects/DEMO/plan",
            "/projects/DEMO/plan?status=planned&sort=finish&order=desc&page=3",
            "/projects/DEMO/plan?week=2026-W48&sort=subcontractor",
            "/projects/DEMO/versions",
            "/projects/DEMO/publish",
            "/projects/DEMO/import",
            "/login",
            "/docs",
        ]
        pages = [p for p in pages if options.only in p]
        print(
            f"PlanBridge pages on {server.backend}: demo project {options.tasks} tasks, "
            f"{options.weeks} versions; {options.requests} requests per page"
        )
        print(f"{'page':64} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KiB':>7}")
        for path in pages:
            times = []
            size = 0
            for _ in range(options.requests):
                started = time.perf_counter()
                response = client.get(path, follow_redirects=False)
                times.append((time.perf_counter() - started) * 1000)
                size = len(response.content)
                assert response.status_code in (200, 303), (path, response.status_code)
            print(
                f"{path:64} {statistics.median(times):8.1f} {_percentile(times, 0.95):8.1f} "
                f"{max(times):8.1f} {size / 1024:7.1f}"
            )


if __name__ == "__main__":
    main()
