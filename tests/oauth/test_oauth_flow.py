"""The authorization server with a real OAuth client (authlib's httpx client) against a real
server on loopback: code + PKCE (S256) through the sign-in page and the consent screen, refresh
with rotation, reuse revoking the family, a wrong redirect URI, a reused code, an expired
grant, a revoked client and revocation — each refused with the error the RFC names."""

from __future__ import annotations

import secrets

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc6749.errors import MismatchingStateException

from planbridge.actors import OPERATOR
from planbridge.integrations import secrets as token_secrets
from planbridge.oauth import service as oauth
from planbridge.oauth.models import OAuthCode, OAuthToken
from tests.oauth.conftest import REDIRECT, path_of, redirect_target, sign_in_and_consent

PROJECTS = "/api/v1/connector/projects"


OPEN: list[OAuth2Client] = []


def new_client(base: str, client_id: str, redirect_uri: str = REDIRECT) -> OAuth2Client:
    client = OAuth2Client(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope="exports",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        base_url=base,
    )
    OPEN.append(client)
    return client


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while OPEN:
        OPEN.pop().close()


def authorize(base: str, client: OAuth2Client, email: str) -> tuple[str, str]:
    """The callback URL the browser lands on, and the PKCE verifier."""
    verifier = secrets.token_urlsafe(48)
    url, _state = client.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier)
    return redirect_target(sign_in_and_consent(base, path_of(url), email)), verifier


def projects_status(base: str, token: str) -> int:
    return httpx.get(f"{base}{PROJECTS}", headers={"Authorization": f"Bearer {token}"}).status_code


def test_code_with_pkce_gives_tokens_that_read_the_users_projects(server, public_client, team, db):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    token = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["access_token"].startswith("pba_") and token["refresh_token"].startswith("pbr_")
    body = httpx.get(
        f"{server}{PROJECTS}", headers={"Authorization": f"Bearer {token['access_token']}"}
    ).json()
    assert [p["code"] for p in body["projects"]] == ["QST"]
    with db.transaction() as session:
        stored = {t.token_sha256 for t in session.query(OAuthToken)}
        code_hashes = {c.code_sha256 for c in session.query(OAuthCode)}
    assert token_secrets.sha256(token["access_token"]) in stored
    assert token["access_token"] not in str(stored) and len(code_hashes) == 1


def test_state_is_returned_and_checked(server, public_client, team):
    client = new_client(server, public_client)
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(
        f"{server}/oauth/authorize", code_verifier=verifier
    )
    callback = redirect_target(sign_in_and_consent(server, path_of(url), team.member))
    assert f"state={state}" in callback
    with pytest.raises(MismatchingStateException):
        client.fetch_token(
            f"{server}/oauth/token",
            authorization_response=callback,
            code_verifier=verifier,
            state="another-state",
        )
    token = client.fetch_token(
        f"{server}/oauth/token",
        authorization_response=callback,
        code_verifier=verifier,
        state=state,
    )
    assert token["access_token"].startswith("pba_")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(server, public_client, team):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    first = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    second = client.refresh_token(f"{server}/oauth/token", refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert projects_status(server, second["access_token"]) == 200

    with pytest.raises(OAuthError) as reused:
        client.refresh_token(f"{server}/oauth/token", refresh_token=first["refresh_token"])
    assert reused.value.error == "invalid_grant"
    # The whole family ends: the newest refresh token and every access token.
    with pytest.raises(OAuthError) as after:
        client.refresh_token(f"{server}/oauth/token", refresh_token=second["refresh_token"])
    assert after.value.error == "invalid_grant"
    assert projects_status(server, second["access_token"]) == 401
    assert projects_status(server, first["access_token"]) == 401


def test_a_reused_code_is_invalid_grant_and_revokes_what_it_issued(server, public_client, team):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    token = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    with pytest.raises(OAuthError) as reused:
        client.fetch_token(
            f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
        )
    assert reused.value.error == "invalid_grant"
    assert projects_status(server, token["access_token"]) == 401


def test_a_wrong_verifier_is_invalid_grant(server, public_client, team):
    client = new_client(server, public_client)
    callback, _verifier = authorize(server, client, team.member)
    with pytest.raises(OAuthError) as refused:
        client.fetch_token(
            f"{server}/oauth/token",
            authorization_response=callback,
            code_verifier=secrets.token_urlsafe(48),
        )
    assert refused.value.error == "invalid_grant"


def test_a_wrong_redirect_uri_is_refused_on_the_page_and_never_redirected(
    server, public_client, team
):
    client = new_client(server, public_client, redirect_uri="http://127.0.0.1:9/callback/evil")
    url, _ = client.create_authorization_url(
        f"{server}/oauth/authorize", code_verifier=secrets.token_urlsafe(48)
    )
    answer = sign_in_and_consent(server, path_of(url), team.member)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert "invalid_request" in answer.text


def test_plain_pkce_and_no_pkce_are_refused_with_invalid_request(server, public_client, team):
    for extra in ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, {}):
        params = {
            "response_type": "code",
            "client_id": public_client,
            "redirect_uri": REDIRECT,
            "state": "s1",
            **extra,
        }
        url = "/oauth/authorize?" + str(httpx.QueryParams(params))
        answer = sign_in_and_consent(server, url, team.member)
        location = answer.headers["location"]
        assert location.startswith(REDIRECT) and "error=invalid_request" in location
        assert "state=s1" in location


def test_deny_returns_access_denied_with_the_state(server, public_client, team):
    client = new_client(server, public_client)
    url, state = client.create_authorization_url(
        f"{server}/oauth/authorize", code_verifier=secrets.token_urlsafe(48)
    )
    answer = sign_in_and_consent(server, path_of(url), team.member, decision="deny")
    location = redirect_target(answer)
    assert "error=access_denied" in location and f"state={state}" in location


def test_a_grant_ends_after_its_absolute_lifetime(server, server_clock, public_client, team):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    token = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    server_clock.advance(days=89)
    token = client.refresh_token(f"{server}/oauth/token", refresh_token=token["refresh_token"])
    assert token["expires_in"] == 3600
    server_clock.advance(days=1)
    with pytest.raises(OAuthError) as expired:
        client.refresh_token(f"{server}/oauth/token", refresh_token=token["refresh_token"])
    assert expired.value.error == "invalid_grant"


def test_a_revoked_client_is_invalid_client_and_its_tokens_stop(
    server, server_clock, public_client, team, db
):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    token = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    with db.transaction() as session:
        oauth.revoke_client(session, OPERATOR, public_client, now=server_clock.now)
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(f"{server}/oauth/token", refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_client"
    assert projects_status(server, token["access_token"]) == 401


def test_revocation_of_a_refresh_token_ends_the_sign_in(server, public_client, team):
    client = new_client(server, public_client)
    callback, verifier = authorize(server, client, team.member)
    token = client.fetch_token(
        f"{server}/oauth/token", authorization_response=callback, code_verifier=verifier
    )
    answer = client.revoke_token(
        f"{server}/oauth/revoke", token=token["refresh_token"], token_type_hint="refresh_token"
    )
    assert answer.status_code == 200
    assert projects_status(server, token["access_token"]) == 401
    with pytest.raises(OAuthError) as refused:
        client.refresh_token(f"{server}/oauth/token", refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"
    unknown = client.revoke_token(f"{server}/oauth/revoke", token="pbr_nothing")
    assert unknown.status_code == 200


def test_metadata_names_the_endpoints_and_s256(server):
    meta = httpx.get(f"{server}/.well-known/oauth-authorization-server").json()
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint"] == f"{server}/oauth/token"
