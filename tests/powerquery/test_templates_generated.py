"""The templates agree with the table catalog and with the wire contract that makes
Service refresh work (static base URL, RelativePath, Query, bearer header, visible errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planbridge.catalog import FEED_TABLES, Column, Table
from planbridge.catalog import render as generate
from planbridge.catalog.generate import COPIES, MAIN_TEMPLATE

MAIN = MAIN_TEMPLATE
INCREMENTAL = COPIES[0]


def test_every_feed_column_is_in_the_template_with_its_type() -> None:
    text = MAIN.read_text(encoding="utf-8")
    for table in FEED_TABLES:
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
    with pytest.raises(ValueError, match=r"odd\.x has type 'interval'"):
        generate.m_columns([table])


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
    assert "ManualStatusHandling = ReadableStatuses" in text  # tests/powerquery/test_retries.py


def test_the_incremental_template_folds_the_range_into_the_request() -> None:
    text = INCREMENTAL.read_text(encoding="utf-8")
    assert "RangeStart as datetime" in text and "RangeEnd as datetime" in text
    assert "[published_from = IsoUtc(RangeStart), published_to = IsoUtc(RangeEnd)]" in text
    assert "[published_at] >= RangeStart and [published_at] < RangeEnd" in text
    assert """DateTime.ToText(value, "yyyy-MM-dd'T'HH:mm:ss", "en-US") & "Z\"""" in text
    # Only the range: no limit of its own (the server sends the whole range or refuses it).
    assert "ReadFeed(BaseUrl, ProjectId, Token, Given, Range)" in text
    assert not re.search(r"\blimit\s*=", text.split("// ---- END SHARED ----")[1])
