"""The navigation API lists exactly the non-archived projects of the caller's organisation that
the caller belongs to, whatever their role; a personal access token reaches its own project."""

from __future__ import annotations

import pytest

from planbridge.actors import OPERATOR
from planbridge.integrations import personal_tokens
from planbridge.projects import service as projects
from tests.connector_fixtures import access_token, bearer

URL = "/api/v1/connector/projects"


@pytest.fixture
def estate(db, make_user):
    """Org A: ACT (ada admin, max member), ARC archived (both), OWN (ada only); org B: BEE
    (max member although his organisation is A)."""
    ada = make_user("ada@example.com", "Ada")
    max_ = make_user("max@example.com", "Max")
    make_user("otto@example.com", "Otto")
    make_user("bea@example.com", "Bea", organisation="Org B")
    with db.transaction() as session:

        def project(code, org):
            return projects.create_project(session, name=code, code=code, organisation=org)

        act, arc, own = (
            project("ACT", "Test Org"),
            project("ARC", "Test Org"),
            project("OWN", "Test Org"),
        )
        bee = project("BEE", "Org B")
        users = {e: projects.get_user(session, e) for e in (ada, max_, "bea@example.com")}
        projects.add_member(session, act, users[ada], "admin")
        projects.add_member(session, act, users[max_], "member")
        projects.add_member(session, arc, users[ada], "admin")
        projects.add_member(session, arc, users[max_], "member")
        projects.add_member(session, own, users[ada], "member")
        projects.add_member(session, bee, users["bea@example.com"], "admin")
        projects.add_member(session, bee, users[max_], "member")
        arc.archived = True


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ada@example.com", [("ACT", "admin"), ("OWN", "member")]),
        ("max@example.com", [("ACT", "member")]),
        ("otto@example.com", []),
        ("bea@example.com", [("BEE", "admin")]),
    ],
)
def test_each_user_sees_exactly_their_live_projects(client, estate, email, expected):
    body = client.get(URL, headers=bearer(access_token(client, email))).json()
    assert [(p["code"], p["role"]) for p in body["projects"]] == expected


def test_the_organisation_is_named(client, estate):
    body = client.get(URL, headers=bearer(access_token(client, "bea@example.com"))).json()
    assert body["organisation"]["name"] == "Org B"


def test_an_archived_project_is_out_of_reach_and_back_when_unarchived(client, estate, db):
    token = access_token(client, "ada@example.com")
    assert client.get(f"{URL}/ARC/exports", headers=bearer(token)).status_code == 404
    with db.transaction() as session:
        projects.get_project(session, "ARC").archived = False
    assert client.get(f"{URL}/ARC/exports", headers=bearer(token)).status_code == 200
    codes = [p["code"] for p in client.get(URL, headers=bearer(token)).json()["projects"]]
    assert codes == ["ACT", "ARC", "OWN"]


def test_a_personal_access_token_reaches_its_own_project_only(client, estate, db, clock):
    with db.transaction() as session:
        ada = projects.get_user(session, "ada@example.com")
        issued = personal_tokens.create_token(
            session,
            projects.get_project(session, "OWN"),
            OPERATOR,
            user=ada,
            name="connector",
            days=30,
            max_days=90,
            default_days=30,
            now=clock.now,
        )
    body = client.get(URL, headers=bearer(issued.secret)).json()
    assert [p["code"] for p in body["projects"]] == ["OWN"]
    assert client.get(f"{URL}/ACT/exports", headers=bearer(issued.secret)).status_code == 404
