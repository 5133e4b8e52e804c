"""The authorization server, built on authlib's OAuth 2.0 core (RFC 6749, 7636, 7009).

authlib supplies the protocol: parameter checks, client authentication, PKCE verification and
the error names of the RFCs. This module adapts it to PlanBridge: requests already read by
FastAPI, our tables (hashed codes and tokens), one grant family per sign-in, S256 only,
exact redirect URIs, refresh tokens rotated on use, and a reused refresh token or code
revoking its whole family. One :class:`Server` serves one request, inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.actors import Actor
from planbridge.integrations import secrets as token_secrets
from planbridge.oauth import tokens
from planbridge.oauth.models import OAuthClient, OAuthCode, OAuthGrant, OAuthToken
from planbridge.projects.models import User
from planbridge.settings import Settings

CODE_LIFETIME = dt.timedelta(minutes=5)
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._data = dict(items)
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):  # type: ignore[misc]
    """A request FastAPI has already read: its query and (form) body items."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        query: Sequence[tuple[str, str]],
        form: Sequence[tuple[str, str]],
    ) -> None:
        super().__init__(method=method, uri=uri, headers=dict(headers))
        self._args = dict(query)
        self._form = dict(form)
        self.payload = Payload([*query, *form])

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Client:
    """authlib's view of a registered client (ClientMixin)."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the redirect URI is always sent, and must match exactly

    def get_allowed_scope(self, scope: str | None) -> str:
        return tokens.SCOPE

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.row.secret_sha256
        return stored is not None and hmac.compare_digest(stored, sha256(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.row.secret_sha256 is None:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class Code:
    """authlib's view of a stored authorization code (AuthorizationCodeMixin)."""

    def __init__(self, row: OAuthCode, grant: OAuthGrant) -> None:
        self.row = row
        self.grant = grant
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> None:
        return None

    def get_auth_time(self) -> None:
        return None


class Token:
    """authlib's view of a stored access or refresh token (TokenMixin)."""

    def __init__(self, row: OAuthToken, grant: OAuthGrant, now: dt.datetime) -> None:
        self.row = row
        self.grant = grant
        self.now = now

    def check_client(self, client: Client) -> bool:
        return self.grant.client_id == client.row.id

    def get_scope(self) -> str:
        return self.grant.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.row.expires_at - self.now).total_seconds()))

    def is_expired(self) -> bool:
        return self.row.expires_at <= self.now

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None


class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE is required of every client, with the S256 method only (never ``plain``)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        state = data.get("state")
        if not data.get("code_challenge"):
            raise InvalidRequestError(
                "PKCE is required: send code_challenge and code_challenge_method=S256.",
                redirect_uri=redirect_uri,
                state=state,
            )
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "Only code_challenge_method=S256 is supported.",
                redirect_uri=redirect_uri,
                state=state,
            )
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def save_authorization_code(self, code: str, request: Request) -> None:
        server = self.server
        user: User = request.user
        client: Client = request.client
        grant = tokens.start_grant(
            server.session,
            user,
            client=client.row,
            scope=tokens.SCOPE,
            now=server.now,
            max_days=server.settings.oauth_grant_max_days,
        )
        data = request.payload.data
        server.session.add(
            OAuthCode(
                code_sha256=sha256(code),
                grant_id=grant.id,
                redirect_uri=data["redirect_uri"],
                scope=tokens.SCOPE,
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                created_at=server.now,
                expires_at=server.now + CODE_LIFETIME,
            )
        )
        server.session.flush()
        audit.record(
            server.session,
            Actor(user.email, user.id),
            "oauth.grant",
            subject=user.email,
            client=client.row.client_id,
            grant=grant.id,
        )

    def generate_authorization_code(self) -> str:
        return secrets.token_urlsafe(32)

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        server = self.server
        row = server.session.scalar(select(OAuthCode).where(OAuthCode.code_sha256 == sha256(code)))
        if row is None:
            return None
        grant = server.session.get(OAuthGrant, row.grant_id)
        assert grant is not None
        if grant.client_id != client.row.id:
            return None
        if row.used_at is not None:
            # RFC 6749 4.1.2: a code used twice revokes what was issued from it.
            tokens.revoke_grant(server.session, grant, now=server.now, reason="code reused")
            return None
        if row.expires_at <= server.now or not tokens.grant_alive(
            server.session, grant, server.now
        ):
            return None
        return Code(row, grant)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        authorization_code.row.used_at = self.server.now
        self.server.session.flush()

    def authenticate_user(self, authorization_code: Code) -> User | None:
        return self.server.session.get(User, authorization_code.grant.user_id)


class RefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: Server

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        server = self.server
        row = tokens.find(server.session, refresh_token, "refresh")
        if row is None:
            return None
        grant = server.session.get(OAuthGrant, row.grant_id)
        assert grant is not None
        if row.used_at is not None:
            # A rotated refresh token came back: someone holds a copy. End the family.
            tokens.revoke_grant(
                server.session, grant, now=server.now, reason="refresh token reused"
            )
            return None
        if row.revoked_at is not None or row.expires_at <= server.now:
            return None
        if not tokens.grant_alive(server.session, grant, server.now):
            return None
        return Token(row, grant, server.now)

    def authenticate_user(self, refresh_token: Token) -> User | None:
        return self.server.session.get(User, refresh_token.grant.user_id)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        refresh_token.row.used_at = self.server.now
        self.server.session.flush()


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009: a refresh token ends its whole grant; an access token ends itself."""

    CLIENT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        server = self.server
        for kind in ("refresh", "access"):
            row = tokens.find(server.session, token_string, kind)
            if row is not None:
                grant = server.session.get(OAuthGrant, row.grant_id)
                assert grant is not None
                return Token(row, grant, server.now)
        return None

    def revoke_token(self, token: Token, request: Request) -> None:
        server = self.server
        if token.row.kind == "refresh":
            tokens.revoke_grant(server.session, token.grant, now=server.now, reason="revoked")
        elif token.row.revoked_at is None:
            token.row.revoked_at = server.now
            server.session.flush()


class Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, session: Session, settings: Settings, now: dt.datetime) -> None:
        super().__init__(scopes_supported=[tokens.SCOPE])
        self.session = session
        self.settings = settings
        self.now = now
        self.register_grant(CodeGrant, [S256Only(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> Client | None:
        row = self.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        if row is None or row.revoked_at is not None:
            return None
        return Client(row)

    def _generate(
        self,
        grant_type: str,
        client: Client,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": token_secrets.generate(tokens.ACCESS_PREFIX),
            "expires_in": self.settings.access_token_minutes * 60,
            "scope": tokens.SCOPE,
        }
        if include_refresh_token:
            token["refresh_token"] = token_secrets.generate(tokens.REFRESH_PREFIX)
        return token

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        """Store the SHA-256 of the new tokens in the grant family the request belongs to."""
        credential = request.authorization_code or request.refresh_token
        grant: OAuthGrant = credential.grant
        access_expiry = min(
            self.now + dt.timedelta(seconds=int(token["expires_in"])), grant.expires_at
        )
        token["expires_in"] = max(1, int((access_expiry - self.now).total_seconds()))
        rows = [("access", token["access_token"], access_expiry)]
        if token.get("refresh_token"):
            rows.append(("refresh", token["refresh_token"], grant.expires_at))
        for kind, secret, expires_at in rows:
            self.session.add(
                OAuthToken(
                    grant_id=grant.id,
                    kind=kind,
                    token_sha256=token_secrets.sha256(secret),
                    created_at=self.now,
                    expires_at=expires_at,
                )
            )
        grant.last_used_at = self.now
        self.session.flush()

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def create_json_request(self, request: Request) -> Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: Sequence[tuple[str, str]]
    ) -> Response:
        content = orjson.dumps(body) if isinstance(body, dict) else (body or b"")
        merged = {**dict(headers), **NO_STORE}
        if isinstance(body, dict):
            merged["Content-Type"] = "application/json"
        return Response(content=content, status_code=status, headers=merged)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None
