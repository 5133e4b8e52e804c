"""A project for the Plan API: an admin and a member, each with a personal access token, the
project's lists, and helpers to call the API as either."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from planbridge.actors import OPERATOR, Actor
from planbridge.db.session import Database
from planbridge.integrations import personal_tokens
from planbridge.planning import service as plan
from planbridge.projects import service as projects
from planbridge.projects.models import Project, User
from tests.conftest import Clock, FeedProject


@dataclass
class ApiProject:
    project: Project
    admin: Actor
    member: Actor
    admin_token: str
    member_token: str
    feed_token: str
    lists: dict[str, int]

    @property
    def code(self) -> str:
        return self.project.code

    def url(self, path: str = "") -> str:
        return f"/api/v1/projects/{self.project.code}{path}"

    @property
    def as_admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    @property
    def as_member(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.member_token}"}


def issue_pat(db: Database, project: Project, user_id: int, now: Any, **kw: Any) -> str:
    with db.transaction() as session:
        user = session.get(User, user_id)
        issued = personal_tokens.create_token(
            session,
            project,
            OPERATOR,
            user=user,
            name=kw.pop("name", "sync"),
            days=None,
            now=now,
            max_days=kw.pop("max_days", 90),
            default_days=kw.pop("default_days", 30),
            **kw,
        )
    return issued.secret


def seed_lists(db: Database, project: Project) -> dict[str, int]:
    with db.transaction() as session:
        return {
            "subcontractor": plan.add_subcontractor(
                session, project, "Sparks Ltd", "Electrical"
            ).id,
            "location": plan.add_location(session, project, "Level 01", "level").id,
            "folder": plan.add_folder(session, project, "1.1", "Frame").id,
            "package": plan.add_package(session, project, "WP01").id,
            "reason": plan.add_delay_reason(session, project, "Awaiting access", "space_access").id,
            "category": plan.add_blocker_category(
                session, project, "Design", "information_design"
            ).id,
            "calendar": project.default_calendar_id or 0,
        }


@pytest.fixture
def make_api_project(
    db: Database, clock: Clock, make_project: Callable[..., FeedProject]
) -> Callable[..., ApiProject]:
    def build(**kw: Any) -> ApiProject:
        feed = make_project(**kw)
        project = feed.project
        with db.transaction() as session:
            user = projects.create_user(
                session,
                email=f"member-{project.code.lower()}@example.com",
                name="Mia Member",
                organisation="Test Org",
            )
            projects.add_member(session, project, user, "member")
            member = Actor(label=user.email, user_id=user.id)
        assert feed.admin.user_id is not None
        return ApiProject(
            project=project,
            admin=feed.admin,
            member=member,
            admin_token=issue_pat(db, project, feed.admin.user_id, clock.now, name="admin sync"),
            member_token=issue_pat(db, project, user.id, clock.now, name="member sync"),
            feed_token=feed.token,
            lists=seed_lists(db, project),
        )

    return build


@pytest.fixture
def api(make_api_project: Callable[..., ApiProject]) -> ApiProject:
    return make_api_project()


TASK = {"name": "First fix wiring", "start_date": "2026-11-23", "duration_days": 3}


@pytest.fixture
def new_task(client: Any, api: ApiProject) -> Callable[..., dict[str, Any]]:
    """Create a task through the API (as the member) and return its JSON."""

    def create(**fields: Any) -> dict[str, Any]:
        response = client.post(api.url("/tasks"), json={**TASK, **fields}, headers=api.as_member)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return create
