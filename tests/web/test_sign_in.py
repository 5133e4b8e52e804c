"""Signing in and out: one generic refusal, throttling, audited attempts, session cookies,
rotation, idle and absolute expiry, and the way back to the page that was asked for."""

from __future__ import annotations

from fastapi.testclient import TestClient

from planbridge import audit
from planbridge.app import create_app
from tests.web.conftest import PASSWORD, csrf_of, post_form, sign_in


def test_login_page_has_labelled_email_and_password_and_a_sign_in_button(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="email">Email</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    assert ">Sign in</button>" in page.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client, team):
    wrong = sign_in(client, team.admin, "not the right password")
    unknown = sign_in(client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert "The email or password is not right." in wrong.text
    assert wrong.text.count("not right") == unknown.text.count("not right") == 1
    assert "pb_session" not in wrong.headers.get("set-cookie", "")


def test_sixth_attempt_on_an_account_is_throttled_then_allowed_after_the_window(
    client, team, clock
):
    for _ in range(5):
        assert sign_in(client, team.admin, "wrong password here").status_code == 400
    throttled = sign_in(client, team.admin, PASSWORD)
    assert throttled.status_code == 429
    assert "Try again in 15 minutes." in throttled.text
    assert throttled.headers["retry-after"] == "900"
    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, team.admin, PASSWORD).status_code == 303


def test_an_unknown_account_is_throttled_exactly_like_a_real_one(client, team):
    for email in (team.admin, "ghost@example.com"):
        for _ in range(5):
            sign_in(client, email, "wrong password here")
    real = sign_in(client, team.admin, "wrong password here")
    ghost = sign_in(client, "ghost@example.com", "wrong password here")
    assert real.status_code == ghost.status_code == 429
    assert real.text.replace(team.admin, "X") == ghost.text.replace("ghost@example.com", "X")


def test_five_failures_from_one_address_throttle_every_account_from_it(client, team):
    for n in range(5):
        sign_in(client, f"guess{n}@example.com", "wrong password here")
    assert sign_in(client, team.admin, PASSWORD).status_code == 429


def test_sign_ins_are_audited_with_success_and_failure(client, team, db):
    sign_in(client, team.admin, "wrong password here")
    sign_in(client, team.admin)
    with db.transaction() as session:
        actions = [(e.action, e.subject) for e in audit.events(session)]
    assert ("user.sign_in_failed", team.admin) in actions
    assert ("user.sign_in", team.admin) in actions


def test_session_cookie_is_httponly_lax_and_not_secure_on_http(client, team):
    cookie = sign_in(client, team.admin).headers["set-cookie"]
    assert "pb_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_the_public_url_is_https(make_settings, db, clock, team):
    app = create_app(make_settings(base_url="https://plans.example.com"), db=db, clock=clock)
    with TestClient(app, base_url="https://plans.example.com") as client:
        cookie = sign_in(client, team.admin).headers["set-cookie"]
    assert "pb_session=" in cookie and "Secure" in cookie


def test_signing_in_with_a_session_cookie_replaces_that_session(client, team, make_client):
    sign_in(client, team.admin)
    first = client.cookies.get("pb_session")
    browser = make_client()
    page = browser.get("/login")
    browser.cookies.set("pb_session", first)
    again = browser.post(
        "/login",
        data={"email": team.member, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert again.status_code == 303
    second = again.cookies.get("pb_session")
    assert second and second != first
    assert client.get("/projects", follow_redirects=False).status_code == 303


def test_signed_out_request_goes_to_login_and_back_after_sign_in(client, team):
    asked = client.get("/projects/QST/members", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/projects/QST/members"
    back = sign_in(client, team.admin, next_="/projects/QST/members")
    assert back.headers["location"] == "/projects/QST/members"


def test_next_pointing_to_another_site_goes_to_projects(make_client, team):
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example"):
        answer = sign_in(make_client(), team.admin, next_=evil)
        assert answer.headers["location"] == "/projects"


def test_sign_out_ends_the_session_on_the_server(client, team, make_client):
    sign_in(client, team.admin)
    cookie = client.cookies.get("pb_session")
    out = post_form(client, "/projects", "/logout")
    assert out.status_code == 303
    replay = make_client()
    replay.cookies.set("pb_session", cookie)
    assert replay.get("/projects", follow_redirects=False).status_code == 303


def test_session_ends_after_eight_idle_hours(client, team, clock):
    sign_in(client, team.admin)
    clock.advance(hours=7, minutes=59)
    assert client.get("/projects", follow_redirects=False).status_code == 200
    clock.advance(hours=8)
    assert client.get("/projects", follow_redirects=False).status_code == 303


def test_session_ends_its_maximum_age_after_sign_in_however_active(make_client, team, clock):
    client = make_client(session_max_days=1)
    sign_in(client, team.admin)
    for _ in range(3):
        clock.advance(hours=7)
        assert client.get("/projects", follow_redirects=False).status_code == 200
    clock.advance(hours=3, seconds=1)
    assert client.get("/projects", follow_redirects=False).status_code == 303


def test_login_without_its_csrf_token_is_refused(client, team):
    client.get("/login")
    forged = client.post(
        "/login", data={"email": team.admin, "password": PASSWORD}, follow_redirects=False
    )
    assert forged.status_code == 403


def test_csrf_token_differs_per_session(client, make_client, team):
    sign_in(client, team.admin)
    other = make_client()
    sign_in(other, team.admin)
    assert csrf_of(client.get("/projects").text) != csrf_of(other.get("/projects").text)


def test_an_account_that_must_use_sso_is_refused_on_the_page_like_the_basic_exchange(
    client, team, db, clock
):
    from planbridge.actors import OPERATOR
    from planbridge.oauth import service as oauth

    with db.transaction() as session:
        oauth.require_sso(session, OPERATOR, email=team.admin, now=clock.now)
    refused = sign_in(client, team.admin)
    assert refused.status_code == 403
    assert "single sign-on" in refused.text
    assert "pb_session" not in refused.headers.get("set-cookie", "")
    assert client.get("/projects", follow_redirects=False).status_code in (302, 303, 401)
    # A wrong password still gets the generic answer: nothing tells SSO accounts apart.
    wrong = sign_in(client, team.admin, "wrong password here")
    assert wrong.status_code == 400 and "single sign-on" not in wrong.text
    with db.transaction() as session:
        actions = [(e.action, e.subject) for e in audit.events(session)]
    assert ("user.sign_in_refused_sso", team.admin) in actions
    assert ("user.sign_in", team.admin) not in actions
