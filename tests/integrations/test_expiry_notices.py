"""Expiry emails to a feed token's creator, through a real SMTP server (aiosmtpd, started
here): 14 and 3 days before expiry, each once, none for revoked, replaced or operator tokens,
audited, never the secret; ``planbridge tokens notify-expiring`` sends them."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner

from planbridge import audit
from planbridge.actors import OPERATOR, Actor
from planbridge.cli.main import app
from planbridge.errors import InvalidInput
from planbridge.integrations import expiry_notices, mail
from planbridge.integrations import service as integrations
from planbridge.projects.models import Project

SENDER = "PlanBridge <planbridge@example.org>"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accept_login(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"pb", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_accept_login,
        auth_require_tls=False,
    )
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_settings(make_settings, smtp):
    return make_settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        smtp_username="pb",
        smtp_password="s3cret",
        smtp_from=SENDER,
        base_url="https://plans.example.org",
    )


def _token(db, feed, clock, *, days=30, name="Weekly report", actor=None):
    with db.transaction() as session:
        return integrations.create_token(
            session,
            session.get(Project, feed.project.id),
            actor or feed.admin,
            name=name,
            days=days,
            max_days=90,
            default_days=90,
            now=clock.now,
        )


def _run(db, settings, clock):
    with mail.Mailer(settings) as mailer, db.transaction() as session:
        return expiry_notices.notify_expiring(
            session,
            Actor("operator", via="cli"),
            now=clock.now,
            send=mailer.send,
            base_url=settings.public_url,
            grace_hours=168,
        )


def test_the_creator_is_emailed_at_14_and_3_days_once_each(
    db, make_project, clock, smtp, smtp_settings
):
    feed = make_project()  # its fixture token is the operator's: never emailed
    issued = _token(db, feed, clock)
    clock.advance(days=15)  # 15 days left
    assert _run(db, smtp_settings, clock) == [] and smtp.messages == []
    clock.advance(days=1)  # 14 days left
    [sent] = _run(db, smtp_settings, clock)
    assert (sent.token_id, sent.days_before, sent.status) == (issued.token.id, 14, "sent")
    [message] = smtp.messages
    assert message["To"] == feed.admin.label and message["From"] == SENDER
    assert message["Subject"] == (
        f"PlanBridge: feed token 'Weekly report' of {feed.project.code} expires in 14 days"
    )
    body = message.get_payload(decode=True).decode()
    assert "expires on 2026-12-20 15:00 UTC" in body
    assert f"planbridge tokens rotate {feed.project.code} {issued.token.id}" in body
    assert f"https://plans.example.org/projects/{feed.project.code}/integrations" in body
    assert issued.secret not in message.as_string()
    for _ in range(2):  # the same day, and every day until the 3-day mark: nothing more
        clock.advance(days=5)
        assert _run(db, smtp_settings, clock) == []
    assert len(smtp.messages) == 1
    clock.advance(hours=23)  # 3 days and 1 hour left: still 4 days, rounded up
    assert _run(db, smtp_settings, clock) == []
    clock.advance(hours=1)  # 3 days left
    [sent] = _run(db, smtp_settings, clock)
    assert sent.days_before == 3 and "expires in 3 days" in smtp.messages[-1]["Subject"]
    clock.advance(days=2)
    assert _run(db, smtp_settings, clock) == [] and len(smtp.messages) == 2
    with db.transaction() as session:
        rows = [
            e for e in audit.events(session, feed.project.id) if e.action == "token.expiry_notice"
        ]
        assert [(e.subject, e.details["days_before"], e.details["to"]) for e in rows] == [
            (f"token {issued.token.id}", 14, feed.admin.label),
            (f"token {issued.token.id}", 3, feed.admin.label),
        ]
        assert issued.secret not in str([e.details for e in rows])


def test_a_run_that_missed_the_14_day_mark_sends_only_the_3_day_notice(
    db, make_project, clock, smtp, smtp_settings
):
    feed = make_project()
    _token(db, feed, clock, days=30)
    clock.advance(days=28)
    assert [n.days_before for n in _run(db, smtp_settings, clock)] == [3]
    assert _run(db, smtp_settings, clock) == [] and len(smtp.messages) == 1


def test_no_email_for_revoked_expired_replaced_or_operator_tokens(
    db, make_project, clock, smtp, smtp_settings
):
    feed = make_project()
    revoked = _token(db, feed, clock, days=10, name="Revoked")
    _token(db, feed, clock, days=10, name="By the operator", actor=OPERATOR)
    rotated = _token(db, feed, clock, days=20, name="Rotated")
    _token(db, feed, clock, days=1, name="Expired")
    with db.transaction() as session:
        project = session.get(Project, feed.project.id)
        integrations.revoke_token(session, project, feed.admin, revoked.token.id, now=clock.now)
        integrations.rotate_token(
            session,
            project,
            feed.admin,
            rotated.token.id,
            grace=dt.timedelta(days=7),
            max_days=90,
            now=clock.now,
        )
    clock.advance(days=2)
    outcome = {n.name: (n.status, n.reason) for n in _run(db, smtp_settings, clock)}
    assert outcome == {
        "By the operator": ("skipped", "created by the operator: no one to email"),
        "Rotated": ("skipped", "replaced by a newer token of the same name"),
    }
    assert smtp.messages == []


def test_a_refused_message_is_reported_and_sent_on_the_next_run(
    db, make_project, clock, smtp, make_settings, smtp_settings
):
    feed = make_project()
    _token(db, feed, clock, days=10)
    down = make_settings(**{**_smtp_overrides(smtp_settings), "smtp_port": _free_port()})
    [failed] = _run(db, down, clock)
    assert failed.status == "failed" and "refused" in failed.reason.lower()
    assert [n.status for n in _run(db, smtp_settings, clock)] == ["sent"]
    assert len(smtp.messages) == 1


def _smtp_overrides(settings):
    names = ("smtp_host", "smtp_port", "smtp_starttls", "smtp_username", "smtp_from", "base_url")
    values = {name: getattr(settings, name) for name in names}
    values["smtp_password"] = settings.smtp_password.get_secret_value()
    return values


def test_email_is_off_by_default_and_the_service_is_for_the_operator(db, settings, clock):
    assert settings.smtp_host is None
    with pytest.raises(InvalidInput, match="PLANBRIDGE_SMTP_HOST is unset"):
        mail.Mailer(settings)
    with db.transaction() as session, pytest.raises(InvalidInput, match="operator"):
        expiry_notices.notify_expiring(
            session,
            Actor("a@example.com", 1, via="web"),
            now=clock.now,
            send=lambda m: None,
            base_url="",
            grace_hours=1,
        )


def test_the_command_sends_due_notices(
    db, database_url, monkeypatch, make_project, clock, smtp, smtp_settings
):
    feed = make_project()
    now = dt.datetime.now(dt.UTC)
    _token(db, feed, clock.__class__(now), days=14, name="Two weeks")
    for name, value in _smtp_overrides(smtp_settings).items():
        monkeypatch.setenv(f"PLANBRIDGE_{name.upper()}", str(value))
    monkeypatch.setenv("PLANBRIDGE_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("PLANBRIDGE_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(app, ["tokens", "notify-expiring", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["name"], row["days_before"], row["status"]) == ("Two weeks", 14, "sent")
    assert json.loads(runner.invoke(app, ["tokens", "notify-expiring", "--json"]).stdout) == []
    assert [m["Subject"] for m in smtp.messages] == [
        f"PlanBridge: feed token 'Two weeks' of {feed.project.code} expires in 14 days"
    ]
    monkeypatch.delenv("PLANBRIDGE_SMTP_HOST")
    result = runner.invoke(app, ["tokens", "notify-expiring"])
    assert result.exit_code == 1 and "PLANBRIDGE_SMTP_HOST is unset" in result.output
