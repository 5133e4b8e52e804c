"""OData benchmark: a 20,000-task demo project with 6 weekly versions, served by the real server
on loopback; walks every entity set to the end of its @odata.nextLink chain, as Power BI does
(gzip accepted), twice (cold, then warm row cache), and prints the time, pages and rows per set,
the requests a refresh spends from the fair-use budget, and the server's peak RSS.

    .venv/bin/python bench/odata_bench.py [--tasks 20000] [--weeks 6] [--page-size N]
    [--ordered] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

``--ordered`` also walks Tasks with ``$orderby=name`` (every page scans the whole set).
With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import httpx

from harness import MIB, POWER_BI_USER_AGENT, PeakRss, demo_server

POWER_BI = {
    "User-Agent": POWER_BI_USER_AGENT,
    "OData-MaxVersion": "4.0",
    "Accept": "application/json;odata.metadata=minimal",
    "Accept-Encoding": "gzip, deflate",
}


@dataclass
class Walk:
    name: str
    pages: int = 0
    rows: int = 0
    wire_bytes: int = 0
    seconds: float = 0.0
    slowest_page_s: float = 0.0


def walk(client: httpx.Client, url: str, headers: dict[str, str], name: str) -> Walk:
    result = Walk(name)
    started = time.perf_counter()
    next_url: str | None = url
    while next_url is not None:
        page_started = time.perf_counter()
        response = client.get(next_url, headers=headers)
        response.raise_for_status()
        body = response.json()
        result.slowest_page_s = max(result.slowest_page_s, time.perf_counter() - page_started)
        result.pages += 1
        result.rows += len(body["value"])
        result.wire_bytes += int(response.headers.get("content-length", len(response.content)))
        next_url = body.get("@odata.nextLink")
    result.seconds = time.perf_counter() - started
    return result


def walk_all(client: httpx.Client, root: str, headers: dict[str, str]) -> list[Walk]:
    sets = [s["url"] for s in client.get(root, headers=headers).json()["value"]]
    client.get(root + "$metadata", headers=headers).raise_for_status()
    return [walk(client, root + name, headers, name) for name in sets]


def report(label: str, walks: list[Walk]) -> None:
    pages = sum(w.pages for w in walks)
    rows = sum(w.rows for w in walks)
    seconds = sum(w.seconds for w in walks)
    wire = sum(w.wire_bytes for w in walks)
    print(f"\n{label}: {seconds:.1f} s, {pages} pages, {rows} rows, {wire / MIB:.1f} MiB gzip")
    for w in walks:
        if w.pages > 1 or w.rows > 1000:
            print(
                f"  {w.name:<16} {w.rows:>7} rows {w.pages:>3} pages {w.seconds:6.2f} s "
                f"(slowest page {w.slowest_page_s * 1000:.0f} ms)"
            )
    small = [w for w in walks if not (w.pages > 1 or w.rows > 1000)]
    print(
        f"  {len(small)} small sets    {sum(w.rows for w in small):>7} rows "
        f"{sum(w.pages for w in small):>3} pages {sum(w.seconds for w in small):6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--page-size", type=int, default=None, help="default: the setting")
    parser.add_argument("--ordered", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    env = {"PLANBRIDGE_ODATA_PAGE_SIZE": str(args.page_size)} if args.page_size else {}
    with demo_server(
        tasks=args.tasks, weeks=args.weeks, database_url=args.database_url, env=env
    ) as demo:
        headers = {**demo.auth, **POWER_BI}
        root = f"{demo.base}/odata/v4/{demo.api_id}/"
        with httpx.Client(timeout=600) as client:
            client.get(root, headers=headers).raise_for_status()
            with PeakRss(demo.pid) as rss:
                baseline = rss.rss()
                cold = walk_all(client, root, headers)
                warm = walk_all(client, root, headers)
                ordered = (
                    walk(client, root + "Tasks?$orderby=name", headers, "Tasks ordered")
                    if args.ordered
                    else None
                )
            hwm = rss.high_water_mark()
    page_size = args.page_size or "default (setting)"
    print(f"database        {demo.backend}")
    print(f"demo build      {args.tasks} tasks, {args.weeks} versions in {demo.demo_seconds:.1f} s")
    print(f"page size       {page_size}")
    report("cold walk (row cache empty)", cold)
    report("warm walk", warm)
    if ordered is not None:
        print(
            f"\nTasks $orderby=name: {ordered.seconds:.1f} s, {ordered.pages} pages, "
            f"{ordered.rows} rows (slowest page {ordered.slowest_page_s * 1000:.0f} ms)"
        )
    requests = sum(w.pages for w in cold)
    print(f"\nbudgeted requests per full refresh  {requests} (pages; the service document and")
    print("                           $metadata answer anonymously and are free)")
    print(f"server RSS      idle {baseline / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB (sampled)")
    if hwm is not None:
        print(f"                kernel high-water mark {hwm / MIB:.0f} MiB")


if __name__ == "__main__":
    main()
