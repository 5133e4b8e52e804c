"""Plan API authentication: only a live personal access token of a member of the project, and
the member's role decides what it may do."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from planbridge.integrations import personal_tokens
from planbridge.integrations.personal_models import PersonalAccessToken
from planbridge.projects.models import Project, ProjectMember, Role
from tests.api.conftest import issue_pat
from tests.error_shape import assert_error


def test_no_token_gets_401_naming_the_header_and_how_to_get_one(client, api):
    error = assert_error(client.get(api.url("/tasks")), 401, "invalid_token")
    assert "no Authorization header" in error["message"]
    assert "planbridge pat create" in error["hint"]


def test_wrong_scheme_and_malformed_token_get_401(client, api):
    basic = client.get(api.url("/tasks"), headers={"Authorization": "Basic abc"})
    assert "Bearer <token>" in assert_error(basic, 401, "invalid_token")["message"]
    broken = api.admin_token[:-1] + ("A" if api.admin_token[-1] != "A" else "B")
    response = client.get(api.url("/tasks"), headers={"Authorization": f"Bearer {broken}"})
    assert "checksum" in assert_error(response, 401, "invalid_token")["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_feed_token_is_refused_by_the_plan_api_with_a_clear_message(client, api):
    response = client.get(api.url("/tasks"), headers={"Authorization": f"Bearer {api.feed_token}"})
    error = assert_error(response, 401, "invalid_token")
    assert "feed token" in error["message"] and "pbp_" in error["hint"]


def test_a_personal_access_token_is_refused_by_the_feed(client, api):
    feed_url = f"/power-bi/v1/{api.project.api_id}"
    response = client.get(feed_url, headers=api.as_admin)
    assert_error(response, 401, "invalid_token")


def test_expired_token_gets_401_with_its_expiry_date(client, api, clock):
    clock.advance(days=30)
    error = assert_error(client.get(api.url("/tasks"), headers=api.as_member), 401, "invalid_token")
    assert "'member sync' expired on 2026-12-20T15:00:00Z" in error["message"]


def test_revoked_token_gets_401_from_the_next_request_on(client, db, api, clock):
    assert client.get(api.url("/tasks"), headers=api.as_member).status_code == 200
    with db.transaction() as session:
        token = personal_tokens.list_tokens(session, api.project, api.member)[0]
        personal_tokens.revoke_token(session, api.project, api.member, token.id, now=clock.now)
    error = assert_error(client.get(api.url("/tasks"), headers=api.as_member), 401, "invalid_token")
    assert "revoked on" in error["message"]


def test_a_token_of_another_project_is_unknown_here(client, api, make_api_project):
    other = make_api_project()
    response = client.get(other.url("/tasks"), headers=api.as_admin)
    assert "not known for project" in assert_error(response, 401, "invalid_token")["message"]


def test_unknown_project_gets_404(client, api):
    response = client.get("/api/v1/projects/NOPE/tasks", headers=api.as_admin)
    assert_error(response, 404, "project_not_found")


def test_token_in_the_query_string_is_refused(client, api):
    response = client.get(api.url(f"/tasks?access_token={api.admin_token}"))
    assert_error(response, 400, "token_in_query")


def test_a_removed_member_gets_403_even_with_a_live_token(client, db, api):
    with db.transaction() as session:
        session.execute(delete(ProjectMember).where(ProjectMember.user_id == api.member.user_id))
    response = client.get(api.url("/tasks"), headers=api.as_member)
    assert "no longer a member" in assert_error(response, 403, "not_project_member")["message"]


def test_the_role_is_read_at_each_request(client, db, api):
    body = {"name": "Tiling Ltd"}
    url = api.url("/subcontractors")
    assert client.post(url, json=body, headers=api.as_admin).status_code == 201
    with db.transaction() as session:
        session.execute(
            update(ProjectMember)
            .where(ProjectMember.user_id == api.admin.user_id)
            .values(role=Role.member)
        )
    response = client.post(url, json={"name": "Roofing Ltd"}, headers=api.as_admin)
    assert_error(response, 403, "not_project_admin")


def test_project_endpoint_says_who_the_token_acts_as(client, api):
    body = client.get(api.url(), headers=api.as_member).json()
    assert body["code"] == api.code
    assert body["caller"] == {
        "email": api.member.label,
        "role": "member",
        "permissions": ["read", "edit_plan"],
        "token_name": "member sync",
        "token_expires_at": "2026-12-20T15:00:00Z",
    }


def test_last_use_is_recorded_even_when_the_request_then_fails(client, db, api, clock):
    client.post(api.url("/tasks"), json={"name": ""}, headers=api.as_member)
    with db.transaction() as session:
        used = session.scalars(
            select(PersonalAccessToken.last_used_at).where(
                PersonalAccessToken.user_id == api.member.user_id
            )
        ).all()
    assert used == [clock.now]


def test_an_archived_project_is_read_only(client, db, api):
    with db.transaction() as session:
        session.execute(update(Project).where(Project.id == api.project.id).values(archived=True))
    assert client.get(api.url("/tasks"), headers=api.as_member).status_code == 200
    response = client.post(
        api.url("/tasks"),
        json={"name": "x", "start_date": "2026-11-23"},
        headers=api.as_member,
    )
    assert "archived" in assert_error(response, 403, "forbidden")["message"]


def test_operator_issued_token_works_for_its_owner(client, db, api, clock):
    assert api.admin.user_id is not None
    token = issue_pat(db, api.project, api.admin.user_id, clock.now, name="second")
    assert client.get(api.url(), headers={"Authorization": f"Bearer {token}"}).status_code == 200
