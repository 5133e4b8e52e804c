"""``planbridge serve`` and ``planbridge demo``: run the service and build the demo project."""

from __future__ import annotations

import shlex
from typing import Annotated, Any

import typer

from planbridge.actors import Actor
from planbridge.cli import runtime, serve_checks, serve_workers
from planbridge.cli.options import Json, feed_url
from planbridge.cli.output import emit, err_console, fail, progress_bar
from planbridge.cli.runtime import handles_errors
from planbridge.cli.users_command import print_demo_admin
from planbridge.demo import generator
from planbridge.integrations import service as integrations
from planbridge.projects import service as projects
from planbridge.schema import migrate
from planbridge.settings import Settings


@handles_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (PLANBRIDGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (PLANBRIDGE_PORT).")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="On an empty database, create the demo project.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Processes (PLANBRIDGE_WORKERS; PostgreSQL).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Run the HTTP service. An empty database is created and migrated first."""
    from planbridge import logs

    config = runtime.settings()
    config = config.model_copy(update={"host": host or config.host, "port": port or config.port})
    serve_checks.check(config, workers := workers or config.workers)
    db = runtime.database(config, require_current=False, create=True)
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
            print_demo_admin(config, db, as_json=as_json)
        else:
            lines = "\n".join(f"  {code}: {url}" for code, url in urls)
            emit(
                {"projects": dict(urls)},
                as_json=as_json,
                text=f"The database already has projects; no demo was added.\n{lines}\n"
                "A new token: planbridge tokens create DEMO --name 'My report'",
            )
    logs.configure(config.log_level, config.log_format)
    err_console.print(serve_checks.banner(config, workers), markup=False, highlight=False)
    serve_workers.run(config, db, workers)


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
    db = runtime.database(config, require_current=False, create=True)
    runtime.create_schema(db)
    _create_demo(config, db, tasks=tasks, weeks=weeks, seed=seed, as_json=as_json, code=code)
