"""Rotating a feed token: a new secret with the same name and lifetime, the old one working
through the grace period and refused after it, one audit row, admins only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from planbridge import audit
from planbridge.actors import Actor
from planbridge.cli.main import app
from planbridge.errors import Conflict, NotProjectAdmin
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from tests.error_shape import assert_error

GRACE = dt.timedelta(days=7)


def _create(db, project, actor, clock, days):
    with db.transaction() as session:
        return integrations.create_token(
            session,
            session.get(Project, project.id),
            actor,
            name="Weekly report",
            days=days,
            max_days=90,
            default_days=90,
            now=clock.now,
        )


def _rotate(db, project, actor, clock, token_id, max_days=90):
    with db.transaction() as session:
        return integrations.rotate_token(
            session,
            session.get(Project, project.id),
            actor,
            token_id,
            grace=GRACE,
            max_days=max_days,
            now=clock.now,
        )


def _get(client, feed, secret):
    return client.get(f"{feed.url}?limit=1", headers={"Authorization": f"Bearer {secret}"})


def test_old_token_works_through_the_grace_period_then_expires(client, db, make_project, clock):
    feed = make_project()
    old = _create(db, feed.project, feed.admin, clock, days=30)
    clock.advance(days=10)
    rotated = _rotate(db, feed.project, feed.admin, clock, old.token.id)
    new = rotated.issued  # the grace ends before the old token's own expiry (day 30)
    assert new.secret != old.secret and new.token.name == "Weekly report"
    assert new.token.expires_at - new.token.created_at == dt.timedelta(days=30)
    assert rotated.old.expires_at == clock.now + GRACE
    clock.advance(hours=GRACE.total_seconds() / 3600 - 1)
    assert _get(client, feed, old.secret).status_code == 200
    assert _get(client, feed, new.secret).status_code == 200
    clock.advance(hours=1)
    assert (
        "expired" in assert_error(_get(client, feed, old.secret), 401, "invalid_token")["message"]
    )
    assert _get(client, feed, new.secret).status_code == 200


def test_rotation_is_one_audit_row_and_never_extends_the_old_token(db, make_project, clock):
    feed = make_project()
    old = _create(db, feed.project, feed.admin, clock, days=2)
    clock.advance(days=1)
    before = _events(db, feed.project)
    rotated = _rotate(db, feed.project, feed.admin, clock, old.token.id, max_days=1)
    assert rotated.old.expires_at == old.token.expires_at  # sooner than the grace's end
    assert rotated.issued.token.expires_at == clock.now + dt.timedelta(days=1)  # capped
    new = _events(db, feed.project)[len(before) :]
    assert [(e.action, e.subject, e.details["new_token"]) for e in new] == [
        ("token.rotate", f"token {old.token.id}", rotated.issued.token.id)
    ]
    assert rotated.issued.secret not in str([e.details for e in new])


def test_only_admins_rotate_and_only_active_tokens(db, make_project, clock):
    feed = make_project()
    old = _create(db, feed.project, feed.admin, clock, days=30)
    with db.transaction() as session:
        user = projects.create_user(session, email="m@example.com", name="M", organisation="O")
        projects.add_member(session, session.get(Project, feed.project.id), user, "member")
    with pytest.raises(NotProjectAdmin):
        _rotate(db, feed.project, Actor(user.email, user.id, via="web"), clock, old.token.id)
    with db.transaction() as session:
        integrations.revoke_token(
            session, session.get(Project, feed.project.id), feed.admin, old.token.id, now=clock.now
        )
    with pytest.raises(Conflict, match="is revoked"):
        _rotate(db, feed.project, feed.admin, clock, old.token.id)


def _events(db, project):
    with db.transaction() as session:
        return audit.events(session, project.id)


def test_the_grace_is_a_week_by_default_and_at_most_30_days(make_settings):
    assert make_settings().token_rotate_grace_hours == 7 * 24
    assert make_settings(token_rotate_grace_hours=30 * 24).token_rotate_grace_hours == 720
    with pytest.raises(ValidationError, match="less than or equal to 720"):
        make_settings(token_rotate_grace_hours=30 * 24 + 1)


def test_tokens_rotate_command_keeps_the_old_token_for_the_configured_grace(
    db, database_url, monkeypatch, make_project
):
    feed = make_project()
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()
    created = json.loads(
        runner.invoke(app, ["tokens", "create", feed.project.code, "--name", "R", "--json"]).stdout
    )
    before = dt.datetime.now(dt.UTC)
    done = runner.invoke(app, ["tokens", "rotate", feed.project.code, str(created["id"]), "--json"])
    assert done.exit_code == 0, done.output
    rotated = json.loads(done.stdout)
    old_end = dt.datetime.fromisoformat(rotated["old_expires_at"])
    assert before + GRACE <= old_end <= dt.datetime.now(dt.UTC) + GRACE
    assert rotated["replaces"] == created["id"] and rotated["token"] != created["token"]
    monkeypatch.setenv("PLANBRIDGE_TOKEN_ROTATE_GRACE_HOURS", "1")
    again = json.loads(
        runner.invoke(
            app, ["tokens", "rotate", feed.project.code, str(rotated["id"]), "--json"]
        ).stdout
    )
    assert dt.datetime.fromisoformat(again["old_expires_at"]) <= dt.datetime.now(
        dt.UTC
    ) + dt.timedelta(hours=1)
