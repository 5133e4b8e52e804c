"""Every management command goes through a service that checks the actor and writes one audit
row: each is refused to a plain member where it needs a project admin (one error line, exit 1,
no audit row) and, when it succeeds, leaves exactly one audit row naming the actor and the
``cli`` channel. Operator-only commands have no ``--by``; their services refuse anyone else.
A new command fails ``test_every_command_is_walked`` until it is listed here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.main import get_command
from typer.testing import CliRunner

from planbridge.accounts import service as accounts
from planbridge.actors import OPERATOR as OPERATOR_ACTOR
from planbridge.actors import Actor
from planbridge.audit.models import AuditEvent
from planbridge.cli.main import app
from planbridge.errors import Forbidden, InvalidInput
from planbridge.exports import definition as definitions
from planbridge.exports import service as exports
from planbridge.integrations import personal_tokens
from planbridge.integrations import service as integrations
from planbridge.oauth import service as oauth
from planbridge.projects import management
from planbridge.projects import service as projects
from planbridge.projects.models import Project, User
from planbridge.publishing.service import publish
from tests.builders import small_plan
from tests.conftest import T0
from tests.imports.apply_support import csv_file

READ_ONLY = {
    ("projects", "list"),
    ("tokens", "list"),
    ("pat", "list"),
    ("audit", "list"),
    ("config", "show"),
    ("powerbi", "snippet"),
    ("users", "list"),
    ("pull",),
}
"""Commands that change nothing (``pull`` reads feeds over HTTP into a warehouse)."""
RUNTIME = {("db", "upgrade"), ("serve",), ("demo",), ("backup",), ("restore",)}
"""Commands that run, set up, back up or restore the installation (an operator at the shell,
with the database files in hand) rather than act on a project for someone."""

ADMIN, MEMBER, OPERATOR = "admin", "member", "operator"

READ_ONLY |= {("exports", "list"), ("oauth-clients", "list")}
RUNTIME |= {("tokens", "notify-expiring")}
"""The daily expiry-email job (a timer): one audit row per email sent, none when nothing is
due; its rows and its refusal to anyone but the operator: tests/integrations/
test_expiry_notices.py."""


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    needs: str
    """``admin`` (refused to a member), ``member`` (any member) or ``operator`` (no --by)."""
    stdin: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        words = [a for a in self.args if not a.startswith(("{", "-"))]
        return tuple(words[:1]) if words[0] in ("publish", "import") else tuple(words[:2])

    @property
    def id(self) -> str:
        return " ".join(a for a in self.args if not a.startswith("{"))


CASES = [
    Case(("projects", "create", "--name", "New", "--code", "NEW1"), OPERATOR),
    Case(("projects", "tier", "{code}", "enterprise"), OPERATOR),
    Case(("projects", "archive", "{code}"), ADMIN),
    Case(("projects", "unarchive", "{code}"), ADMIN),
    Case(("users", "create", "--email", "u2@example.com", "--name", "U Two"), OPERATOR),
    Case(
        ("users", "set-password", "--email", "new@example.com", "--password-stdin"),
        OPERATOR,
        stdin="a long enough new passphrase\n",
    ),
    Case(("users", "disable", "--email", "new@example.com"), OPERATOR),
    Case(("members", "add", "{code}", "new@example.com"), ADMIN),
    Case(("members", "role", "{code}", "{member}", "--role", "admin"), ADMIN),
    Case(("members", "remove", "{code}", "{member}"), ADMIN),
    Case(("integration", "enable", "{code}"), ADMIN),
    Case(("integration", "disable", "{code}"), ADMIN),
    Case(("feed", "suspend", "{code}", "--reason", "abuse"), OPERATOR),
    Case(("feed", "resume", "{code}"), OPERATOR),
    Case(("tokens", "create", "{code}", "--name", "BI"), ADMIN),
    Case(("tokens", "revoke", "{code}", "{token}"), ADMIN),
    Case(("tokens", "rotate", "{code}", "{token}"), ADMIN),
    Case(("publish", "{code}"), ADMIN),
    Case(("metrics", "rebuild", "{code}"), ADMIN),
    Case(("import", "{code}", "{csv}"), MEMBER),
    Case(("import", "{code}", "{csv}", "--prune"), ADMIN),
    Case(("pat", "create", "{code}", "--name", "Sync"), MEMBER),
    Case(("pat", "revoke", "{code}", "{pat}"), MEMBER),
]
CASES += [
    Case(("exports", "create", "{code}", "--name", "Tasks", "--table", "tasks"), ADMIN),
    Case(("exports", "run", "{code}", "All tasks"), MEMBER),
    Case(
        ("oauth-clients", "create", "--name", "App", "--redirect-uri", "https://a.example/cb"),
        OPERATOR,
    ),
    Case(("oauth-clients", "revoke", "{client}"), OPERATOR),
    Case(("sso", "require", "--email", "{member}"), OPERATOR),
]


def _leaf_commands() -> set[tuple[str, ...]]:
    def walk(command: Any, path: tuple[str, ...]) -> set[tuple[str, ...]]:
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            return {path}
        return set().union(*(walk(sub, (*path, name)) for name, sub in subcommands.items()))

    return walk(get_command(app), ())


def test_every_command_is_walked():
    walked = {case.path for case in CASES}
    assert _leaf_commands() == walked | READ_ONLY | RUNTIME


@dataclass
class Setup:
    code: str
    admin: str
    member: str
    values: dict[str, str]


@pytest.fixture
def setup(db, make_project, clock, tmp_path) -> Setup:
    fp = make_project()
    small_plan(db, fp.project)  # a plan to publish
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        member = projects.create_user(
            session, email="mia@example.com", name="Mia", organisation="Test Org"
        )
        projects.add_member(session, project, member, "member")
        projects.create_user(session, email="new@example.com", name="New", organisation="Org")
        token = integrations.create_token(
            session,
            project,
            fp.admin,
            name="old",
            days=None,
            max_days=90,
            default_days=30,
            now=clock.now,
        )
        pat = personal_tokens.create_token(
            session,
            project,
            Actor(member.email, member.id),
            user=member,
            name="mine",
            days=None,
            now=clock.now,
            max_days=90,
            default_days=30,
        )
    with db.transaction() as session:
        project = session.get(Project, fp.project.id)
        publish(session, project, fp.admin, now=clock.now, chunk_rows=100)
        exports.create_action(
            session,
            project,
            fp.admin,
            name="All tasks",
            definition=definitions.check(table="tasks", format="csv"),
            now=clock.now,
        )
        client = oauth.create_client(
            session,
            OPERATOR_ACTOR,
            name="Old app",
            redirect_uris=["https://old.example/cb"],
            confidential=False,
            now=clock.now,
        ).client
    plan = tmp_path / "plan.csv"
    plan.write_bytes(
        csv_file(
            {"external_id": "C-1", "name": "Slab", "start": "2026-11-23", "duration_days": "2"}
        )
    )
    values = {
        "code": fp.project.code,
        "member": member.email,
        "token": str(token.token.id),
        "pat": str(pat.token.id),
        "csv": str(plan),
        "client": client.client_id,
    }
    return Setup(fp.project.code, fp.admin.label, member.email, values)


@pytest.fixture
def run(database_url, monkeypatch, tmp_path) -> Callable[..., Any]:
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("PLANBRIDGE_EXPORTS_DIR", str(tmp_path / "exports"))
    runner = CliRunner()
    return lambda *args, stdin=None: runner.invoke(app, list(args), input=stdin)


def _rows(db) -> list[AuditEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _count(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_command_is_authorized_and_audited_once(run, db, setup, case):
    args = [a.format(**setup.values) if a.startswith("{") else a for a in case.args]
    before = _count(db)
    if case.needs == ADMIN:
        refused = run(*args, "--by", setup.member)
        assert refused.exit_code == 1, refused.output
        lines = [line for line in refused.output.splitlines() if line.strip()]
        assert len(lines) == 1
        assert lines[0].startswith(
            f"error: {setup.member} is not an admin of project {setup.code}."
        )
        assert _count(db) == before, "a refused command left an audit row"
    by = {ADMIN: ["--by", setup.admin], MEMBER: ["--by", setup.member], OPERATOR: []}
    result = run(*args, *by[case.needs], stdin=case.stdin)
    assert result.exit_code == 0, result.output
    new = _rows(db)[before:]
    assert len(new) == 1, [e.action for e in new]
    actor = {ADMIN: setup.admin, MEMBER: setup.member, OPERATOR: "operator"}[case.needs]
    assert new[0].actor == actor
    assert new[0].details["via"] == "cli"


def _member(session: Any) -> Actor:
    user = session.scalar(select(User).where(User.email == "mia@example.com"))
    return Actor(user.email, user.id, via="web")


OPERATOR_SERVICES: dict[tuple[str, ...], Callable[[Any, Project, Actor], Any]] = {
    ("projects", "create"): lambda s, p, a: management.create_project(
        s, a, name="X", code="X1", organisation="Org"
    ),
    ("projects", "tier"): lambda s, p, a: management.set_tier(s, p, a, "free"),
    ("users", "create"): lambda s, p, a: accounts.create_account(
        s,
        a,
        email="x@example.com",
        name="X",
        organisation="Org",
        password=None,
        now=T0,
        link_hours=1,
    ),
    ("users", "set-password"): lambda s, p, a: accounts.set_password(
        s, a, email="new@example.com", password="a long enough new passphrase", now=T0
    ),
    ("users", "disable"): lambda s, p, a: accounts.disable(s, a, email="new@example.com", now=T0),
    ("feed", "suspend"): lambda s, p, a: integrations.set_feed_suspended(
        s, p, a, suspended=True, reason=None
    ),
    ("feed", "resume"): lambda s, p, a: integrations.set_feed_suspended(
        s, p, a, suspended=False, reason=None
    ),
}

OPERATOR_SERVICES.update(
    {
        ("oauth-clients", "create"): lambda s, p, a: oauth.create_client(
            s, a, name="X", redirect_uris=["https://x.example/cb"], confidential=False, now=T0
        ),
        ("oauth-clients", "revoke"): lambda s, p, a: oauth.revoke_client(s, a, "pbc-x", now=T0),
        ("sso", "require"): lambda s, p, a: oauth.require_sso(
            s, a, email="mia@example.com", now=T0
        ),
    }
)


@pytest.mark.parametrize("path", sorted(OPERATOR_SERVICES), ids=" ".join)
def test_operator_services_refuse_anyone_else(db, setup, path):
    before = _count(db)
    with db.transaction() as session, pytest.raises((Forbidden, InvalidInput)) as caught:
        project = projects.get_project(session, setup.code)
        OPERATOR_SERVICES[path](session, project, _member(session))
    assert "Only the operator" in caught.value.message
    assert _count(db) == before


def test_every_operator_command_has_its_service_refusal_checked():
    assert set(OPERATOR_SERVICES) == {case.path for case in CASES if case.needs == OPERATOR}
