"""The consent screen and the user's sign-ins page, in-process: signed-out visitors are sent to
sign in and back, a forged consent post is refused, the page lets the form go to the client's
redirect origin only, and a user lists and ends their own sign-ins (and only theirs)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from planbridge.oauth.models import OAuthCode
from tests.connector_fixtures import PASSWORD, access_token, bearer
from tests.oauth.conftest import REDIRECT, hidden_fields


def sign_in(client, email: str) -> None:
    fields = hidden_fields(client.get("/login").text)
    answer = client.post(
        "/login", data={**fields, "email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303


def authorize_path(client_id: str, state: str = "st") -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "exports",
        "state": state,
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    return "/oauth/authorize?" + str(httpx.QueryParams(params))


def test_signed_out_visitors_sign_in_and_come_back(client, public_client, team):
    path = authorize_path(public_client)
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    target = parse_qs(urlsplit(answer.headers["location"]).query)["next"][0]
    assert target == path


def test_the_consent_page_names_the_client_and_allows_only_its_redirect_origin(
    client, public_client, team
):
    sign_in(client, team.member)
    page = client.get(authorize_path(public_client))
    assert page.status_code == 200
    assert "Allow Power BI connector to read your projects?" in page.text
    policy = page.headers["content-security-policy"]
    assert "form-action 'self' http://127.0.0.1:9;" in policy
    assert "frame-ancestors 'none'" in policy


def test_a_forged_consent_post_is_refused_and_issues_no_code(client, public_client, team, db):
    sign_in(client, team.member)
    fields = hidden_fields(client.get(authorize_path(public_client)).text)
    fields["csrf_token"] = "forged"
    answer = client.post(
        "/oauth/authorize", data={**fields, "decision": "allow"}, follow_redirects=False
    )
    assert answer.status_code == 403
    cross_site = client.post(
        "/oauth/authorize",
        data={**hidden_fields(client.get(authorize_path(public_client)).text), "decision": "allow"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403
    with db.transaction() as session:
        assert session.query(OAuthCode).count() == 0


def test_an_unknown_client_gets_an_error_page_and_no_redirect(client, team):
    sign_in(client, team.member)
    answer = client.get(authorize_path("pbc-unknown"), follow_redirects=False)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert "invalid_client" in answer.text


def test_users_list_and_end_their_own_sign_ins(client, make_client, public_client, team):
    token = access_token(client, team.member)
    other = access_token(client, team.admin)
    sign_in(client, team.member)
    page = client.get("/account/sign-ins")
    assert page.status_code == 200
    assert "Browser session" in page.text and "Email and password" in page.text
    forms = [
        hidden_fields(chunk) for chunk in page.text.split('action="/account/sign-ins/revoke"')[1:]
    ]
    basic = next(f for f in forms if f["kind"] == "basic")
    ended = client.post("/account/sign-ins/revoke", data=basic, follow_redirects=False)
    assert ended.status_code == 303
    projects = "/api/v1/connector/projects"
    assert client.get(projects, headers=bearer(token)).status_code == 401
    assert client.get(projects, headers=bearer(other)).status_code == 200

    # Another user's grant is not found, and stays alive.
    stranger = make_client()
    sign_in(stranger, team.outsider)
    csrf = hidden_fields(stranger.get("/account/sign-ins").text)["csrf_token"]
    forged = stranger.post(
        "/account/sign-ins/revoke",
        data={"csrf_token": csrf, "kind": "basic", "id": "2"},
        follow_redirects=False,
    )
    assert forged.status_code == 404
    assert client.get(projects, headers=bearer(other)).status_code == 200
