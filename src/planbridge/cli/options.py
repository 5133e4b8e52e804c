"""Options and arguments shared by commands, and the URLs they print."""

from __future__ import annotations

from typing import Annotated

import typer

from planbridge.projects.models import Project
from planbridge.settings import Settings

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ProjectRef = Annotated[str, typer.Argument(help="Project code, id or feed id.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Email of the acting project admin (default: the operator)."),
]


def feed_url(config: Settings, project: Project) -> str:
    return f"{config.public_url}/power-bi/v1/{project.api_id}"
