"""The pages over HTTP: who sees what, forged and cross-site posts refused, values escaped,
the token shown once and never again, members and the audit log."""

from __future__ import annotations

import re

import pytest

from planbridge import audit
from planbridge.actors import OPERATOR
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from tests.builders import publish_at, small_plan
from tests.web.conftest import csrf_of, post_form, sign_in

PAGES = [
    "",
    "/integrations",
    "/members",
    "/audit",
    "/integrations/tokens/new",
    "/plan",
    "/versions",
    "/import",
    "/publish",
]
XSS = "<script>alert(1)</script>"


@pytest.fixture
def admin(client, team):
    sign_in(client, team.admin)
    return client


@pytest.fixture
def member(make_client, team):
    client = make_client()
    sign_in(client, team.member)
    return client


def _enable(db, project):
    with db.transaction() as session:
        integrations.set_integration(
            session, projects.get_project(session, project.code), OPERATOR, enabled=True
        )


def _new_token(client, name="Power BI weekly", days="30"):
    return post_form(
        client,
        "/projects/QST/integrations",
        "/projects/QST/integrations/tokens",
        token_name=name,
        days=days,
    )


@pytest.mark.parametrize("suffix", PAGES)
def test_every_project_page_is_404_for_a_non_member(make_client, team, suffix):
    client = make_client()
    sign_in(client, team.outsider)
    assert client.get(f"/projects/QST{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", PAGES)
def test_every_project_page_sends_a_signed_out_browser_to_login(client, team, suffix):
    answer = client.get(f"/projects/QST{suffix}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/projects/QST{suffix}"


def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(admin):
    page = admin.get("/projects/QST/integrations")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page.text) == []
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page.text)


def test_a_project_and_a_token_named_like_a_script_render_as_text(admin, db, team):
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
        project.name = XSS
    _enable(db, team.project)
    _new_token(admin, name=XSS)
    for url in ("/projects", "/projects/QST", "/projects/QST/integrations"):
        text = admin.get(url).text
        assert XSS not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_token_is_in_the_post_answer_only_and_never_in_a_later_page(admin, db, team):
    _enable(db, team.project)
    created = _new_token(admin)
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r"pbt_[A-Za-z0-9_]+", created.text).group(0)
    assert "It will not be shown again." in created.text
    assert "Copy Token" in created.text
    later = admin.get("/projects/QST/integrations").text
    assert secret not in later
    assert "Power BI weekly" in later
    assert secret not in admin.get("/projects/QST/audit").text


def test_the_token_fragment_for_the_dialog_carries_the_token(admin, db, team):
    _enable(db, team.project)
    token = csrf_of(admin.get("/projects/QST/integrations").text)
    answer = admin.post(
        "/projects/QST/integrations/tokens",
        data={"csrf_token": token, "token_name": "Excel", "days": "7"},
        headers={"X-PlanBridge-Fragment": "1"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<div") and "<html" not in answer.text
    assert re.search(r"pbt_[A-Za-z0-9_]+", answer.text)


def test_a_token_longer_than_ninety_days_is_refused_with_the_form_again(admin, db, team):
    _enable(db, team.project)
    answer = _new_token(admin, days="120")
    assert answer.status_code == 422
    assert "1 to 90 days" in answer.text
    assert "pbt_" not in answer.text


def test_forged_post_without_the_csrf_token_is_refused(admin, db, team):
    _enable(db, team.project)
    forged = admin.post(
        "/projects/QST/integrations/tokens",
        data={"token_name": "attacker", "days": "90"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "pbt_" not in forged.text


def test_post_from_another_origin_is_refused_even_with_a_token(admin, db, team):
    _enable(db, team.project)
    token = csrf_of(admin.get("/projects/QST/integrations").text)
    forged = admin.post(
        "/projects/QST/integrations/tokens",
        data={"csrf_token": token, "token_name": "attacker", "days": "90"},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403


def test_member_sees_urls_but_no_token_or_member_controls(member, db, team):
    _enable(db, team.project)
    page = member.get("/projects/QST/integrations").text
    assert "Project API URL" in page
    assert "Generate New Token" not in page
    assert "Revoke" not in page
    assert 'aria-checked="true"' in page and "disabled" in page
    members = member.get("/projects/QST/members").text
    assert "Add member" not in members and "Remove" not in members


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("/projects/QST/integrations/tokens", {"token_name": "x", "days": "30"}),
        ("/projects/QST/integrations/source", {"enabled": "0"}),
        ("/projects/QST/integrations/tokens/1/revoke", {}),
        ("/projects/QST/members", {"email": "otto@example.com", "role": "admin"}),
        ("/projects/QST/members/role", {"user_id": "2", "role": "admin"}),
        ("/projects/QST/members/remove", {"user_id": "1"}),
    ],
)
def test_member_forged_posts_are_refused_with_403_and_change_nothing(
    member, db, team, action, fields
):
    _enable(db, team.project)
    with db.transaction() as session:
        before = len(audit.events(session))
    answer = post_form(member, "/projects/QST", action, **fields)
    assert answer.status_code == 403
    with db.transaction() as session:
        assert len(audit.events(session)) == before
        assert projects.get_project(session, "QST").integration_enabled


def test_admin_switches_the_source_and_it_is_audited(admin, db, team):
    answer = post_form(
        admin, "/projects/QST/integrations", "/projects/QST/integrations/source", enabled="1"
    )
    assert answer.status_code == 303
    page = admin.get("/projects/QST/integrations").text
    assert 'aria-checked="true"' in page and "Project API URL" in page
    assert team.project.api_id in page
    with db.transaction() as session:
        actions = [e.action for e in audit.events(session, team.project.id)]
    assert "integration.enable" in actions


def test_free_tier_project_says_why_the_source_is_unavailable(admin, db, team):
    with db.transaction() as session:
        projects.get_project(session, "QST").tier = "free"
    page = admin.get("/projects/QST/integrations").text
    assert "free plan" in page
    assert "disabled" in page


def test_revoke_asks_for_confirmation_then_lists_the_token_as_revoked(admin, db, team):
    _enable(db, team.project)
    _new_token(admin)
    confirm = admin.get("/projects/QST/integrations/tokens/1/revoke")
    assert "Revoke token “Power BI weekly”?" in confirm.text
    done = post_form(
        admin,
        "/projects/QST/integrations/tokens/1/revoke",
        "/projects/QST/integrations/tokens/1/revoke",
    )
    assert done.status_code == 303
    page = admin.get("/projects/QST/integrations").text
    assert "Revoked" in page and "Power BI weekly" in page


def test_tokens_table_shows_days_left_highlighting_the_last_fortnight(admin, db, team, clock):
    _enable(db, team.project)
    _new_token(admin, name="Soon", days="7")
    _new_token(admin, name="Later", days="90")
    page = admin.get("/projects/QST/integrations").text
    assert '<span class="expiring">7 days left</span>' in page
    assert '<span class="">90 days left</span>' in page
    assert page.count("Never") == 2
    assert page.count("ada@example.com") >= 2


def test_power_query_downloads_fill_in_the_project_url(admin, db, team):
    _enable(db, team.project)
    snippet = admin.get("/projects/QST/integrations/powerquery/QST.pq")
    assert snippet.status_code == 200
    assert "attachment" in snippet.headers["content-disposition"]
    assert team.project.api_id in snippet.text and "pbt_" not in snippet.text
    assert admin.get("/projects/QST/integrations/powerquery/PublishedPlans.pq").status_code == 200
    assert admin.get("/projects/QST/integrations/powerquery/..%2Fsecret").status_code == 404


def test_admin_adds_changes_and_removes_a_member(admin, db, team):
    added = post_form(
        admin, "/projects/QST/members", "/projects/QST/members", email=team.outsider, role="member"
    )
    assert added.status_code == 303
    with db.transaction() as session:
        otto = projects.get_user(session, team.outsider)
    page = admin.get("/projects/QST/members").text
    assert "Otto Outsider" in page
    post_form(
        admin,
        "/projects/QST/members",
        "/projects/QST/members/role",
        user_id=str(otto.id),
        role="admin",
    )
    row = admin.get("/projects/QST/members").text.split("Otto Outsider</td>")[1].split("</tr>")[0]
    assert "selected>Admin" in row
    post_form(admin, "/projects/QST/members", "/projects/QST/members/remove", user_id=str(otto.id))
    assert "Otto Outsider" not in admin.get("/projects/QST/members").text
    with db.transaction() as session:
        actions = [e.action for e in audit.events(session, team.project.id)]
    assert actions[-3:] == ["member.add", "member.role", "member.remove"]


def test_the_last_admin_can_neither_leave_nor_be_demoted(admin, db, team):
    with db.transaction() as session:
        ada = projects.get_user(session, team.admin)
    removed = post_form(
        admin, "/projects/QST/members", "/projects/QST/members/remove", user_id=str(ada.id)
    )
    assert removed.status_code == 409
    assert "last admin" in removed.text
    demoted = post_form(
        admin,
        "/projects/QST/members",
        "/projects/QST/members/role",
        user_id=str(ada.id),
        role="member",
    )
    assert demoted.status_code == 409


def test_adding_an_unknown_email_says_so(admin, team):
    answer = post_form(
        admin,
        "/projects/QST/members",
        "/projects/QST/members",
        email="nobody@example.com",
        role="member",
    )
    assert answer.status_code == 422
    assert "No user with email nobody@example.com" in answer.text


def test_audit_log_is_newest_first_and_paged(admin, db, team):
    with db.transaction() as session:
        for n in range(60):
            audit.record(session, OPERATOR, f"test.{n}", project_id=team.project.id)
    first = admin.get("/projects/QST/audit").text
    assert first.index("test.59") < first.index("test.58")
    assert "test.5<" not in first and "Page 1 of 2" in first
    second = admin.get("/projects/QST/audit?page=2").text
    assert "test.5</code>" in second and "test.59" not in second


def test_projects_list_hides_archived_projects(admin, db, team):
    with db.transaction() as session:
        extra = projects.create_project(session, name="Old Depot", code="OLD", organisation="T")
        projects.add_member(session, extra, projects.get_user(session, team.admin), "admin")
        extra.archived = True
    page = admin.get("/projects").text
    assert "Quay Street Tower" in page and "Old Depot" not in page


def test_the_home_page_says_why_there_is_no_ppc_yet(admin, db, team, clock):
    with db.transaction() as session:
        project = projects.get_project(session, "QST")
    small_plan(db, project)
    publish_at(db, project, clock.now, name="Week A")
    page = admin.get("/projects/QST").text
    assert "No PPC yet: it compares two versions published on different days" in page


def test_api_docs_are_served_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http" not in re.sub(r'href="/|src="/', "", page.text).split("<body>")[1]
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


def test_a_form_body_over_the_small_limit_is_refused_before_reading_it(client):
    answer = client.post(
        "/login",
        content=b"email=" + b"a" * (200 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert answer.headers["x-content-type-options"] == "nosniff"
