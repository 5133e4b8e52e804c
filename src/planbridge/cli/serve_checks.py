"""What ``planbridge serve`` checks before it says "serving": settings, workers and the port.

Every problem found here is reported before the banner, with the fix; warnings do not stop the
service but say what clients would get wrong.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from planbridge import __version__
from planbridge.cli.output import err_console, fail
from planbridge.db import location
from planbridge.settings import Settings

WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 - names of the wildcard addresses, not a bind


@dataclass(frozen=True)
class Problem:
    message: str
    hint: str


def check(config: Settings, workers: int) -> None:
    """Stop with the first error; print every warning. Call it before anything slow."""
    for problem in setting_errors(config, workers):
        fail(problem.message, problem.hint)
    busy = listen_error(config.host, config.port)
    if busy:
        fail(busy.message, busy.hint)
    for warning in warnings(config):
        err_console.print(f"warning: {warning.message} ({warning.hint})", markup=False)


def setting_errors(config: Settings, workers: int) -> list[Problem]:
    problems = []
    if config.base_url is not None:
        parts = urlsplit(config.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            problems.append(
                Problem(
                    f"setting PLANBRIDGE_BASE_URL: {config.base_url!r} is not an http(s) URL "
                    "without a query",
                    "set it to the address clients use, e.g. https://planbridge.example.com",
                )
            )
    pairs = [
        ("TOKEN_DEFAULT_DAYS", config.token_default_days, "TOKEN_MAX_DAYS", config.token_max_days),
        ("PAT_DEFAULT_DAYS", config.pat_default_days, "PAT_MAX_DAYS", config.pat_max_days),
        (
            "FEED_DEFAULT_VERSIONS",
            config.feed_default_versions,
            "FEED_MAX_VERSIONS",
            config.feed_max_versions,
        ),
    ]
    for small, small_value, large, large_value in pairs:
        if small_value > large_value:
            problems.append(
                Problem(
                    f"setting PLANBRIDGE_{small} ({small_value}) is larger than "
                    f"PLANBRIDGE_{large} ({large_value})",
                    f"lower PLANBRIDGE_{small} or raise PLANBRIDGE_{large}",
                )
            )
    if workers > 1 and location.sqlite_path(config.database_url.get_secret_value()):
        problems.append(
            Problem(
                f"{workers} workers need PostgreSQL; the database is SQLite",
                "serve SQLite with one worker, or set "
                "PLANBRIDGE_DATABASE_URL=postgresql+psycopg://...; see docs/deploying.md",
            )
        )
    return problems


def listen_error(host: str, port: int) -> Problem | None:
    """Whether ``host:port`` can be listened on now (as uvicorn will: with SO_REUSEADDR)."""
    fix_host = "set --host or PLANBRIDGE_HOST to an address of this machine, e.g. 127.0.0.1"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        return Problem(f"cannot listen on {host}: {exc.strerror}", fix_host)
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return _bind_problem(exc, host, port, fix_host)
    return None


def _bind_problem(exc: OSError, host: str, port: int, fix_host: str) -> Problem:
    if exc.errno == errno.EADDRINUSE:
        return Problem(
            f"port {port} on {host} is already in use; is PlanBridge already running?",
            f"stop the program using it, which ss -ltnp 'sport = :{port}' names, or choose "
            f"another port: planbridge serve --port {port + 1}, or PLANBRIDGE_PORT={port + 1}",
        )
    if exc.errno == errno.EACCES:
        return Problem(
            f"not allowed to listen on port {port}",
            "use a port above 1023 and put a reverse proxy on 443; see docs/deploying.md",
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return Problem(f"{host} is not an address of this machine", fix_host)
    return Problem(f"cannot listen on {host}:{port}: {exc.strerror}", fix_host)


def warnings(config: Settings) -> list[Problem]:
    found = []
    listen = f"{config.host}:{config.port}"
    fix = "set PLANBRIDGE_BASE_URL to the address clients use, e.g. https://planbridge.example.com"
    if config.base_url is None:
        if config.host in WILDCARDS:
            found.append(
                Problem(
                    f"PLANBRIDGE_BASE_URL is not set while listening on {listen}: printed feed "
                    f"URLs and links will say {config.public_url}, which other machines cannot "
                    "reach",
                    fix,
                )
            )
        return found
    parts = urlsplit(config.base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if _is_address(host) and not _same_place(host, port, config.host, config.port):
        found.append(
            Problem(
                f"PLANBRIDGE_BASE_URL ({config.base_url}) does not match the listening address "
                f"{listen}: clients of the printed feed URLs may not reach this server",
                fix,
            )
        )
    if parts.scheme == "http" and not _is_loopback(host):
        found.append(
            Problem(
                f"PLANBRIDGE_BASE_URL ({config.base_url}) is plain http on a network address: "
                "feed tokens would cross the network unencrypted",
                "serve it through a TLS proxy and use https://; see docs/deploying.md",
            )
        )
    return found


def _is_address(host: str) -> bool:
    """An IP literal or ``localhost``: a direct address, not a proxy's public name."""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_place(host: str, port: int, listen_host: str, listen_port: int) -> bool:
    if port != listen_port:
        return False
    if listen_host in WILDCARDS:
        return not _is_loopback(host)
    return host == listen_host or (_is_loopback(host) and _is_loopback(listen_host))


def banner(config: Settings, workers: int) -> str:
    processes = f" with {workers} workers" if workers > 1 else ""
    return (
        f"Database: {location.describe(config.database_url.get_secret_value())}\n"
        f"PlanBridge {__version__} serving on {config.host}:{config.port}{processes} "
        f"(API docs: {config.public_url}/docs). Stop with Ctrl+C."
    )
