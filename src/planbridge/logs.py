"""Structured logging. Request lines carry no headers and no secrets: the query string is kept
only as parameter names, and a value shaped like a token is never written anywhere.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planbridge.integrations.secrets import looks_like_token

ACCESS = logging.getLogger("planbridge.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        return (
            f"{record.levelname.lower():7} {record.name}: {record.getMessage()} {fields}".rstrip()
        )


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("planbridge")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def safe_path(path: str) -> str:
    """The path with any segment shaped like a token replaced."""
    return "/".join("[redacted]" if looks_like_token(p) else p for p in path.split("/"))


def query_names(query_string: bytes) -> list[str]:
    """Parameter names only: values may hold secrets pasted by mistake."""
    names = []
    for pair in query_string.decode("latin-1").split("&"):
        name = pair.split("=", 1)[0]
        if name:
            names.append("[redacted]" if looks_like_token(name) else name[:40])
    return names


class AccessLogMiddleware:
    """One structured line per request: method, path, parameter names, status, bytes, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = {"status": 500, "bytes": 0}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
            elif message["type"] == "http.response.body":
                state["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            headers = dict(scope.get("headers") or [])
            ACCESS.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": safe_path(scope["path"]),
                        "query_names": query_names(scope.get("query_string", b"")),
                        "status": state["status"],
                        "bytes": state["bytes"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_agent": headers.get(b"user-agent", b"").decode("latin-1")[:200],
                        "client": (scope.get("client") or ("", 0))[0],
                    }
                },
            )
