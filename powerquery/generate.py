"""Write the generated parts of the Power Query templates, so they cannot drift from the feed.

    .venv/bin/python powerquery/generate.py          # rewrite the templates in place
    .venv/bin/python powerquery/generate.py --check  # exit 1 if a template is out of date

Two regions, each between marker comments:

* ``GENERATED COLUMNS`` in ``PublishedPlans.pq``: the ``Columns`` record (table -> list of
  ``{column, type}``) from the feed's column registry (``planbridge.feeds.tables``) and, when it
  exists, the metrics registry (``planbridge.metrics.tables``).
* ``SHARED`` in ``PublishedPlansIncremental.pq``: a copy of the same region of
  ``PublishedPlans.pq`` (helpers plus columns), since each template must paste on its own.

``tests/powerquery/test_generate.py`` fails when a committed template differs from this output.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MAIN_TEMPLATE = HERE / "PublishedPlans.pq"
COPIES = (HERE / "PublishedPlansIncremental.pq",)

COLUMNS_BEGIN = "// ---- BEGIN GENERATED COLUMNS"
COLUMNS_END = "// ---- END GENERATED COLUMNS"
SHARED_BEGIN = "// ---- BEGIN SHARED"
SHARED_END = "// ---- END SHARED"

#: Registry types, each handled by the ``ColumnTypes`` record of the template.
M_TYPES = {
    "integer": "Int64.Type",
    "number": "type number",
    "string": "type text",
    "boolean": "type logical",
    "date": "type date",
    "datetime": "type datetimezone",
}
#: Further registries: module -> the name of its tuple of tables.
OPTIONAL_REGISTRIES = {"planbridge.metrics.tables": "METRIC_TABLES"}
INDENT = "    "
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_M_KEYWORDS = frozenset(
    "and as each else error false if in is let meta not null or otherwise section shared then "  # noqa: SIM905
    "true try type".split()
)


def registry_tables() -> list[Any]:
    """The feed's tables, then the metrics tables when that registry exists."""
    from planbridge.feeds.tables import TABLES

    tables = list(TABLES)
    for module_name, attribute in OPTIONAL_REGISTRIES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
                continue  # not written yet: the templates type only what exists
            raise
        tables.extend(getattr(module, attribute))
    names = [t.name for t in tables]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"generate.py: table names defined twice: {', '.join(duplicates)}")
    return tables


def m_text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def m_field_name(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and name not in _M_KEYWORDS:
        return name
    return "#" + m_text(name)


def render_columns(tables: Iterable[Any]) -> list[str]:
    """The ``Columns = [...]`` record as template lines (indented for the outer ``let``)."""
    tables = list(tables)
    lines = [f"{INDENT}Columns = ["]
    for i, table in enumerate(tables):
        lines.append(f"{INDENT * 2}{m_field_name(table.name)} = {{")
        for j, column in enumerate(table.columns):
            if column.type not in M_TYPES:
                raise SystemExit(
                    f"generate.py: {table.name}.{column.name} has type {column.type!r}; "
                    f"known: {', '.join(M_TYPES)}"
                )
            comma = "," if j < len(table.columns) - 1 else ""
            lines.append(f"{INDENT * 3}{{{m_text(column.name)}, {m_text(column.type)}}}{comma}")
        lines.append(f"{INDENT * 2}}}" + ("," if i < len(tables) - 1 else ""))
    lines.append(f"{INDENT}],")
    return lines


def _region(lines: Sequence[str], begin: str, end: str, where: str) -> tuple[int, int]:
    """Indexes of the begin and end marker lines (each must occur exactly once)."""
    starts = [i for i, line in enumerate(lines) if line.strip().startswith(begin)]
    ends = [i for i, line in enumerate(lines) if line.strip().startswith(end)]
    if len(starts) != 1 or len(ends) != 1 or starts[0] > ends[0]:
        raise SystemExit(f"generate.py: {where} needs one {begin!r} line before one {end!r} line")
    return starts[0], ends[0]


def replace_region(text: str, begin: str, end: str, body: Sequence[str], where: str) -> str:
    lines = text.splitlines()
    start, stop = _region(lines, begin, end, where)
    return "\n".join([*lines[: start + 1], *body, *lines[stop:]]) + "\n"


def extract_region(text: str, begin: str, end: str, where: str) -> list[str]:
    lines = text.splitlines()
    start, stop = _region(lines, begin, end, where)
    return lines[start + 1 : stop]


def render_all() -> dict[Path, str]:
    """Every template as it should be on disk."""
    main = replace_region(
        MAIN_TEMPLATE.read_text(encoding="utf-8"),
        COLUMNS_BEGIN,
        COLUMNS_END,
        render_columns(registry_tables()),
        MAIN_TEMPLATE.name,
    )
    shared = extract_region(main, SHARED_BEGIN, SHARED_END, MAIN_TEMPLATE.name)
    rendered = {MAIN_TEMPLATE: main}
    for path in COPIES:
        text = path.read_text(encoding="utf-8")
        rendered[path] = replace_region(text, SHARED_BEGIN, SHARED_END, shared, path.name)
    return rendered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = 0
    for path, text in render_all().items():
        current = path.read_text(encoding="utf-8")
        if current == text:
            continue
        stale += 1
        if args.check:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{path.name} (on disk)",
                    f"{path.name} (generated)",
                )
            )
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)}")
    if args.check and stale:
        print(f"{stale} template(s) out of date: run .venv/bin/python powerquery/generate.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
