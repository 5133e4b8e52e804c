"""The Basic exchange: the right email and password give a short-lived access token (no
refresh token); wrong ones one generic 401; the sixth failure in 15 minutes 429 with
Retry-After; an account that must use single sign-on is refused even with its password."""

from __future__ import annotations

from planbridge.actors import OPERATOR
from planbridge.audit import events
from planbridge.integrations import secrets as token_secrets
from planbridge.oauth import service as oauth
from planbridge.oauth.models import OAuthToken
from tests.connector_fixtures import basic_header, bearer
from tests.error_shape import assert_error

URL = "/api/v1/auth/basic"
PROJECTS = "/api/v1/connector/projects"


def test_right_credentials_give_a_short_lived_access_token_stored_hashed(client, team, db, clock):
    response = client.post(URL, headers=basic_header(team.admin))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "refresh_token" not in body
    token = body["access_token"]
    assert token.startswith("pba_")
    with db.transaction() as session:
        stored = [t.token_sha256 for t in session.query(OAuthToken)]
    assert stored == [token_secrets.sha256(token)]

    assert client.get(PROJECTS, headers=bearer(token)).status_code == 200
    clock.advance(minutes=61)
    assert_error(client.get(PROJECTS, headers=bearer(token)), 401, "invalid_token")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, team):
    wrong = client.post(URL, headers=basic_header(team.admin, "not the password at all"))
    unknown = client.post(URL, headers=basic_header("nobody@example.com"))
    for response in (wrong, unknown):
        error = assert_error(response, 401, "invalid_credentials")
        assert error["message"] == "The email or password is not right."
        assert response.headers["www-authenticate"] == 'Basic realm="planbridge"'


def test_the_sixth_failure_is_throttled_like_the_sign_in_page(client, team, db):
    for _ in range(5):
        assert client.post(URL, headers=basic_header(team.admin, "wrong password!")).status_code
    response = client.post(URL, headers=basic_header(team.admin))  # even the right password
    error = assert_error(response, 429, "rate_limited")
    assert error["message"] == "Too many failed sign-ins. Try again in 15 minutes."
    assert response.headers["retry-after"] == "900"
    with db.transaction() as session:
        actions = [e.action for e in events(session)]
    assert actions.count("user.sign_in_failed") == 5 and "user.sign_in_throttled" in actions


def test_an_account_that_must_use_sso_is_refused_and_its_basic_tokens_end(client, team, db, clock):
    token = client.post(URL, headers=basic_header(team.member)).json()["access_token"]
    with db.transaction() as session:
        oauth.require_sso(session, OPERATOR, email=team.member, now=clock.now)
    assert_error(client.post(URL, headers=basic_header(team.member)), 403, "sso_required")
    assert_error(client.get(PROJECTS, headers=bearer(token)), 401, "invalid_token")
    # A wrong password still gets the generic answer: nothing tells SSO accounts apart.
    wrong = client.post(URL, headers=basic_header(team.member, "wrong password!"))
    assert_error(wrong, 401, "invalid_credentials")


def test_malformed_basic_headers_are_named(client):
    assert_error(client.post(URL), 401, "invalid_credentials")
    assert_error(
        client.post(URL, headers={"Authorization": "Basic !!!"}), 401, "invalid_credentials"
    )
