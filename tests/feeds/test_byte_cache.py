"""The byte cache (``feeds/byte_cache.py``): published bodies kept as files never serve stale,
foreign or damaged bytes, and are the same bytes the database would stream.

Each test has its own cache folder; the reference bytes come from an app with the cache off
(``cache_max_mb=0``), which streams from the stored chunks as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import json
import os
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select, update

from planbridge.actors import OPERATOR
from planbridge.app import create_app
from planbridge.feeds import byte_cache
from planbridge.planning import service as plan
from planbridge.projects import management
from planbridge.projects.models import Project
from planbridge.publishing.chunks import deflate_piece
from planbridge.publishing.models import VersionChunk
from tests.builders import publish_at, small_plan
from tests.conftest import T0, issue_token
from tests.error_shape import assert_error

IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def published(make_project, db):
    feed = make_project()
    small_plan(db, feed.project)
    with db.transaction() as session:
        project = session.get(Project, feed.project.id)
        assert project is not None
        plan.add_task(session, project, name="=1+1 formula-like", start_date=dt.date(2026, 11, 19))
    publish_at(db, feed.project, T0 - dt.timedelta(days=20), name="Week 44")
    publish_at(db, feed.project, T0 - dt.timedelta(days=7), name="Week 46")
    publish_at(db, feed.project, T0, name="Week 47")
    return feed


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def cached(make_client, cache_dir):
    return make_client(cache_dir=str(cache_dir), feed_requests_per_hour=100_000)


@pytest.fixture
def reference(make_client):
    return make_client(cache_max_mb=0, feed_requests_per_hour=100_000)


def raw(client, url: str, headers: dict[str, str]):
    """Status, headers and the bytes on the wire (not decoded)."""
    with client.stream("GET", url, headers=headers) as response:
        return response.status_code, response.headers, b"".join(response.iter_raw())


def cache_files(directory: Path, suffix: str) -> list[Path]:
    return sorted(p for p in directory.glob(f"*/*{suffix}") if not p.name.startswith("."))


def same_bytes(cached, reference, url: str, headers: dict[str, str]) -> bytes:
    status, got_headers, got = raw(cached, url, headers)
    ref_status, ref_headers, want = raw(reference, url, headers)
    assert (status, ref_status) == (200, 200)
    assert got == want
    assert got_headers["etag"] == ref_headers["etag"]
    assert got_headers.get("content-encoding") == ref_headers.get("content-encoding")
    assert int(got_headers["content-length"]) == len(got)
    return got


def test_the_first_request_writes_the_file_the_next_ones_serve_it(
    cached, reference, published, cache_dir
):
    auth = published.auth
    body = same_bytes(cached, reference, published.url, {**auth, **IDENTITY})
    [file] = cache_files(cache_dir, ".json")
    assert file.read_bytes() == body
    size, sha = file.with_name(file.name + ".sum").read_text().split()
    assert (int(size), sha) == (len(body), hashlib.sha256(body).hexdigest())
    written = file.stat()
    again = same_bytes(cached, reference, published.url, {**auth, **IDENTITY})
    assert again == body
    assert (file.stat().st_ino, file.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)

    zipped = same_bytes(cached, reference, published.url, {**auth, **GZIP})
    [gz_file] = cache_files(cache_dir, ".json.gz")
    assert gz_file.read_bytes() == zipped
    assert gzip.decompress(zipped) == body
    assert same_bytes(cached, reference, published.url + "/metrics", {**auth, **IDENTITY})


def test_history_limit_changes_the_bytes_never_serves_a_gone_version(
    make_client, cached, reference, published, clock, db, cache_dir
):
    names = []
    for _ in range(3):
        token = issue_token(db, published.project, clock.now)  # tokens live 90 days at most
        headers = {"Authorization": f"Bearer {token}", **IDENTITY}
        body = same_bytes(cached, reference, published.url, headers)
        names.append([v["name"] for v in json.loads(body)["versions"]])
        same_bytes(cached, reference, published.url + "/tables/versions.csv", headers)
        clock.advance(days=85)  # the history limit is 183 days
    assert names == [
        ["Week 47", "Week 46", "Week 44"],
        ["Week 47", "Week 46", "Week 44"],
        ["Week 47", "Week 46"],
    ]
    # a longer history limit (same cache folder) brings the old version back
    longer = {"feed_requests_per_hour": 100_000, "history_days": 400}
    long_cached = make_client(cache_dir=str(cache_dir), **longer)
    body = same_bytes(long_cached, make_client(cache_max_mb=0, **longer), published.url, headers)
    assert [v["name"] for v in json.loads(body)["versions"]] == ["Week 47", "Week 46", "Week 44"]


def test_tier_changes_show_the_right_bytes_or_the_error(cached, reference, published, db):
    headers = {**published.auth, **GZIP}

    def set_tier(tier: str) -> None:
        with db.transaction() as session:
            project = session.get(Project, published.project.id)
            assert project is not None
            management.set_tier(session, project, OPERATOR, tier)

    pro = same_bytes(cached, reference, published.url, headers)
    assert json.loads(gzip.decompress(pro))["project"]["tier"] == "pro"
    set_tier("enterprise")
    enterprise = same_bytes(cached, reference, published.url, headers)
    assert json.loads(gzip.decompress(enterprise))["project"]["tier"] == "enterprise"
    set_tier("free")
    for client in (cached, reference):
        assert_error(client.get(published.url, headers=headers), 403, "plan_not_eligible")
        csv = client.get(published.url + "/tables/tasks.csv", headers=headers)
        assert_error(csv, 403, "plan_not_eligible")
    set_tier("pro")
    assert same_bytes(cached, reference, published.url, headers) == pro


def test_parameters_and_settings_each_get_their_own_bytes(
    make_client, cached, reference, published, cache_dir
):
    headers = {**published.auth, **IDENTITY}
    seen = set()
    for query in ("", "?limit=1", "?limit=2&resource=false", "?metrics=no&blockers=false"):
        seen.add(same_bytes(cached, reference, published.url + query, headers))
    for query in ("", "?bom=false", "?limit=1"):
        seen.add(same_bytes(cached, reference, f"{published.url}/tables/tasks.csv{query}", headers))
        seen.add(
            same_bytes(
                cached,
                reference,
                f"{published.url}/tables/tasks.csv{query}",
                {**published.auth, **GZIP},
            )
        )
    assert len(seen) == 10
    # the formula setting is part of the key: same cache folder, other bytes
    budget = {"feed_requests_per_hour": 100_000, "csv_neutralise_formulas": False}
    plain = make_client(cache_dir=str(cache_dir), **budget)
    plain_ref = make_client(cache_max_mb=0, **budget)
    url = f"{published.url}/tables/tasks.csv"
    neutral = same_bytes(cached, reference, url, headers)
    raw_formula = same_bytes(plain, plain_ref, url, headers)
    assert b"'=1+1" in neutral and b"'=1+1" not in raw_formula and b"=1+1" in raw_formula


def test_workbooks_are_cached_byte_for_byte(cached, reference, published, cache_dir):
    headers = {**published.auth, **IDENTITY}
    for path in ("/tables.xlsx", "/tables/tasks.xlsx", "/tables.xlsx?metrics=false"):
        book = same_bytes(cached, reference, published.url + path, headers)
        assert book[:2] == b"PK"
    assert len(cache_files(cache_dir, ".xlsx")) == 3


def test_a_chunk_id_holding_other_content_gives_other_bytes(cached, reference, published, db):
    """A chunk id is no proof of content (a restored database, a rebuilt metric chunk): the key
    carries each chunk's CRC-32 and sizes too."""
    headers = {**published.auth, **IDENTITY}
    before = same_bytes(cached, reference, published.url, headers)
    assert b"Power on" in before
    with db.transaction() as session:
        [chunk] = [
            c
            for c in session.scalars(select(VersionChunk).where(VersionChunk.table_name == "tasks"))
            if b"Power on" in bytes(c.body)
        ][-1:]
        body = bytes(chunk.body).replace(b"Power on", b"Power 0n")
        session.execute(
            update(VersionChunk)
            .where(VersionChunk.id == chunk.id)
            .values(
                body=body,
                deflate=deflate_piece(body),
                crc32=zlib.crc32(body),
                deflate_size=len(deflate_piece(body)),
            )
        )
    after = same_bytes(cached, reference, published.url, headers)
    assert after != before and b"Power 0n" in after


@pytest.mark.parametrize("damage", ["flip", "flip-same-mtime", "truncate", "delete", "sidecar"])
@pytest.mark.parametrize("variant", [".json", ".json.gz", ".csv"])
def test_a_damaged_or_missing_file_is_rebuilt_never_served(
    cached, reference, published, cache_dir, damage, variant
):
    url = published.url + ("/tables/tasks.csv" if variant == ".csv" else "")
    headers = {**published.auth, **(GZIP if variant.endswith(".gz") else IDENTITY)}
    good = same_bytes(cached, reference, url, headers)
    [file] = cache_files(cache_dir, variant)
    sidecar = file.with_name(file.name + ".sum")
    stat = file.stat()
    if damage.startswith("flip"):
        data = bytearray(good)
        data[len(data) // 2] ^= 0x01
        file.write_bytes(bytes(data))
        if damage == "flip-same-mtime":
            # bit rot behind the server's back: same inode, size and mtime. A process that has
            # not hashed the file yet (a restarted one) must catch it.
            os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            byte_cache._verified.clear()
    elif damage == "truncate":
        file.write_bytes(good[:-1])
    elif damage == "delete":
        file.unlink()
    else:
        sidecar.write_text("12 not-a-hash\n")
    assert same_bytes(cached, reference, url, headers) == good
    assert file.read_bytes() == good
    assert sidecar.read_text().split() == [str(len(good)), hashlib.sha256(good).hexdigest()]


def test_ranges_and_conditional_requests_work_on_cached_files(cached, published):
    for encoding in (IDENTITY, GZIP):
        headers = {**published.auth, **encoding}
        status, full_headers, full = raw(cached, published.url, headers)
        status, part_headers, part = raw(cached, published.url, {**headers, "Range": "bytes=10-99"})
        assert status == 206
        assert part == full[10:100]
        assert part_headers["content-range"] == f"bytes 10-99/{len(full)}"
        status, _, tail = raw(cached, published.url, {**headers, "Range": "bytes=-16"})
        assert (status, tail) == (206, full[-16:])
        etag = full_headers["etag"]
        status, _, body = raw(cached, published.url, {**headers, "If-None-Match": etag})
        assert (status, body) == (304, b"")
        head = cached.head(published.url, headers=headers)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(full))


def test_accel_redirect_hands_the_file_to_nginx(make_client, reference, published, cache_dir):
    accel = make_client(cache_dir=str(cache_dir), cache_accel_redirect="/_planbridge_cache/")
    for encoding in (IDENTITY, GZIP):
        headers = {**published.auth, **encoding}
        status, got, body = raw(accel, published.url, headers)
        _, want, want_body = raw(reference, published.url, headers)
        assert (status, body) == (200, b"")
        assert got["etag"] == want["etag"]
        assert got.get("content-encoding") == want.get("content-encoding")
        location = got["x-accel-redirect"]
        assert location.startswith("/_planbridge_cache/")
        assert (cache_dir / location.removeprefix("/_planbridge_cache/")).read_bytes() == want_body
    refused = accel.get(published.url, headers={"Authorization": "Bearer pbt_wrong"})
    assert refused.status_code == 401 and "x-accel-redirect" not in refused.headers


def test_pathsend_sends_the_file_and_head_sends_nothing(settings, db, clock, published, tmp_path):
    """Under an ASGI server with ``http.response.pathsend`` (Granian) the file goes by path; a
    HEAD (run as a GET by HeadAsGetMiddleware) must not send it."""
    app = create_app(settings.model_copy(update={"cache_dir": str(tmp_path)}), db=db, clock=clock)

    async def call(method: str) -> list[dict]:
        sent: list[dict] = []
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": published.url,
            "raw_path": published.url.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"authorization", published.auth["Authorization"].encode()),
                (b"accept-encoding", b"identity"),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "extensions": {"http.response.pathsend": {}},
            "state": {},
        }

        async def receive() -> dict:
            await asyncio.sleep(0.05)
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    get = asyncio.run(call("GET"))
    assert get[0]["status"] == 200
    assert [m["type"] for m in get[1:]] == ["http.response.pathsend"]
    sent_file = Path(get[1]["path"]).read_bytes()
    assert json.loads(sent_file)["project"]["id"] == published.project.api_id
    head = asyncio.run(call("HEAD"))
    assert head[0]["status"] == 200
    assert [(m["type"], m.get("body")) for m in head[1:]] == [("http.response.body", b"")]
    length = dict(head[0]["headers"])[b"content-length"]
    assert int(length) == len(sent_file)


def test_the_size_cap_removes_the_least_recently_served_files(tmp_path):
    cache = byte_cache.ByteCache(tmp_path, max_bytes=100_000, accel_redirect=None)
    now = time.time()
    entries = []
    for n in range(6):
        key = byte_cache.Key("test").add(str(n)).hexdigest()
        entry = cache.get_or_build(key, "bin", byte_cache.write_pieces([bytes([n]) * 3000]))
        sidecar = entry.path.with_name(entry.path.name + ".sum")
        os.utime(sidecar, (now - 3600 + n, now - 3600 + n))  # served n seconds apart, long ago
        entries.append((key, entry))
    cache.max_bytes = 10_400  # six files of 3,000 bytes and their 70-byte sidecars: over
    cache.evict()
    kept = [n for n, (key, _) in enumerate(entries) if cache.lookup(key, "bin") is not None]
    assert kept == [3, 4, 5]  # 9,210 bytes: under 90 % of the cap
    assert not list(tmp_path.glob("*/.tmp-*"))


def test_a_write_that_does_not_match_the_metadata_size_is_refused(tmp_path):
    cache = byte_cache.ByteCache(tmp_path, max_bytes=10_000, accel_redirect=None)
    key = byte_cache.Key("test").add("x").hexdigest()
    with pytest.raises(RuntimeError, match="metadata says 5"):
        cache.get_or_build(key, "bin", byte_cache.write_pieces([b"1234"]), expected_size=5)
    assert cache.lookup(key, "bin") is None
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def _bytes_read_by_this_process() -> int:
    """``rchar`` of /proc/self/io: bytes this process (every thread) has read so far."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="Linux /proc")
def test_a_head_run_as_get_reads_nothing_from_the_cached_file(tmp_path):
    """HeadAsGetMiddleware runs HEAD as GET and drops the body; a cached file must not be read
    (and sent, to be dropped) for it: a HEAD of a 564 MiB feed would read 564 MiB."""
    from planbridge.head_requests import HEAD_REQUEST

    path = tmp_path / "body.json"
    path.write_bytes(os.urandom(8 * 1024 * 1024))

    def call(extra: dict) -> tuple[list[dict], int]:
        sent: list[dict] = []
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "path": "/",
            "headers": [],
            **extra,
        }

        async def receive() -> dict:
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        before = _bytes_read_by_this_process()
        response = byte_cache.CachedFileResponse(path, media_type="application/json")
        asyncio.run(response(scope, receive, send))
        return sent, _bytes_read_by_this_process() - before

    got, read_for_get = call({})
    assert sum(len(m.get("body", b"")) for m in got[1:]) == 8 * 1024 * 1024
    assert read_for_get >= 8 * 1024 * 1024
    head, read_for_head = call({HEAD_REQUEST: True})
    assert head[0]["status"] == 200
    assert dict(head[0]["headers"])[b"content-length"] == str(8 * 1024 * 1024).encode()
    assert [(m["type"], m.get("body")) for m in head[1:]] == [("http.response.body", b"")]
    assert read_for_head < 1024 * 1024
