"""Jinja2 pages: autoescaped, with the signed-in user and the CSRF token in every context."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from planbridge.accounts.sessions import Current

NO_STORE = {"Cache-Control": "no-store"}


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("planbridge.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = asset_url
    env.filters["when"] = when
    env.filters["date"] = date
    env.filters["counted"] = counted
    return env


@functools.cache
def asset_url(name: str) -> str:
    """``/static/NAME?v=HASH``: the hash changes when the file does, so it can be cached."""
    data = resources.files("planbridge.web").joinpath("static", name).read_bytes()
    return f"/static/{name}?v={hashlib.sha256(data).hexdigest()[:10]}"


def when(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def date(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 milestone``, ``2 milestones`` (``0 milestones``); ``plural`` when not ``noun + s``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def render(
    request: Request,
    template: str,
    *,
    current: Current | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    csrf_token: str = "",
    **context: Any,
) -> HTMLResponse:
    page = environment().get_template(template)
    html = page.render(
        request=request,
        path=request.url.path,
        user=current.user if current else None,
        csrf_token=current.csrf_token if current else csrf_token,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={**NO_STORE, **(headers or {})})
