"""Page routes answer errors as pages: a signed-out request is sent to /login and back, a
project the user is not a member of is a 404, and a refusal from a service keeps its status."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from planbridge.errors import NotFound, NotProjectMember, PlanBridgeError
from planbridge.web.auth import SignInRequired, current_or_none
from planbridge.web.rendering import render


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/projects"
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


def error_page(request: Request, exc: PlanBridgeError) -> Response:
    if isinstance(exc, NotProjectMember | NotFound):
        status, title = 404, "Not found"
        message = "There is no such page, or you do not have access to it."
        hint = "Check the address, or ask a project admin to add you to the project."
    else:
        status, title, message, hint = exc.status, "Not allowed", exc.message, exc.hint
        if status == 422:
            title = "Please check your input"
    return render(
        request,
        "error.html",
        current=current_or_none(request),
        status=status,
        title=title,
        message=message,
        hint=hint,
    )


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return login_redirect(request)
            except PlanBridgeError as exc:
                return error_page(request, exc)

        return page_handler
