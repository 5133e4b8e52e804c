"""Request validation in the shared error shape, every problem named by its field.

A bad query, path or header value is ``400 invalid_parameter`` (as everywhere in PlanBridge);
a bad body is ``422 invalid_input``, like the domain's own checks. ``details.field`` names the
first offending field and ``details.errors`` lists every problem.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError

from planbridge.errors import Conflict, InvalidInput, InvalidParameter, PlanBridgeError


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
    """An API route whose validation errors name their field in the shared error shape, and
    whose lost races on a unique key (two concurrent creates) are a 409, not a 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise as_domain_error(exc) from None
            except IntegrityError:
                raise Conflict(
                    "The change collided with a concurrent one and was not applied.",
                    hint="Read the current state and try again.",
                ) from None

        return handle
