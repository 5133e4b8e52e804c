"""Server memory while anonymous clients send huge request bodies (issue: a 200 MiB JSON body
with no token was read whole before the 401).

Four clients at once each send 200 MiB to ``POST /api/v1/projects/{code}/tasks`` without a
token: twice with a declared ``Content-Length`` and twice chunked (no length, so the server must
count while reading). Prints each answer and the server's RSS growth (peak minus the RSS before).

    .venv/bin/python bench/body_limit_bench.py
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import MIB, PeakRss, demo_server

BODY_MIB = 200


def chunks(total: int, size: int = MIB):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def send(base: str, declared: bool, results: list[str], headers: dict[str, str]) -> None:
    url = f"{base}/api/v1/projects/DEMO/tasks"
    try:
        if declared:
            body: bytes | object = b" " * (BODY_MIB * MIB)
        else:
            body = chunks(BODY_MIB * MIB)
        response = httpx.post(url, content=body, headers=headers, timeout=120)  # type: ignore[arg-type]
        code = response.json()["error"]["code"]
        results.append(f"{'declared' if declared else 'chunked '}: {response.status_code} {code}")
    except httpx.HTTPError as exc:  # the server may close the connection while we still send
        results.append(
            f"{'declared' if declared else 'chunked '}: closed early ({type(exc).__name__})"
        )


SCENARIOS = {
    "no Authorization header (limit form_body_max_kb = 64)": {"Content-Type": "application/json"},
    "a forged bearer token (not a live token: limit form_body_max_kb = 64)": {
        "Content-Type": "application/json",
        "Authorization": "Bearer pbp_forged",
    },
}


def main() -> None:
    for title, headers in SCENARIOS.items():
        with (
            demo_server(tasks=50, weeks=1, database_url=None) as server,
            PeakRss(server.pid) as rss,
        ):
            before = rss.rss()
            results: list[str] = []
            threads = [
                threading.Thread(target=send, args=(server.base, declared, results, headers))
                for declared in (True, True, False, False)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            growth = (rss.peak - before) / MIB
        print(f"4 clients at once, {BODY_MIB} MiB each, {title}")
        for line in sorted(results):
            print("  " + line)
        print(
            f"  server RSS before {before / MIB:.0f} MiB, peak {rss.peak / MIB:.0f} MiB, "
            f"growth {growth:.1f} MiB"
        )


if __name__ == "__main__":
    main()
