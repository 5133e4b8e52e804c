"""Feed benchmark: a 20,000-task demo project with 6 weekly versions, served by the real server
on loopback; prints the full default feed's body size, the median time to last byte over several
requests (identity and gzip), and the server's peak RSS and its growth over the idle baseline.

    .venv/bin/python bench/feed_bench.py [--tasks 20000] [--weeks 6] [--requests 7]
    [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from harness import MIB, PeakRss, demo_server


def measure(
    client: httpx.Client, url: str, headers: dict[str, str], n: int
) -> tuple[float, int, int]:
    """Median seconds to last byte over n requests, bytes on the wire, body size."""
    times, wire = [], 0
    for _ in range(n):
        started = time.perf_counter()
        with client.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            wire = sum(len(part) for part in response.iter_raw())
        times.append(time.perf_counter() - started)
    return statistics.median(times), wire, int(response.headers.get("content-length", wire))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with demo_server(tasks=args.tasks, weeks=args.weeks, database_url=args.database_url) as demo:
        path = f"/power-bi/v1/{demo.api_id}"
        with httpx.Client(base_url=demo.base, timeout=120) as client:
            client.get("/")
            with PeakRss(demo.pid) as rss:
                baseline = rss.rss()
                identity = measure(
                    client, path, {**demo.auth, "Accept-Encoding": "identity"}, args.requests
                )
                zipped = measure(
                    client, path, {**demo.auth, "Accept-Encoding": "gzip, deflate"}, args.requests
                )
    body = identity[2]
    growth = rss.peak - baseline
    ms = (identity[0] * 1000, zipped[0] * 1000)
    print(f"database                 {demo.backend}")
    built = f"{args.tasks} tasks, {args.weeks} versions in {demo.demo_seconds:.1f} s"
    print(f"demo build               {built}")
    print(f"full default feed body   {body / MIB:.1f} MiB ({body} bytes)")
    print(f"gzip on the wire         {zipped[1] / MIB:.1f} MiB")
    print(f"median time to last byte identity {ms[0]:.0f} ms, gzip {ms[1]:.0f} ms")
    print(f"                         ({args.requests} requests each)")
    print(f"server RSS               idle {baseline / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB")
    print(f"server memory growth     {growth / MIB:.0f} MiB = {growth / body:.2f} x body size")


if __name__ == "__main__":
    main()
