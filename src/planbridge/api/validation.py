"""Request validation in the shared error shape, every problem named by its field.

A bad query, path or header value is ``400 invalid_parameter`` (as everywhere in PlanBridge);
a bad body is ``422 invalid_input``, like the domain's own checks. ``details.field`` names the
first offending field and ``details.errors`` lists every problem.
"""

from __future__ import annotations

import asyncio
import json
import random
import types
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Union, get_args, get_origin

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from planbridge.controls import JSON_CONTROL_ESCAPE, describe
from planbridge.db.base import MAX_ID, MIN_INT
from planbridge.db.outage import unavailable_reason
from planbridge.errors import Conflict, InvalidInput, InvalidParameter, NotFound, PlanBridgeError


def field_name(loc: Sequence[Any]) -> str:
    """``("body", "resources", 0, "qty")`` → ``resources[0].qty``; the body itself → ``body``."""
    if not loc:
        return "body"
    name = ""
    for part in loc[1:]:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or str(loc[0])


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return f"not valid JSON ({error.get('ctx', {}).get('error', 'decode error')})"
    if error.get("type") == "missing" and tuple(error.get("loc", ())) == ("body",):
        return "a JSON body is required (send Content-Type: application/json)"
    return str(error.get("msg", "invalid value")).removeprefix("Value error, ")


def _problem(error: dict[str, Any]) -> dict[str, str]:
    loc = tuple(error.get("loc", ("body",)))
    json_broken = error.get("type") == "json_invalid"
    return {
        "field": "body" if json_broken else field_name(loc),
        "location": str(loc[0]) if loc else "body",
        "message": _message(error),
    }


def as_domain_error(exc: RequestValidationError) -> PlanBridgeError:
    problems = [_problem(error) for error in exc.errors()] or [
        {"field": "body", "location": "body", "message": "invalid request"}
    ]
    first = problems[0]
    message = f"{first['field']}: {first['message']}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    details = {"field": first["field"], "errors": problems}
    if first["location"] == "body":
        return InvalidInput(message, hint="See details.errors for every problem.", details=details)
    return InvalidParameter(message, details=details)


class PlanApiRoute(APIRoute):
    """An API route whose validation errors name their field in the shared error shape, whose
    lost races on a unique key (two concurrent creates) are a 409, not a 500, and where no
    integer outside the database's range reaches a query: in the path it is a 404, in the query
    a 400 and in a JSON body a 422, each checked before authentication or any query."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        path_ints = sorted(_int_params(self.dependant, "path"))
        query_ints = sorted(_int_params(self.dependant, "query"))

        async def handle(request: Request) -> Response:
            _check_ranges(request, path_ints, query_ints)
            json_body = request.headers.get("content-type", "").startswith("application/json")
            if json_body:
                body = await request.body()
                _check_body_ranges(body)
                _check_body_controls(body)
            # A request can be run again only when its whole body is in hand (JSON, read above)
            # or it has none; a streamed upload is read once.
            replayable = json_body or request.method in ("GET", "HEAD", "DELETE")
            try:
                return await _with_retries(handler, request, RACE_ATTEMPTS if replayable else 1)
            except RequestValidationError as exc:
                raise as_domain_error(exc) from None
            except IntegrityError:
                raise Conflict(
                    "The change collided with a concurrent one and was not applied.",
                    hint="Read the current state and try again.",
                ) from None
            except (DataError, OverflowError):
                raise InvalidInput(
                    "A value in the request is outside what the database can store.",
                    hint="Check numbers for size (ids are at most 2147483647) and text for "
                    "control characters.",
                ) from None

        return handle


RACE_ATTEMPTS = 8
"""How often a request that lost a race is run again before it is refused."""


async def _with_retries(
    handler: Callable[[Request], Coroutine[Any, Any, Response]], request: Request, attempts: int
) -> Response:
    """Run the request; when it lost a race that a fresh transaction wins (two creates taking
    the same next activity id or version number, a serialization failure, a busy SQLite file),
    roll back and run it again after a short random pause. Each attempt is one transaction
    that rolled back whole, so nothing is applied twice."""
    for attempt in range(1, attempts + 1):
        try:
            return await handler(request)
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts or not _lost_race(exc):
                raise
            await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def _lost_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        state = getattr(exc.orig, "sqlstate", None)
        return state == "23505" or "UNIQUE constraint failed" in str(exc.orig)
    return unavailable_reason(exc) == "busy"


def _int_params(dependant: Dependant, where: str) -> set[str]:
    """Names of the integer path or query parameters of a route and all its dependencies."""
    fields = dependant.path_params if where == "path" else dependant.query_params
    names = {f.alias for f in fields if _is_int(f.field_info.annotation)}
    for sub in dependant.dependencies:
        names |= _int_params(sub, where)
    return names


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return int in get_args(annotation)
    return False


def _in_range(raw: str) -> bool:
    text = raw.strip()
    digits = text.removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        return True  # not a number: validation answers it with its own message
    return MIN_INT <= int(text) <= MAX_ID


def _check_ranges(request: Request, path_ints: list[str], query_ints: list[str]) -> None:
    for name in path_ints:
        raw = str(request.path_params.get(name, ""))
        if not _in_range(raw):
            raise NotFound(
                f"There is no {name.removesuffix('_id')} {raw}: ids go up to {MAX_ID}.",
                details={"field": name},
            )
    for name in query_ints:
        for raw in request.query_params.getlist(name):
            if not _in_range(raw):
                raise InvalidParameter(
                    f"{name}: {raw} is out of range (at most {MAX_ID}).", details={"field": name}
                )


class _OutOfRange(Exception):
    pass


def _checked_int(raw: str) -> int:
    value = int(raw)
    if not MIN_INT <= value <= MAX_ID:
        raise _OutOfRange(raw)
    return value


def _check_body_ranges(body: bytes) -> None:
    """A JSON body with an integer the database cannot hold is a 422 naming its field."""
    try:
        json.loads(body, parse_int=_checked_int)
    except _OutOfRange as exc:
        data = json.loads(body)
        field = _find_int(data, str(exc)) or "body"
        raise InvalidInput(
            f"{field}: {exc} is out of range (integers go from {MIN_INT} to {MAX_ID}).",
            hint="Use the id PlanBridge returned; no id is larger than that.",
            details={
                "field": field,
                "errors": [{"field": field, "location": "body", "message": "out of range"}],
            },
        ) from None
    except ValueError:
        return  # not JSON: validation answers it with its own message


def _find_int(data: Any, raw: str, path: str = "") -> str | None:
    if isinstance(data, int) and not isinstance(data, bool) and str(data) == raw:
        return path or "body"
    for where, value in _children(data, path):
        found = _find_int(value, raw, where)
        if found:
            return found
    return None


def _check_body_controls(body: bytes) -> None:
    """A JSON string holding a control character is a 422 naming its field (a quick scan of the
    bytes first: only a body with such an escape is walked)."""
    if not JSON_CONTROL_ESCAPE.search(body):
        return
    try:
        data = json.loads(body)
    except ValueError:
        return
    found = _find_control(data)
    if found is not None:
        field, problem = found
        raise InvalidInput(
            f"{field}: {problem}.",
            hint="Remove the invisible character; copy the text again from its source.",
            details={
                "field": field,
                "errors": [{"field": field, "location": "body", "message": problem}],
            },
        )


def _find_control(data: Any, path: str = "") -> tuple[str, str] | None:
    if isinstance(data, str):
        problem = describe(data)
        return (path or "body", problem) if problem else None
    for where, value in _children(data, path):
        found = _find_control(value, where)
        if found:
            return found
    return None


def _children(data: Any, path: str) -> list[tuple[str, Any]]:
    """Each member of a JSON object or array with its field name, ``tasks[3].name`` style."""
    if isinstance(data, dict):
        return [(f"{path}.{key}" if path else str(key), value) for key, value in data.items()]
    if isinstance(data, list):
        return [(f"{path}[{index}]", value) for index, value in enumerate(data)]
    return []
