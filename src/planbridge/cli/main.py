"""``planbridge``: run the service and manage projects, tokens and publications.

Every command takes ``--json`` for scripts; errors print one line and exit non-zero.
"""

from __future__ import annotations

import shlex
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url

from planbridge import __version__
from planbridge.actors import Actor
from planbridge.cli import runtime
from planbridge.cli.import_command import import_schedule
from planbridge.cli.output import emit, err_console, fail, progress_bar, table
from planbridge.cli.pat_command import pat_app
from planbridge.cli.runtime import handles_errors
from planbridge.demo import generator
from planbridge.feeds import powerquery
from planbridge.integrations import audit
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.projects.models import Project
from planbridge.publishing import metrics as metrics_service
from planbridge.publishing import service as publishing
from planbridge.schema import migrate
from planbridge.settings import Settings

app = typer.Typer(
    name="planbridge",
    help="PlanBridge: published Last Planner plans as a token-secured feed for Power BI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
projects_app = typer.Typer(help="Projects.", no_args_is_help=True)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
members_app = typer.Typer(help="Project members.", no_args_is_help=True)
integration_app = typer.Typer(help="The Power BI source switch of a project.", no_args_is_help=True)
tokens_app = typer.Typer(help="Feed tokens.", no_args_is_help=True)
feed_app = typer.Typer(help="Operator controls of a project's feed.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
metrics_app = typer.Typer(help="Last Planner metrics stored with versions.", no_args_is_help=True)
powerbi_app = typer.Typer(help="Power BI and Excel helpers.", no_args_is_help=True)
for sub, name in [
    (db_app, "db"),
    (projects_app, "projects"),
    (users_app, "users"),
    (members_app, "members"),
    (integration_app, "integration"),
    (tokens_app, "tokens"),
    (feed_app, "feed"),
    (config_app, "config"),
    (audit_app, "audit"),
    (metrics_app, "metrics"),
    (pat_app, "pat"),
    (powerbi_app, "powerbi"),
]:
    app.add_typer(sub, name=name)

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ProjectRef = Annotated[str, typer.Argument(help="Project code, id or feed id.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting project admin (default: the operator)."),
]


app.command("import")(import_schedule)


def main() -> None:
    app()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"planbridge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """PlanBridge command line."""


def feed_url(config: Settings, project: Project) -> str:
    return f"{config.public_url}/power-bi/v1/{project.api_id}"


def _actor(session: Any, by: str | None) -> Actor:
    return projects.actor_for(session, by)


# ---------------------------------------------------------------- db
@db_app.command("upgrade")
@handles_errors
def db_upgrade(as_json: Json = False) -> None:
    """Create or migrate the schema to the newest revision."""
    config = runtime.settings()
    db = runtime.database(config, require_current=False)
    migrate.upgrade(db.engine)
    revision = migrate.current_revision(db.engine)
    emit({"revision": revision}, as_json=as_json, text=f"database at revision {revision}")


# ---------------------------------------------------------------- serve and demo
@app.command()
@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (PLANBRIDGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (PLANBRIDGE_PORT).")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="On an empty database, create the demo project.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Run the HTTP service. An empty database is created and migrated first."""
    import uvicorn

    from planbridge import logs
    from planbridge.app import create_app

    config = runtime.settings()
    config = config.model_copy(update={"host": host or config.host, "port": port or config.port})
    db = runtime.database(config, require_current=False)
    if migrate.current_revision(db.engine) is None:
        migrate.upgrade(db.engine)
    elif not migrate.is_up_to_date(db.engine):
        fail("the database schema is out of date", "run: planbridge db upgrade")
    if demo:
        with db.transaction() as session:
            existing = projects.list_projects(session)
            urls = [(p.code, feed_url(config, p)) for p in existing]
        if not existing:
            _create_demo(config, db, tasks=300, weeks=6, seed=1, as_json=as_json)
        else:
            lines = "\n".join(f"  {code}: {url}" for code, url in urls)
            emit(
                {"projects": dict(urls)},
                as_json=as_json,
                text=f"The database already has projects; no demo was added.\n{lines}\n"
                "A new token: planbridge tokens create DEMO --name 'My report'",
            )
    logs.configure(config.log_level, config.log_format)
    err_console.print(
        f"PlanBridge {__version__} serving on {config.host}:{config.port} "
        f"(API docs: {config.public_url}/docs). Stop with Ctrl+C.",
        markup=False,
        highlight=False,
    )
    uvicorn.run(
        create_app(config, db=db),
        host=config.host,
        port=config.port,
        access_log=False,
        log_config=None,
        log_level=config.log_level,
    )


def _create_demo(
    config: Settings,
    db: Any,
    *,
    tasks: int,
    weeks: int,
    seed: int,
    as_json: bool,
    code: str = "DEMO",
) -> None:
    with progress_bar(not as_json) as report, db.transaction() as session:
        result = generator.build(
            session,
            tasks=tasks,
            weeks=weeks,
            seed=seed,
            now=runtime.now(),
            chunk_rows=config.publish_chunk_rows,
            code=code,
            progress=report,
        )
        project = result.project
        integrations.set_integration(session, project, Actor("operator"), enabled=True)
        issued = integrations.create_token(
            session,
            project,
            Actor("operator"),
            name="Demo token",
            days=None,
            max_days=config.token_max_days,
            default_days=config.token_default_days,
            now=runtime.now(),
        )
    url = feed_url(config, project)
    curl = (
        f"curl --compressed -H {shlex.quote('Authorization: Bearer ' + issued.secret)} "
        f"{shlex.quote(url + '?limit=1')}"
    )
    emit(
        {
            "project": project.code,
            "tasks": result.tasks,
            "versions": result.versions,
            "feed_url": url,
            "token": issued.secret,
            "curl": curl,
        },
        as_json=as_json,
        text=(
            f"Demo project {project.code} '{project.name}': {result.tasks} tasks, "
            f"{result.versions} published versions.\n"
            f"Feed URL: {url}\n"
            f"Token (shown once, keep it safe): {issued.secret}\n"
            f"Try it:   {curl}"
        ),
    )


@app.command("demo")
@handles_errors
def demo_command(
    tasks: Annotated[int, typer.Option(min=10, max=200_000, help="Number of tasks.")] = 300,
    weeks: Annotated[int, typer.Option(min=1, max=26, help="Weekly published versions.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same project).")] = 1,
    code: Annotated[str, typer.Option(help="Project code to create.")] = "DEMO",
    as_json: Json = False,
) -> None:
    """Build a believable demo project with W weekly versions, enable it and issue a token."""
    config = runtime.settings()
    db = runtime.database(config)
    _create_demo(config, db, tasks=tasks, weeks=weeks, seed=seed, as_json=as_json, code=code)


# ---------------------------------------------------------------- projects, users, members
@projects_app.command("list")
@handles_errors
def projects_list(as_json: Json = False) -> None:
    """List projects with their feed URL and state."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        rows = [
            {
                "id": p.id,
                "code": p.code,
                "name": p.name,
                "tier": p.tier.value,
                "integration": "enabled" if p.integration_enabled else "disabled",
                "feed": "suspended" if p.feed_suspended else "serving",
                "archived": p.archived,
                "feed_url": feed_url(config, p),
            }
            for p in projects.list_projects(session)
        ]
    table(rows, ["id", "code", "name", "tier", "integration", "feed", "feed_url"], as_json=as_json)


@projects_app.command("create")
@handles_errors
def projects_create(
    name: Annotated[str, typer.Option(help="Project name.")],
    code: Annotated[str, typer.Option(help="Short code, e.g. RIV01.")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")] = "Default",
    timezone: Annotated[str, typer.Option(help="IANA timezone.")] = "UTC",
    tier: Annotated[str, typer.Option(help="free, pro or enterprise.")] = "pro",
    as_json: Json = False,
) -> None:
    """Create a project (with a Monday-Friday calendar)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.create_project(
            session, name=name, code=code, organisation=organisation, timezone=timezone, tier=tier
        )
        audit.record(
            session,
            Actor("operator"),
            "project.create",
            project_id=project.id,
            subject=project.code,
        )
    emit(
        {"id": project.id, "code": project.code, "feed_url": feed_url(config, project)},
        as_json=as_json,
        text=f"created project {project.code} (id {project.id}); "
        f"feed URL {feed_url(config, project)}",
    )


@users_app.command("create")
@handles_errors
def users_create(
    email: Annotated[str, typer.Option(help="Email address (the login).")],
    name: Annotated[str, typer.Option(help="Display name.")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")] = "Default",
    as_json: Json = False,
) -> None:
    """Create a user."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        user = projects.create_user(session, email=email, name=name, organisation=organisation)
        audit.record(session, Actor("operator"), "user.create", subject=user.email)
    emit({"id": user.id, "email": user.email}, as_json=as_json, text=f"created user {user.email}")


@members_app.command("add")
@handles_errors
def members_add(
    project_ref: ProjectRef,
    email: Annotated[str, typer.Argument(help="The user's email.")],
    role: Annotated[str, typer.Option(help="admin or member.")] = "member",
    by: By = None,
    as_json: Json = False,
) -> None:
    """Add a user to a project (or change their role)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        actor = _actor(session, by)
        projects.require_admin(session, project, actor)
        user = projects.get_user(session, email)
        projects.add_member(session, project, user, role)
        audit.record(
            session, actor, "member.add", project_id=project.id, subject=user.email, role=role
        )
    emit(
        {"project": project.code, "email": user.email, "role": role},
        as_json=as_json,
        text=f"{user.email} is now {role} of {project.code}",
    )


# ---------------------------------------------------------------- integration switch
def _switch(project_ref: str, by: str | None, enabled: bool, as_json: bool) -> None:
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        integrations.set_integration(session, project, _actor(session, by), enabled=enabled)
    state = "enabled" if enabled else "disabled"
    emit(
        {"project": project.code, "integration": state, "feed_url": feed_url(config, project)},
        as_json=as_json,
        text=f"Power BI source of {project.code} {state}; feed URL {feed_url(config, project)}",
    )


@integration_app.command("enable")
@handles_errors
def integration_enable(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Switch the Power BI source on (pro and enterprise projects only)."""
    _switch(project_ref, by, True, as_json)


@integration_app.command("disable")
@handles_errors
def integration_disable(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """Switch the Power BI source off: the feed answers 403 integration_disabled."""
    _switch(project_ref, by, False, as_json)


# ---------------------------------------------------------------- tokens
@tokens_app.command("create")
@handles_errors
def tokens_create(
    project_ref: ProjectRef,
    name: Annotated[str, typer.Option(help="What the token is for (1-100 characters).")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days (default and max 90).")] = None,
    by: By = None,
    as_json: Json = False,
) -> None:
    """Create a feed token. The secret is printed once and cannot be shown again."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        issued = integrations.create_token(
            session,
            project,
            _actor(session, by),
            name=name,
            days=days,
            max_days=config.token_max_days,
            default_days=config.token_default_days,
            now=runtime.now(),
        )
    token = issued.token
    emit(
        {
            "id": token.id,
            "name": token.name,
            "token": issued.secret,
            "expires_at": token.expires_at,
            "feed_url": feed_url(config, project),
        },
        as_json=as_json,
        text=(
            f"Token {token.id} '{token.name}' for {project.code}, expires "
            f"{token.expires_at:%Y-%m-%d}.\n{issued.secret}\n"
            "This is the only time the token is shown. Store it in a password manager."
        ),
    )


@tokens_app.command("list")
@handles_errors
def tokens_list(project_ref: ProjectRef, by: By = None, as_json: Json = False) -> None:
    """List a project's tokens: creator, dates, last use and state (never the secret)."""
    config = runtime.settings()
    moment = runtime.now()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "hint": t.display_hint,
                "created_by": t.created_by,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
                "state": integrations.token_state(t, moment),
            }
            for t in integrations.list_tokens(session, project, _actor(session, by))
        ]
    table(
        rows,
        ["id", "name", "hint", "created_by", "created_at", "expires_at", "last_used_at", "state"],
        as_json=as_json,
    )


@tokens_app.command("revoke")
@handles_errors
def tokens_revoke(
    project_ref: ProjectRef,
    token_id: Annotated[int, typer.Argument(help="Token id (from tokens list).")],
    by: By = None,
    as_json: Json = False,
) -> None:
    """Revoke a token; it is refused from the next request on."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        token = integrations.revoke_token(
            session, project, _actor(session, by), token_id, now=runtime.now()
        )
    emit(
        {"id": token.id, "state": "revoked", "revoked_at": token.revoked_at},
        as_json=as_json,
        text=f"token {token.id} '{token.name}' revoked",
    )


# ---------------------------------------------------------------- publishing
@app.command()
@handles_errors
def publish(
    project_ref: ProjectRef,
    name: Annotated[
        str | None, typer.Option(help="Version name (default: 'Week NN YYYY').")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Comment stored with the version.")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Email of the publishing member (default: operator).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Freeze the live plan into a new immutable, numbered version."""
    config = runtime.settings()
    db = runtime.database(config)
    with progress_bar(not as_json) as report, db.transaction() as session:
        project = projects.get_project(session, project_ref)
        version = publishing.publish(
            session,
            project,
            _actor(session, by),
            now=runtime.now(),
            chunk_rows=config.publish_chunk_rows,
            name=name,
            comment=comment,
            progress=lambda done, total: report("publish", done, total),
        )
    emit(
        {
            "version_id": version.id,
            "number": version.number,
            "name": version.name,
            "tasks": version.task_count,
            "published_at": version.published_at,
        },
        as_json=as_json,
        text=f"published {project.code} version {version.number} '{version.name}' "
        f"({version.task_count} tasks)",
    )


@metrics_app.command("rebuild")
@handles_errors
def metrics_rebuild(project_ref: ProjectRef, as_json: Json = False) -> None:
    """Recompute every version's metrics (after a formula change). Idempotent."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        report = metrics_service.rebuild(session, project, chunk_rows=config.publish_chunk_rows)
        audit.record(
            session,
            Actor("operator"),
            "metrics.rebuild",
            project_id=project.id,
            subject=project.code,
            versions=report.versions,
            changed=report.changed,
        )
    emit(
        {"project": project.code, "versions": report.versions, "changed": report.changed},
        as_json=as_json,
        text=f"rebuilt metrics of {report.versions} versions of {project.code}; "
        f"{report.changed} changed",
    )


@powerbi_app.command("snippet")
@handles_errors
def powerbi_snippet(
    project_ref: ProjectRef,
    incremental: Annotated[
        bool, typer.Option("--incremental", help="Use the incremental-refresh template.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="Versions to load (limit=).")] = 5,
    as_json: Json = False,
) -> None:
    """Print ready-to-paste Power Query (M) for a project (the token is a placeholder)."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
    text = powerquery.snippet(
        base_url=config.public_url,
        api_id=project.api_id,
        project_name=f"{project.name} ({project.code})",
        incremental=incremental,
        limit=limit,
    )
    if as_json:
        emit({"project": project.code, "m": text}, as_json=True)
    else:
        typer.echo(text, nl=False)


# ---------------------------------------------------------------- operator
def _suspend(project_ref: str, suspended: bool, reason: str | None, as_json: bool) -> None:
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project = projects.get_project(session, project_ref)
        integrations.set_feed_suspended(
            session, project, Actor("operator"), suspended=suspended, reason=reason
        )
    state = "suspended" if suspended else "serving"
    emit(
        {"project": project.code, "feed": state},
        as_json=as_json,
        text=f"feed of {project.code} {state}",
    )


@feed_app.command("suspend")
@handles_errors
def feed_suspend(
    project_ref: ProjectRef,
    reason: Annotated[str | None, typer.Option(help="Shown to the feed's clients.")] = None,
    as_json: Json = False,
) -> None:
    """Suspend a project's feed (403 project_suspended) for fair use."""
    _suspend(project_ref, True, reason, as_json)


@feed_app.command("resume")
@handles_errors
def feed_resume(project_ref: ProjectRef, as_json: Json = False) -> None:
    """Resume a suspended feed."""
    _suspend(project_ref, False, None, as_json)


@audit_app.command("list")
@handles_errors
def audit_list(
    project_ref: Annotated[str | None, typer.Argument(help="Project (default: all).")] = None,
    as_json: Json = False,
) -> None:
    """Show the audit log of management actions."""
    config = runtime.settings()
    with runtime.database(config).transaction() as session:
        project_id = projects.get_project(session, project_ref).id if project_ref else None
        rows = [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "details": e.details,
            }
            for e in audit.events(session, project_id)
        ]
    table(rows, ["id", "at", "actor", "action", "subject"], as_json=as_json)


@config_app.command("show")
@handles_errors
def config_show(as_json: Json = False) -> None:
    """Print every setting with its value (secrets masked)."""
    config = runtime.settings()
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(config, name)
        if name == "database_url":
            value = make_url(value.get_secret_value()).render_as_string(hide_password=True)
        rows.append(
            {
                "setting": f"PLANBRIDGE_{name.upper()}",
                "value": value,
                "description": field.description,
            }
        )
    table(rows, ["setting", "value", "description"], as_json=as_json)
