"""Reference sections of the docs, generated from the code so they cannot drift.

``python -m planbridge.reference --write`` rewrites the generated block (between the
``<!-- generated:begin -->`` and ``<!-- generated:end -->`` markers) of ``docs/settings.md`` and
``docs/cli.md`` (the catalog's sections of the docs are ``planbridge.catalog.generate``'s;
``make generate`` runs both); ``--check`` fails when one is stale (the test suite
runs the check).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BEGIN = "<!-- generated:begin -->"
END = "<!-- generated:end -->"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def settings() -> str:
    from pydantic import SecretStr

    from planbridge.settings import Settings

    rows = ["| variable | default | description |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = extra.get("documented_default", field.default)
        shown = default.get_secret_value() if isinstance(default, SecretStr) else default
        rows.append(f"| `PLANBRIDGE_{name.upper()}` | `{shown}` | {field.description} |")
    return "\n".join(rows) + "\n"


def cli() -> str:
    import click
    from typer.main import get_command

    from planbridge.cli.main import app

    root = get_command(app)
    parts: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        ctx = click.Context(
            command, info_name=" ".join(path), terminal_width=88, max_content_width=88
        )
        text = command.get_help(ctx).replace("\r", "")
        lines = [line.rstrip() for line in text.splitlines()]
        parts.append(f"### `{' '.join(path)}`\n\n```text\n" + "\n".join(lines).strip() + "\n```\n")
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(root, ["planbridge"])
    return "\n".join(parts)


GENERATORS: dict[str, Callable[[], str]] = {
    "settings.md": settings,
    "cli.md": cli,
}


def splice(text: str, generated: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def main(argv: list[str]) -> int:
    write = "--write" in argv
    stale = []
    for name, generate in GENERATORS.items():
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        fresh = splice(text, generate())
        if fresh != text:
            if write:
                path.write_text(fresh, encoding="utf-8")
            else:
                stale.append(name)
    for name in stale:
        print(f"docs/{name} is stale: run make generate")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
