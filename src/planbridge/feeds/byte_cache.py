"""Published response bodies kept as files, keyed by what they are made of, served as files.

A published version never changes, so the body of a feed, metrics feed or CSV/XLSX download for
a given set of stored chunks, parameters and project envelope is always the same bytes. The first
request for such a body writes it once to ``<cache_dir>/<key[:2]>/<key>.<variant>`` (a temporary
file, then ``os.replace``, so a reader sees the whole file or none), with a sidecar
``<key>.<variant>.sum`` holding its size and SHA-256; later requests are served from that file
with Starlette's ``FileResponse`` (Range requests, ``http.response.pathsend`` under an ASGI
server that has it, constant memory otherwise) or, with ``PLANBRIDGE_CACHE_ACCEL_REDIRECT``, by
nginx through ``X-Accel-Redirect``. The gate (token, tier, fair use, parameters) and the size
limits run before, on every request: the cache only stores bytes.

**The key** is a SHA-256 of a format revision, the route's kind, and every input of the body:
the literal envelope (project id, code, name, timezone, tier, the applied parameters) and, for
each stored chunk, its id *and* its content fingerprint (CRC-32, raw and DEFLATE sizes), so a
chunk id reused with other content (a rebuilt metric chunk, a restored or emptied database)
gives another key. The visible versions (history limit, ``limit``, date range) are the chunks
listed; the variant names the encoding (``json``, ``json.gz``, ``csv``, ``csv.gz``, ``xlsx``).

**Never serve damaged bytes.** Every serve checks the file's size against the sidecar and, where
the caller passes the body's size known from metadata (identity JSON feeds), against that too;
a write is refused when its size differs from the metadata's (JSON feeds, identity and gzip).
The full SHA-256 is checked when the file is written and the first time each process serves it
(and again whenever its inode, size or mtime change); a mismatch removes the file and sidecar
and the body is rebuilt from the database, never sent. Files are written without fsync: after a
crash a process starts with nothing verified, so a torn file is hashed before its first serve.

**Unreachable files** (versions past the history limit, an old tier or parameters) are never
looked up again; they leave by a size cap (``PLANBRIDGE_CACHE_MAX_MB``): after each write, the
least recently served files go until the cache is under 90 % of the cap. A file served in the
last minute is kept (it may be being sent), so the cap can be exceeded briefly.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from planbridge.db import location
from planbridge.head_requests import HEAD_REQUEST
from planbridge.settings import Settings

REVISION = b"byte-cache-1"
"""Part of every key: change it when the bytes written for the same inputs change."""
HASH_BLOCK_BYTES = 1024 * 1024
SEND_BLOCK_BYTES = 512 * 1024
KEEP_RECENT_SECONDS = 60.0
TEMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600.0


class CachedFileResponse(FileResponse):
    """Reads of 512 KiB. Starlette's 64 KiB cost a thread hop each (1,500 for a 95 MB feed);
    1 MiB held 20 MiB more at the peak of 20 concurrent refreshes, for no measurable speed
    (``bench/static_bench.py``: peak RSS 157 against 139 MiB, p95 within the run's noise)."""

    chunk_size = SEND_BLOCK_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get(HEAD_REQUEST):  # a HEAD run as GET: headers only, the file is not read
            scope = {**scope, "method": "HEAD"}
        await super().__call__(scope, receive, send)


@dataclass(frozen=True, slots=True)
class Entry:
    """A verified cache file, ready to be sent."""

    path: Path
    relative: str
    stat: os.stat_result


class Key:
    """Builds a key from a kind and the body's inputs, in order."""

    def __init__(self, kind: str) -> None:
        self._digest = hashlib.sha256(REVISION + b";" + kind.encode())

    def add(self, part: bytes | str) -> Key:
        data = part.encode() if isinstance(part, str) else part
        self._digest.update(b"%d:" % len(data) + data)
        return self

    def chunk(self, chunk_id: int, crc32: int, *sizes: int) -> Key:
        self._digest.update(b"c%d/%d" % (chunk_id, crc32))
        for size in sizes:
            self._digest.update(b"/%d" % size)
        self._digest.update(b";")
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


_verified: dict[str, tuple[int, int, int]] = {}
"""Files whose full hash this process has checked: path -> (inode, size, mtime_ns)."""
_verified_lock = threading.Lock()
_build_locks: dict[str, threading.Lock] = {}
_build_locks_lock = threading.Lock()


class ByteCache:
    def __init__(self, directory: Path, max_bytes: int, accel_redirect: str | None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.accel_redirect = accel_redirect

    def paths(self, key: str, variant: str) -> tuple[Path, Path, str]:
        relative = f"{key[:2]}/{key}.{variant}"
        path = self.directory / relative
        return path, path.with_name(path.name + ".sum"), relative

    def get_or_build(
        self,
        key: str,
        variant: str,
        write: Callable[[IO[bytes]], None],
        *,
        expected_size: int | None = None,
    ) -> Entry:
        """The verified file of ``key``/``variant``; written by ``write`` when it is missing or
        fails a check. One build at a time per file in a process; across processes the
        writes are atomic and write the same bytes."""
        found = self.lookup(key, variant, expected_size=expected_size)
        if found is not None:
            return found
        with _lock_for(f"{key}.{variant}"):
            found = self.lookup(key, variant, expected_size=expected_size)
            if found is not None:
                return found
            entry = self._build(key, variant, write, expected_size=expected_size)
        self.evict()
        return entry

    def lookup(self, key: str, variant: str, *, expected_size: int | None = None) -> Entry | None:
        path, sidecar, relative = self.paths(key, variant)
        try:
            stat = path.stat()
            recorded = sidecar.read_text(encoding="ascii").split()
        except OSError:
            return None
        try:
            size, sha = int(recorded[0]), recorded[1]
        except (IndexError, ValueError):
            size, sha = -1, ""
        if stat.st_size != size or (expected_size is not None and size != expected_size):
            _discard(path, sidecar)
            return None
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if _verified.get(str(path)) != stamp:
            if _sha256_of(path) != sha:
                _discard(path, sidecar)
                return None
            with _verified_lock:
                _verified[str(path)] = stamp
        try:
            os.utime(sidecar)  # last served: what eviction orders by
        except OSError:
            return None
        return Entry(path, relative, stat)

    def _build(
        self,
        key: str,
        variant: str,
        write: Callable[[IO[bytes]], None],
        *,
        expected_size: int | None,
    ) -> Entry:
        path, sidecar, relative = self.paths(key, variant)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{threading.get_ident()}-{path.name}")
        try:
            with temp.open("wb") as out:
                write(out)
            size = temp.stat().st_size
            if expected_size is not None and size != expected_size:
                raise RuntimeError(
                    f"cache file {relative} has {size} bytes, its metadata says {expected_size}"
                )
            sha = _sha256_of(temp)
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        temp_sidecar = sidecar.with_name(TEMP_PREFIX + temp.name + ".sum")
        temp_sidecar.write_text(f"{size} {sha}\n", encoding="ascii")
        os.replace(temp_sidecar, sidecar)
        stat = path.stat()
        with _verified_lock:
            _verified[str(path)] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        return Entry(path, relative, stat)

    def evict(self) -> None:
        """Remove the least recently served files until the cache is under 90 % of its cap."""
        now = time.time()
        files: list[tuple[float, int, Path, Path]] = []
        total = 0
        try:
            buckets = [d for d in self.directory.iterdir() if d.is_dir()]
        except OSError:
            return
        for bucket in buckets:
            for item in bucket.iterdir():
                name = item.name
                try:
                    stat = item.stat()
                except OSError:
                    continue
                if name.startswith(TEMP_PREFIX):
                    if now - stat.st_mtime > STALE_TEMP_SECONDS:
                        item.unlink(missing_ok=True)
                    continue
                total += stat.st_size
                if name.endswith(".sum"):
                    continue
                sidecar = item.with_name(name + ".sum")
                try:
                    sidecar_stat = sidecar.stat()
                    served, size = sidecar_stat.st_mtime, stat.st_size + sidecar_stat.st_size
                except OSError:
                    served, size = stat.st_mtime, stat.st_size
                files.append((served, size, item, sidecar))
        if total <= self.max_bytes:
            return
        target = self.max_bytes * 0.9
        for served, size, item, sidecar in sorted(files, key=lambda f: f[0]):
            if total <= target:
                break
            if now - served < KEEP_RECENT_SECONDS:
                continue
            _discard(item, sidecar)
            total -= size

    def respond(self, entry: Entry, *, headers: dict[str, str], media_type: str) -> Response:
        """The file as the response: by nginx after ``X-Accel-Redirect``, or by the server."""
        if self.accel_redirect:
            return Response(
                headers={**headers, "X-Accel-Redirect": self.accel_redirect + entry.relative},
                media_type=media_type,
            )
        return CachedFileResponse(
            entry.path, headers=headers, media_type=media_type, stat_result=entry.stat
        )


def write_pieces(pieces: Iterable[bytes]) -> Callable[[IO[bytes]], None]:
    def write(out: IO[bytes]) -> None:
        for piece in pieces:
            out.write(piece)

    return write


def for_settings(settings: Settings) -> ByteCache | None:
    """The cache the settings describe, or ``None`` when it is switched off (max 0 MiB)."""
    if settings.cache_max_mb <= 0:
        return None
    directory = settings.cache_dir or str(location.default_cache_dir())
    accel = settings.cache_accel_redirect or None
    return _cache(os.path.abspath(directory), settings.cache_max_mb, accel)


@lru_cache(maxsize=16)
def _cache(directory: str, max_mb: int, accel: str | None) -> ByteCache:
    return ByteCache(Path(directory), max_mb * 1024 * 1024, accel)


def _lock_for(name: str) -> threading.Lock:
    with _build_locks_lock:
        lock = _build_locks.get(name)
        if lock is None:
            if len(_build_locks) > 1024:
                _build_locks.clear()
            lock = _build_locks[name] = threading.Lock()
        return lock


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _discard(path: Path, sidecar: Path) -> None:
    with _verified_lock:
        _verified.pop(str(path), None)
    path.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
