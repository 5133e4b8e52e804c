"""Write every file derived from the catalog, or check that none is stale.

    .venv/bin/python -m planbridge.catalog.generate          # rewrite (``make generate``)
    .venv/bin/python -m planbridge.catalog.generate --check  # exit 1 and show a diff if stale

Derived files: ``feeds/feed.schema.json``, the generated regions of the Power Query templates
(``feeds/powerquery/*.pq``), and the regions between ``<!-- catalog:NAME:begin/end -->`` markers
of ``docs/feed.md`` (parameters, tables) and ``docs/metrics.md`` (tables). Docs are only
touched in a checkout (an installed package has no ``docs/``).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from planbridge.catalog import render

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parents[1]
SCHEMA = PACKAGE / "feeds" / "feed.schema.json"
TEMPLATES = PACKAGE / "feeds" / "powerquery"
MAIN_TEMPLATE = TEMPLATES / "PublishedPlans.pq"
COPIES = (TEMPLATES / "PublishedPlansIncremental.pq",)
DOC_REGIONS: dict[str, dict[str, str]] = {
    "feed.md": {"parameters": "feed_parameters_doc", "tables": "feed_tables_doc"},
    "metrics.md": {"tables": "metric_tables_doc"},
}


def rendered(repo: Path = REPO) -> dict[Path, str]:
    """Every derived file as the catalog says it should be."""
    out = {SCHEMA: render.json_schema_text()}
    main, copies = render.m_templates(
        MAIN_TEMPLATE.read_text(encoding="utf-8"),
        {p.name: p.read_text(encoding="utf-8") for p in COPIES},
    )
    out[MAIN_TEMPLATE] = main
    out.update({p: copies[p.name] for p in COPIES})
    docs = repo / "docs"
    if docs.is_dir():
        for name, regions in DOC_REGIONS.items():
            path = docs / name
            text = path.read_text(encoding="utf-8")
            for region, function in regions.items():
                text = render.splice(text, region, getattr(render, function)(), path.name)
            out[path] = text
    return out


def stale(repo: Path = REPO) -> dict[Path, str]:
    """Derived files whose content differs from the catalog's, with a unified diff each."""
    diffs = {}
    for path, text in rendered(repo).items():
        current = path.read_text(encoding="utf-8")
        if current != text:
            diffs[path] = "".join(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{path.name} (on disk)",
                    f"{path.name} (from the catalog)",
                )
            )
    return diffs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the files derived from the catalog.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    try:
        fresh = rendered()
        diffs = stale()
    except (render.StaleRegion, ValueError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    for path in diffs:
        if args.check:
            sys.stdout.write(diffs[path])
        else:
            path.write_text(fresh[path], encoding="utf-8")
            print(f"wrote {path}")
    if args.check and diffs:
        print(f"{len(diffs)} generated file(s) out of date: run `make generate`")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
