"""Personal access tokens: format, hashing, lifetime, who may create/list/revoke, audit, and the
migration that adds their table."""

from __future__ import annotations

import hashlib
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from planbridge import audit
from planbridge.actors import OPERATOR, Actor
from planbridge.errors import Forbidden, InvalidInput, NotFound, NotProjectMember
from planbridge.integrations import personal_tokens, secrets
from planbridge.integrations.personal_models import PersonalAccessToken
from planbridge.integrations.service import token_state
from planbridge.projects import service as projects
from planbridge.projects.models import User
from planbridge.schema.models import Base


def _create(db, api, clock, actor=None, user=None, **kw):
    with db.transaction() as session:
        owner = session.get(User, (user or api.member).user_id)
        return personal_tokens.create_token(
            session,
            api.project,
            actor or OPERATOR,
            user=owner,
            now=clock.now,
            **{"name": "Nightly sync", "days": None, "max_days": 90, "default_days": 30, **kw},
        )


def test_pat_format_is_the_feed_family_with_its_own_prefix_and_only_sha256_is_stored(
    db, api, clock
):
    issued = _create(db, api, clock)
    assert re.fullmatch(r"pbp_[0-9A-Za-z]{36}", issued.secret)
    assert secrets.is_well_formed(issued.secret, "pbp_")
    assert not secrets.is_well_formed(issued.secret)  # not a feed token
    with db.transaction() as session:
        row = session.get(PersonalAccessToken, issued.token.id)
        stored = [str(v) for v in row.__dict__.values()]
    assert row.secret_sha256 == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert not any(issued.secret in v for v in stored)
    assert row.display_hint == f"pbp_...{issued.secret[-4:]}"


def test_lifetime_defaults_to_30_days_at_most_90(db, api, clock):
    assert (_create(db, api, clock).token.expires_at - clock.now).days == 30
    assert (_create(db, api, clock, days=90).token.expires_at - clock.now).days == 90
    for bad in (0, 91):
        with pytest.raises(InvalidInput, match="1 to 90 days"):
            _create(db, api, clock, days=bad)
    with pytest.raises(InvalidInput, match="1 to 100 characters"):
        _create(db, api, clock, name="  ")


def test_only_the_owner_or_the_operator_creates_a_token_and_only_for_a_member(db, api, clock):
    _create(db, api, clock, actor=api.member)
    with pytest.raises(Forbidden, match="cannot create a personal access token"):
        _create(db, api, clock, actor=api.admin)  # an admin may not mint the member's token
    with db.transaction() as session:
        outsider = projects.create_user(
            session, email="out@example.com", name="Out", organisation="Other"
        )
        outsider_actor = Actor(label=outsider.email, user_id=outsider.id)
    with pytest.raises(NotProjectMember):
        _create(db, api, clock, user=outsider_actor)


def test_members_list_their_own_tokens_admins_list_everyones(db, api, clock):
    with db.transaction() as session:
        mine = personal_tokens.list_tokens(session, api.project, api.member)
        everyone = personal_tokens.list_tokens(session, api.project, api.admin)
    assert [t.name for t in mine] == ["member sync"]
    assert sorted(t.name for t in everyone) == ["admin sync", "member sync"]


def test_owner_or_admin_revokes_a_member_cannot_revoke_anothers(db, api, clock):
    with db.transaction() as session:
        admin_token = personal_tokens.list_tokens(session, api.project, api.admin)[0]
        assert admin_token.name == "admin sync"
        with pytest.raises(Forbidden, match="another member's token"):
            personal_tokens.revoke_token(
                session, api.project, api.member, admin_token.id, now=clock.now
            )
    with db.transaction() as session:
        member_token = personal_tokens.list_tokens(session, api.project, api.member)[0]
        revoked = personal_tokens.revoke_token(
            session, api.project, api.admin, member_token.id, now=clock.now
        )
        assert token_state(revoked, clock.now) == "revoked"
        with pytest.raises(NotFound):
            personal_tokens.revoke_token(session, api.project, api.admin, 999, now=clock.now)


def test_creating_and_revoking_are_audited_without_the_secret(db, api, clock):
    issued = _create(db, api, clock, actor=api.member)
    with db.transaction() as session:
        personal_tokens.revoke_token(
            session, api.project, api.member, issued.token.id, now=clock.now
        )
        events = [e for e in audit.events(session, api.project.id) if e.action.startswith("pat.")]
    assert [(e.action, e.actor) for e in events][-2:] == [
        ("pat.create", api.member.label),
        ("pat.revoke", api.member.label),
    ]
    assert issued.secret not in str([e.details for e in events])


def _table_of(entry):
    if isinstance(entry, list):  # modify_* entries: [(op, schema, table, column, ...), ...]
        return entry[0][2]
    if entry[0] in ("add_column", "remove_column"):
        return entry[2]
    obj = entry[1]
    for attribute in ("table", "parent"):
        if getattr(obj, attribute, None) is not None:
            obj = getattr(obj, attribute)
            break
    return getattr(obj, "name", None)


def test_migration_0002_matches_the_personal_access_token_model(db):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [e for e in diff if _table_of(e) == PersonalAccessToken.__tablename__] == []
    assert PersonalAccessToken.__tablename__ in inspect(db.engine).get_table_names()
