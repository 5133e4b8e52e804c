"""The templates agree with the feed's column registry and with the wire contract that makes
Service refresh work (static base URL, RelativePath, Query, bearer header, visible errors)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from planbridge.feeds.tables import TABLES, Column, Table

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "powerquery" / "generate.py"
MAIN = REPO / "powerquery" / "PublishedPlans.pq"
INCREMENTAL = REPO / "powerquery" / "PublishedPlansIncremental.pq"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("planbridge_pq_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = load_generator()


def test_committed_templates_equal_the_generated_ones() -> None:
    for path, text in generate.render_all().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is out of date: run .venv/bin/python powerquery/generate.py"
        )


def test_generate_check_passes_on_the_committed_templates() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_feed_column_is_in_the_template_with_its_type() -> None:
    text = MAIN.read_text(encoding="utf-8")
    for table in TABLES:
        block = re.search(rf"^        {table.name} = \{{\n(.*?)^        \}}", text, re.M | re.S)
        assert block, table.name
        pairs = re.findall(r'\{"([^"]+)", "([^"]+)"\}', block.group(1))
        assert pairs == [(c.name, c.type) for c in table.columns], table.name


@pytest.mark.parametrize("path", [MAIN, INCREMENTAL], ids=lambda p: p.name)
def test_every_registry_type_maps_to_its_power_query_type(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for registry_type, m_type in generate.M_TYPES.items():
        assert f"{registry_type} = [Type = {m_type}, From = " in text


def test_generator_rejects_an_unknown_column_type() -> None:
    table = Table("odd", "", (Column("x", "interval", ""),))  # type: ignore[arg-type]
    with pytest.raises(SystemExit, match=r"odd\.x has type 'interval'"):
        generate.render_columns([table])


def test_generator_quotes_names_that_are_not_plain_m_identifiers() -> None:
    assert generate.m_field_name("tasks") == "tasks"
    assert generate.m_field_name("type") == '#"type"'
    assert generate.m_field_name("per cent") == '#"per cent"'
    assert generate.m_text('say "hi"') == '"say ""hi"""'


@pytest.mark.parametrize("path", [MAIN, INCREMENTAL], ids=lambda p: p.name)
def test_the_request_keeps_the_base_url_static(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    calls = re.findall(r"Web\.Contents\(([^,]+),", text)
    assert calls == ["baseUrl"]  # the function's parameter, never a concatenated URL
    assert 'RelativePath = "power-bi/v1/" & Text.Trim(projectId)' in text
    assert "Query = QueryFromOptions(Given) & extraQuery" in text
    assert 'Headers = [Authorization = "Bearer " & BearerToken(token)' in text
    assert "ManualStatusHandling = {400, 404, 422, 429}" in text


def test_the_incremental_template_folds_the_range_into_the_request() -> None:
    text = INCREMENTAL.read_text(encoding="utf-8")
    assert "RangeStart as datetime" in text and "RangeEnd as datetime" in text
    assert "[published_from = IsoUtc(RangeStart), published_to = IsoUtc(RangeEnd)]" in text
    assert "[published_at] >= RangeStart and [published_at] < RangeEnd" in text
    assert """DateTime.ToText(value, "yyyy-MM-dd'T'HH:mm:ss", "en-US") & "Z\"""" in text
