"""Small, exact plans for tests: every value is known, so tests can assert on it."""

from __future__ import annotations

import datetime as dt

from planbridge.actors import OPERATOR
from planbridge.db.session import Database
from planbridge.planning import service as plan
from planbridge.projects.models import Project
from planbridge.publishing.models import Version
from planbridge.publishing.service import publish


def small_plan(db: Database, project: Project) -> None:
    """Three tasks (one a milestone), with a link, resources, a delay and a blocker."""
    with db.transaction() as session:
        sub = plan.add_subcontractor(session, project, "Électricité Müller", "Electrical")
        level = plan.add_location(session, project, "Level 01", "level")
        zone = plan.add_location(session, project, "Level 01 Zone A", "zone", level.id)
        folder = plan.add_folder(session, project, "1.1", "Frame")
        package = plan.add_package(session, project, "WP01 Electrical")
        reason = plan.add_delay_reason(session, project, "Awaiting access", "space_access")
        category = plan.add_blocker_category(session, project, "Design", "information_design")
        common = {
            "subcontractor_id": sub.id,
            "location_id": zone.id,
            "folder_id": folder.id,
            "package_id": package.id,
        }
        a = plan.add_task(
            session,
            project,
            name="Containment – Zone A",
            start_date=dt.date(2026, 11, 16),
            duration_days=3,
            tags=["critical", "lookahead"],
            **common,
        )
        b = plan.add_task(
            session,
            project,
            name="First fix wiring",
            start_date=dt.date(2026, 11, 18),
            duration_days=2,
            **common,
        )
        m = plan.add_task(
            session,
            project,
            name="Power on",
            start_date=dt.date(2026, 11, 24),
            type="milestone",
            milestone_target_date=dt.date(2026, 11, 24),
        )
        plan.add_link(session, a, b, "FS", 0)
        plan.add_link(session, b, m, "FS", 1)
        plan.add_resource(session, a, "labour", "Electricians", 4, "people")
        plan.add_resource(session, b, "material", "Cable", 250, "m")
        plan.add_progress(
            session,
            b,
            day=dt.date(2026, 11, 18),
            type="delayed",
            reason=reason,
            impact="extend",
            amount_days=1,
            comment="Scaffold not ready",
            recorded_at=dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC),
        )
        plan.add_blocker(
            session,
            m,
            title="Approved drawings",
            raised_on=dt.date(2026, 11, 16),
            due_on=dt.date(2026, 11, 20),
            category=category,
        )


def publish_at(
    db: Database, project: Project, when: dt.datetime, name: str | None = None
) -> Version:
    with db.transaction() as session:
        return publish(session, project, OPERATOR, now=when, chunk_rows=2, name=name)
