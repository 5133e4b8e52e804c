"""Single sign-on through the organisation's own OpenID Connect provider (federation).

PlanBridge is an OIDC relying party: it sends the browser to the provider with ``state``, a
``nonce`` and a PKCE S256 challenge, exchanges the returned code (client secret, authlib's
client), and checks the ID token's signature (the provider's JWKS), issuer, audience, expiry and
nonce (joserfc). The verified ``email`` claim names an existing PlanBridge account; nobody is
created by signing in. The result is an ordinary browser session, so the OAuth server's consent
flow and the pages work the same for federated and password accounts.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from planbridge import audit
from planbridge.accounts.models import Credential
from planbridge.actors import Actor
from planbridge.errors import Forbidden, PlanBridgeError
from planbridge.projects.models import User
from planbridge.settings import Settings

ALGORITHMS = ["RS256", "PS256", "ES256"]
TIMEOUT = 10.0


class SsoFailed(Forbidden):
    code = "sso_failed"
    default_hint = "Try signing in again; if it keeps failing, ask your PlanBridge operator."


class SsoNotConfigured(PlanBridgeError):
    code = "sso_not_configured"
    status = 404
    default_hint = "Set PLANBRIDGE_OIDC_ISSUER, PLANBRIDGE_OIDC_CLIENT_ID and _SECRET."


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the browser carries between leaving and coming back (in an HttpOnly cookie)."""

    state: str
    nonce: str
    verifier: str

    def cookie(self) -> str:
        return f"{self.state}.{self.nonce}.{self.verifier}"

    @classmethod
    def from_cookie(cls, value: str | None) -> Attempt | None:
        parts = (value or "").split(".")
        return cls(*parts) if len(parts) == 3 and all(parts) else None


def provider(settings: Settings) -> Provider:
    """The provider's endpoints, from its discovery document."""
    if not (settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret):
        raise SsoNotConfigured("Single sign-on is not configured on this PlanBridge.")
    issuer = settings.oidc_issuer.rstrip("/")
    try:
        response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError):
        raise SsoFailed("The sign-in provider could not be reached.") from None
    if found.get("issuer", "").rstrip("/") != issuer:
        raise SsoFailed("The sign-in provider's discovery document names another issuer.")
    return Provider(
        issuer=found["issuer"],
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        authorization_endpoint=found["authorization_endpoint"],
        token_endpoint=found["token_endpoint"],
        jwks_uri=found["jwks_uri"],
        userinfo_endpoint=found.get("userinfo_endpoint"),
    )


def _client_class() -> Any:
    """authlib's HTTPX client, imported on first use: it loads authlib.jose (about 11 MiB),
    which a server that never signs anyone in through a provider does not need."""
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client  # untyped library: Any


def start(idp: Provider, redirect_uri: str) -> tuple[str, Attempt]:
    attempt = Attempt(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(attempt.verifier.encode()).digest())
    with _client_class()(idp.client_id, redirect_uri=redirect_uri, scope="openid email") as client:
        url, _ = client.create_authorization_url(
            idp.authorization_endpoint,
            state=attempt.state,
            nonce=attempt.nonce,
            code_challenge=challenge.rstrip(b"=").decode(),
            code_challenge_method="S256",
        )
    return str(url), attempt


def finish(idp: Provider, attempt: Attempt, *, code: str, redirect_uri: str) -> str:
    """The verified email of the person who signed in at the provider."""
    try:
        with _client_class()(
            idp.client_id,
            idp.client_secret,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            timeout=TIMEOUT,
        ) as client:
            token = client.fetch_token(
                idp.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=attempt.verifier,
            )
        keys = KeySet.import_key_set(httpx.get(idp.jwks_uri, timeout=TIMEOUT).json())
        claims = jwt.decode(token["id_token"], keys, algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": idp.issuer},
            aud={"essential": True, "value": idp.client_id},
            nonce={"essential": True, "value": attempt.nonce},
            exp={"essential": True},
        ).validate(claims)
        if "email" not in claims and idp.userinfo_endpoint:
            # Providers may keep the email for the UserInfo endpoint (OIDC Core 5.4).
            info = httpx.get(
                idp.userinfo_endpoint,
                headers={"Authorization": f"Bearer {token['access_token']}"},
                timeout=TIMEOUT,
            )
            info.raise_for_status()
            extra = info.json()
            if extra.get("sub") != claims.get("sub"):
                raise ValueError("UserInfo names another subject")
            claims = {**extra, **claims}
    except (JoseError, KeyError, ValueError, httpx.HTTPError) as error:
        raise SsoFailed(f"The sign-in could not be verified ({type(error).__name__}).") from None
    except Exception as error:  # authlib's OAuthError and friends
        raise SsoFailed(f"The sign-in provider refused the code ({error}).") from None
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        raise SsoFailed("The sign-in provider did not give a verified email address.")
    return email.strip().lower()


def account_for(session: Session, email: str, *, address: str) -> User:
    """The enabled PlanBridge account of a verified email; the sign-in is audited."""
    user = session.scalar(select(User).where(User.email == email))
    credential = session.get(Credential, user.id) if user else None
    if user is None or (credential is not None and credential.disabled_at is not None):
        audit.record(session, Actor(email), "user.sign_in_sso_refused", subject=email)
        raise SsoFailed(
            f"{email} has no PlanBridge account here.",
            hint="Ask your PlanBridge operator to create your account with this email.",
        )
    audit.record(
        session, Actor(user.email, user.id), "user.sign_in_sso", subject=user.email, address=address
    )
    return user
