"""The authorization server's HTTP endpoints (the consent page is in ``web.consent_routes``):
token (RFC 6749), revocation (RFC 7009), metadata (RFC 8414) and the Basic exchange."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from authlib.oauth2.rfc6749.errors import InsecureTransportError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from planbridge.context import AppContext, get_context
from planbridge.errors import InvalidInput, PlanBridgeError
from planbridge.http_errors import documented
from planbridge.oauth import basic
from planbridge.oauth.server import NO_STORE, Server
from planbridge.oauth.server import Request as OAuthRequest


class OAuthNeedsHttps(PlanBridgeError):
    code = "oauth_needs_https"
    status = 400
    default_hint = (
        "Set PLANBRIDGE_BASE_URL to the https address PlanBridge is served at (http is allowed "
        "on loopback addresses only)."
    )


router = APIRouter(tags=["oauth"])
OAUTH_ERROR: dict[str, Any] = {
    "title": "OAuthErrorBody",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "error_description": {"type": "string"},
        "error_uri": {"type": "string"},
        "state": {"type": "string"},
    },
}
"""RFC 6749 section 5.2: what the token and revocation endpoints answer when they refuse."""


def oauth_errors(statuses: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """The RFC's error object, or PlanBridge's error shape for what happens before OAuth runs
    (a body that is not a form: 422; OAuth off https: 400)."""
    either = {"anyOf": [OAUTH_ERROR, {"$ref": "#/components/schemas/ErrorBody"}]}
    documented_here: dict[int | str, dict[str, Any]] = {
        status: {
            "description": f"RFC 6749 errors: {codes}",
            "content": {"application/json": {"schema": either}},
        }
        for status, codes in statuses.items()
    }
    return {**documented(InvalidInput, OAuthNeedsHttps), **documented_here}


Context = Annotated[AppContext, Depends(get_context)]
MAX_FIELDS = 30


async def oauth_request(request: Request) -> OAuthRequest:
    """The request as authlib reads it: query items and form items, repeats kept."""
    form: list[tuple[str, str]] = []
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise InvalidInput(
                "OAuth endpoints take application/x-www-form-urlencoded bodies.",
                hint="See RFC 6749 section 4.1.3.",
            )
        try:
            form = parse_qsl(
                (await request.body()).decode("utf-8"),
                keep_blank_values=True,
                max_num_fields=MAX_FIELDS,
            )
        except (UnicodeDecodeError, ValueError):
            raise InvalidInput("The form could not be read.") from None
    return build_request(request, request.query_params.multi_items(), form)


def build_request(
    request: Request, query: list[tuple[str, str]], form: list[tuple[str, str]]
) -> OAuthRequest:
    """The address is the public base URL's (a proxy may talk plain http to us), which OAuth
    requires to be https except on loopback."""
    url = ctx_url = get_context(request).settings.public_url + request.url.path
    if request.url.query:
        url = f"{ctx_url}?{request.url.query}"
    try:
        return OAuthRequest(request.method, url, request.headers, query, form)
    except InsecureTransportError:
        raise OAuthNeedsHttps("OAuth is only served over https.") from None


@router.post(
    "/oauth/token",
    summary="OAuth 2.0 token endpoint",
    description="`grant_type=authorization_code` (with the PKCE `code_verifier`) or "
    "`grant_type=refresh_token`. Each refresh token works once: the answer carries the next "
    "one; using an old one again ends the whole sign-in. Errors are RFC 6749 section 5.2.",
    responses=oauth_errors(
        {
            400: "invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, "
            "invalid_scope",
            401: "invalid_client",
        }
    ),
)
async def token(request: Request, ctx: Context) -> Response:
    oauth = await oauth_request(request)
    with ctx.db.transaction() as session:
        response: Response = Server(session, ctx.settings, ctx.clock()).create_token_response(oauth)
    return response


@router.post(
    "/oauth/revoke",
    summary="OAuth 2.0 token revocation (RFC 7009)",
    description="Revoking a refresh token ends its whole sign-in (every token of the grant); "
    "revoking an access token ends that token. Unknown tokens get 200 as the RFC says.",
    responses=oauth_errors({400: "invalid_request, unsupported_token_type", 401: "invalid_client"}),
)
async def revoke(request: Request, ctx: Context) -> Response:
    oauth = await oauth_request(request)
    with ctx.db.transaction() as session:
        server = Server(session, ctx.settings, ctx.clock())
        response: Response = server.create_endpoint_response("revocation", oauth)
    return response


@router.get(
    "/.well-known/oauth-authorization-server",
    summary="Authorization server metadata (RFC 8414)",
)
def metadata(ctx: Context) -> dict[str, Any]:
    base = ctx.settings.public_url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "none",
            "client_secret_basic",
            "client_secret_post",
        ],
        "scopes_supported": ["exports"],
    }


@router.post(
    "/api/v1/auth/basic",
    summary="Exchange an email and password for a short-lived access token",
    description="Send `Authorization: Basic base64(email:password)`. Throttled exactly as the "
    "sign-in page (5 failures per account or address in 15 minutes). Accounts that must use "
    "single sign-on are refused. The answer has an access token and no refresh token.",
    responses=documented(basic.InvalidCredentials, basic.SsoRequired),
)
def basic_exchange(request: Request, ctx: Context) -> Response:
    email, password = basic.parse_basic(request.headers.get("authorization"))
    address = request.client.host if request.client else "unknown"
    with ctx.db.transaction() as session:
        outcome = basic.exchange(
            session,
            email=email,
            password=password,
            address=address,
            now=ctx.clock(),
            settings=ctx.settings,
        )
    if outcome.issued is None:
        raise basic.refusal(outcome)
    return Response(
        orjson.dumps(outcome.issued.as_json()),
        media_type="application/json",
        headers=NO_STORE,
    )
