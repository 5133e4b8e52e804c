"""Managing a project's members: admins only, every change audited, and a project that has an
admin never loses its last one."""

from __future__ import annotations

import pytest

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import Conflict, NotFound, NotProjectAdmin
from planbridge.projects import members
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from planbridge.projects.permissions import role_of


@pytest.fixture
def team(db, make_project):
    fp = make_project()
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        mia = projects.create_user(session, email="mia@example.com", name="Mia", organisation="O")
        projects.add_member(session, project, mia, "member")
    return fp, Actor(mia.email, mia.id, via="web")


def _actions(db, project_id):
    with db.transaction() as session:
        return [
            (e.action, e.subject, e.details.get("via")) for e in audit.events(session, project_id)
        ]


def test_the_last_admin_can_be_neither_removed_nor_demoted(db, team):
    fp, _ = team
    admin = fp.admin.label
    with db.transaction() as session, pytest.raises(Conflict, match="last admin"):
        members.remove(session, session.get(Project, fp.project.id), fp.admin, admin)
    with db.transaction() as session, pytest.raises(Conflict, match="last admin"):
        members.change_role(session, session.get(Project, fp.project.id), fp.admin, admin, "member")
    with db.transaction() as session, pytest.raises(Conflict, match="last admin"):
        members.add(session, session.get(Project, fp.project.id), fp.admin, admin, "member")


def test_an_admin_promotes_then_steps_down_and_each_change_is_audited(db, team):
    fp, mia = team
    web_admin = Actor(fp.admin.label, fp.admin.user_id, via="web")
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        members.change_role(session, project, web_admin, mia.label, "admin")
        members.change_role(session, project, web_admin, fp.admin.label, "member")
        assert role_of(session, project, fp.admin.user_id) is not None
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        members.remove(session, project, mia, fp.admin.label)
        assert role_of(session, project, fp.admin.user_id) is None
    assert _actions(db, fp.project.id)[-3:] == [
        ("member.role", "mia@example.com", "web"),
        ("member.role", fp.admin.label, "web"),
        ("member.remove", fp.admin.label, "web"),
    ]


def test_a_member_cannot_manage_members_and_nothing_is_written(db, team):
    fp, mia = team
    before = _actions(db, fp.project.id)
    with db.transaction() as session, pytest.raises(NotProjectAdmin, match="Only project admins"):
        members.change_role(session, session.get(Project, fp.project.id), mia, mia.label, "admin")
    with db.transaction() as session, pytest.raises(NotProjectAdmin):
        members.remove(session, session.get(Project, fp.project.id), mia, fp.admin.label)
    assert _actions(db, fp.project.id) == before


def test_changing_someone_who_is_not_a_member_is_not_found(db, team):
    fp, _ = team
    with db.transaction() as session:
        projects.create_user(session, email="out@example.com", name="Out", organisation="O")
    with db.transaction() as session, pytest.raises(NotFound, match="not a member"):
        members.remove(session, session.get(Project, fp.project.id), fp.admin, "out@example.com")
