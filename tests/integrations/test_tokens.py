"""Feed tokens: format, hashing, lifetime, revocation, last use, who may manage them, audit."""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from sqlalchemy import select

from planbridge import audit
from planbridge.actors import Actor
from planbridge.errors import InvalidInput, NotProjectAdmin
from planbridge.integrations import secrets
from planbridge.integrations import service as integrations
from planbridge.integrations.models import FeedToken
from planbridge.projects import service as projects


def _create(db, project, actor, clock, **kw):
    with db.transaction() as session:
        return integrations.create_token(
            session,
            project,
            actor,
            max_days=90,
            default_days=90,
            now=clock.now,
            **{"name": "Power BI", "days": None, **kw},
        )


def test_token_format_prefix_random_and_crc_checksum():
    token = secrets.generate()
    assert re.fullmatch(r"pbt_[0-9A-Za-z]{36}", token)
    assert secrets.is_well_formed(token)
    random_part = token[4:34]
    assert len(set(secrets.generate() for _ in range(50))) == 50
    assert secrets.RANDOM_CHARS * math.log2(len(secrets.ALPHABET)) >= 160
    import zlib

    number = zlib.crc32(random_part.encode())
    digits = ""
    for _ in range(6):
        number, d = divmod(number, 62)
        digits = secrets.ALPHABET[d] + digits
    assert token[-6:] == digits


def test_only_the_sha256_is_stored_and_the_secret_is_returned_once(db, make_project, clock):
    feed = make_project()
    issued = _create(db, feed.project, feed.admin, clock)
    with db.transaction() as session:
        row = session.get(FeedToken, issued.token.id)
        stored = [str(v) for v in row.__dict__.values()]
    assert row.secret_sha256 == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert not any(issued.secret in v for v in stored)
    assert row.display_hint == f"pbt_...{issued.secret[-4:]}"


def test_lifetime_is_90_days_by_default_shorter_allowed_longer_refused(db, make_project, clock):
    feed = make_project()
    default = _create(db, feed.project, feed.admin, clock).token
    assert (default.expires_at - clock.now).days == 90
    short = _create(db, feed.project, feed.admin, clock, days=7).token
    assert (short.expires_at - clock.now).days == 7
    for bad in (0, 91, 365):
        with pytest.raises(InvalidInput, match="1 to 90 days"):
            _create(db, feed.project, feed.admin, clock, days=bad)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_token_name_is_required_1_to_100_characters(db, make_project, clock, name):
    feed = make_project()
    with pytest.raises(InvalidInput, match="1 to 100 characters"):
        _create(db, feed.project, feed.admin, clock, name=name)


def test_many_tokens_per_project_listed_with_state_and_never_the_secret(db, make_project, clock):
    feed = make_project()
    a = _create(db, feed.project, feed.admin, clock, name="A", days=1)
    _create(db, feed.project, feed.admin, clock, name="B")
    with db.transaction() as session:
        integrations.revoke_token(session, feed.project, feed.admin, a.token.id, now=clock.now)
    clock.advance(days=2)
    with db.transaction() as session:
        tokens = integrations.list_tokens(session, feed.project, feed.admin)
    states = {t.name: integrations.token_state(t, clock.now) for t in tokens}
    assert states == {"test token": "active", "A": "revoked", "B": "active"}
    assert all(t.created_by == "operator" or t.created_by == feed.admin.label for t in tokens)
    clock.advance(days=89)
    with db.transaction() as session:
        tokens = integrations.list_tokens(session, feed.project, feed.admin)
    assert {t.name: integrations.token_state(t, clock.now) for t in tokens}["B"] == "expired"


def test_last_used_is_written_at_most_once_a_minute(client, db, make_project, clock):
    feed = make_project()

    def last_used():
        with db.transaction() as session:
            return session.scalar(
                select(FeedToken.last_used_at).where(FeedToken.project_id == feed.project.id)
            )

    assert last_used() is None
    client.get(feed.url, headers=feed.auth)
    first = last_used()
    assert first == clock.now
    clock.advance(seconds=59)
    client.get(feed.url, headers=feed.auth)
    assert last_used() == first
    clock.advance(seconds=1)
    client.get(feed.url, headers=feed.auth)
    assert last_used() == clock.now


def test_members_who_are_not_admins_cannot_manage_tokens(db, make_project, clock):
    feed = make_project()
    with db.transaction() as session:
        user = projects.create_user(
            session, email="m@example.com", name="M", organisation="Test Org"
        )
        projects.add_member(session, feed.project, user, "member")
        member = Actor(label=user.email, user_id=user.id)
    with pytest.raises(NotProjectAdmin):
        _create(db, feed.project, member, clock)
    with db.transaction() as session, pytest.raises(NotProjectAdmin):
        integrations.list_tokens(session, feed.project, member)
    with db.transaction() as session, pytest.raises(NotProjectAdmin):
        integrations.set_integration(session, feed.project, member, enabled=False)


def test_admin_of_another_project_cannot_manage_this_ones_tokens(db, make_project, clock):
    mine, other = make_project(), make_project()
    with pytest.raises(NotProjectAdmin):
        _create(db, mine.project, other.admin, clock)


def test_a_feed_token_is_not_an_actor_that_can_manage_tokens(client, make_project):
    """The only HTTP surface a feed token reaches is read-only: no route accepts it for writes."""
    feed = make_project()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.request(method, feed.url, headers=feed.auth)
        assert response.status_code == 405
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if path.startswith(("/power-bi/", "/odata/")):
            assert set(operations) <= {"get"}, path


def test_every_management_action_is_audited(db, make_project, clock):
    feed = make_project()
    issued = _create(db, feed.project, feed.admin, clock, name="Audit me")
    with db.transaction() as session:
        integrations.revoke_token(session, feed.project, feed.admin, issued.token.id, now=clock.now)
        integrations.set_integration(session, feed.project, feed.admin, enabled=False)
        events = audit.events(session, feed.project.id)
    actions = [(e.actor, e.action) for e in events]
    assert ("operator", "integration.enable") in actions
    assert ("operator", "token.create") in actions
    assert (feed.admin.label, "token.create") in actions
    assert (feed.admin.label, "token.revoke") in actions
    assert (feed.admin.label, "integration.disable") in actions
    assert all(issued.secret not in str(e.details) for e in events)
