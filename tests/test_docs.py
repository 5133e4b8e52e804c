"""The docs say what the code does: generated reference sections are current, every setting and
every feed table and column is documented, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re

from planbridge import reference
from planbridge.catalog import FEED_TABLES
from planbridge.settings import Settings
from tests.conftest import REPO


def test_generated_reference_sections_are_current():
    stale = []
    for name, generate in reference.GENERATORS.items():
        text = (REPO / "docs" / name).read_text(encoding="utf-8")
        if reference.splice(text, generate()) != text:
            stale.append(name)
    assert not stale, f"run: make generate ({stale})"


def test_every_setting_is_documented():
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"`PLANBRIDGE_{name.upper()}`" in text
        assert field.description, name


def test_every_feed_table_and_column_is_documented():
    text = (REPO / "docs" / "feed.md").read_text(encoding="utf-8")
    for table in FEED_TABLES:
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert re.search(rf"\| `{column.name}` \| {column.type} \|", text), (table.name, column)


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_docs_links_point_to_existing_pages():
    for page in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        for target in re.findall(
            r"\]\(((?:docs/)?[\w\-]+\.md)\)", page.read_text(encoding="utf-8")
        ):
            base = REPO if target.startswith("docs/") else page.parent
            assert (base / target).exists(), f"{page.name} links to missing {target}"


def test_the_licence_is_apache_2_in_the_file_and_the_package_metadata():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
