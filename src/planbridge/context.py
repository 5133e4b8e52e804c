"""What a request handler needs: settings, database and clock, built once by the factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from planbridge.db.session import Database
from planbridge.settings import Settings

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    db: Database
    clock: Clock


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context
