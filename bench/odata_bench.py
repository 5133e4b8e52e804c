"""OData benchmark: a 20,000-task demo project with 6 weekly versions, served by the real server
on loopback; walks every entity set to the end of its @odata.nextLink chain, as Power BI does
(gzip accepted), twice (cold, then warm caches); then the same walk with ``$orderby`` on a
non-key column of every set, twice (the first sorts each set once, the second finds them
sorted). Prints the time, pages and rows per set, the ordered/unordered ratio, the requests a
refresh spends from the fair-use budget, and the server's peak RSS.

A walk's time is the sum of its requests' times to the last byte of the (gzip) body as sent:
what the server and the loopback cost. The client's own work (gunzip and JSON parsing with
orjson, needed to find the next link) is done after each page's clock stops and reported
apart, since Power BI's decoding is not the server's.

    .venv/bin/python bench/odata_bench.py [--tasks 20000] [--weeks 6] [--page-size N]
    [--no-ordered] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With --database-url pointing at a PostgreSQL server, a fresh database is created and dropped.
"""

from __future__ import annotations

import argparse
import re
import time
import zlib
from dataclasses import dataclass

import httpx
import orjson

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
    """Sum of the pages' times to the last byte."""
    parse_s: float = 0.0
    """The client's gunzip and parsing of the pages (orjson), not counted in ``seconds``."""
    slowest_page_s: float = 0.0


def walk(client: httpx.Client, url: str, headers: dict[str, str], name: str) -> Walk:
    result = Walk(name)
    next_url: str | None = url
    while next_url is not None:
        page_started = time.perf_counter()
        with client.stream("GET", next_url, headers=headers) as response:
            response.raise_for_status()
            raw = b"".join(response.iter_raw())
        page_s = time.perf_counter() - page_started
        parse_started = time.perf_counter()
        gzipped = response.headers.get("content-encoding") == "gzip"
        body = orjson.loads(zlib.decompress(raw, 31) if gzipped else raw)
        result.parse_s += time.perf_counter() - parse_started
        result.seconds += page_s
        result.slowest_page_s = max(result.slowest_page_s, page_s)
        result.pages += 1
        result.rows += len(body["value"])
        result.wire_bytes += len(raw)
        next_url = body.get("@odata.nextLink")
    return result


def non_key_column(metadata: bytes, entity_type: str) -> str:
    """The first property of the type that is not part of its key (a string one if any)."""
    block = re.search(
        rb'<EntityType Name="' + entity_type.encode() + rb'".*?</EntityType>', metadata, re.S
    )
    assert block is not None, entity_type
    keys = set(re.findall(rb'<PropertyRef Name="([^"]+)"', block.group(0)))
    props = re.findall(rb'<Property Name="([^"]+)" Type="([^"]+)"', block.group(0))
    free = [(n, t) for n, t in props if n not in keys]
    strings = [n for n, t in free if t == b"Edm.String"]
    if b"name" in strings:
        return "name"
    return (strings or [n for n, _ in free])[0].decode()


def walk_all(
    client: httpx.Client, root: str, headers: dict[str, str], *, ordered: bool = False
) -> list[Walk]:
    sets = [s["url"] for s in client.get(root, headers=headers).json()["value"]]
    metadata = client.get(root + "$metadata", headers=headers)
    metadata.raise_for_status()
    walks = []
    for name in sets:
        query = ""
        if ordered:
            entity_type = re.search(
                rb'<EntitySet Name="' + name.encode() + rb'" EntityType="[^".]+\.([^"]+)"',
                metadata.content,
            )
            assert entity_type is not None, name
            query = "?$orderby=" + non_key_column(metadata.content, entity_type.group(1).decode())
        walks.append(walk(client, root + name + query, headers, name + query))
    return walks


def report(label: str, walks: list[Walk]) -> None:
    pages = sum(w.pages for w in walks)
    rows = sum(w.rows for w in walks)
    seconds = sum(w.seconds for w in walks)
    wire = sum(w.wire_bytes for w in walks)
    parse = sum(w.parse_s for w in walks)
    print(
        f"\n{label}: {seconds:.2f} s, {pages} pages, {rows} rows, {wire / MIB:.1f} MiB gzip "
        f"(+ {parse:.2f} s client gunzip and parsing)"
    )
    for w in walks:
        if w.pages > 1 or w.rows > 1000:
            print(
                f"  {w.name:<32} {w.rows:>7} rows {w.pages:>3} pages {w.seconds:6.2f} s "
                f"(slowest page {w.slowest_page_s * 1000:.0f} ms)"
            )
    small = [w for w in walks if not (w.pages > 1 or w.rows > 1000)]
    print(
        f"  {len(small)} small sets{'':<20}{sum(w.rows for w in small):>7} rows "
        f"{sum(w.pages for w in small):>3} pages {sum(w.seconds for w in small):6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--page-size", type=int, default=None, help="default: the setting")
    parser.add_argument("--no-ordered", action="store_true", help="skip the $orderby walks")
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
                ordered_cold = ordered_warm = None
                if not args.no_ordered:
                    ordered_cold = walk_all(client, root, headers, ordered=True)
                    ordered_warm = walk_all(client, root, headers, ordered=True)
            hwm = rss.high_water_mark()
    page_size = args.page_size or "default (setting)"
    print(f"database        {demo.backend}")
    print(f"demo build      {args.tasks} tasks, {args.weeks} versions in {demo.demo_seconds:.1f} s")
    print(f"page size       {page_size}")
    report("cold walk (row cache empty)", cold)
    report("warm walk", warm)
    if ordered_cold is not None and ordered_warm is not None:
        report("ordered walk, first ($orderby on a non-key column of every set)", ordered_cold)
        report("ordered walk, again (the sets are sorted already)", ordered_warm)
        plain = sum(w.seconds for w in warm)
        first = sum(w.seconds for w in ordered_cold)
        again = sum(w.seconds for w in ordered_warm)
        print(
            f"\nordered / unordered (warm walk)  first {first / plain:.2f}x, "
            f"again {again / plain:.2f}x"
        )
    requests = sum(w.pages for w in cold)
    print(f"\nbudgeted requests per full refresh  {requests} (pages; the service document and")
    print("                           $metadata answer anonymously and are free)")
    print(f"server RSS      idle {baseline / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB (sampled)")
    if hwm is not None:
        print(f"                kernel high-water mark {hwm / MIB:.0f} MiB")


if __name__ == "__main__":
    main()
