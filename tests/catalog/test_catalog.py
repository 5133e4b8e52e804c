"""The catalog's declarations are consistent: builders exist, keys and relations name real
columns, names are unique."""

from __future__ import annotations

import importlib

import pytest

from planbridge.catalog import COLUMN_TYPES, FEED_TABLES, FEED_TABLES_BY_NAME, RELATIONS


@pytest.mark.parametrize("table", FEED_TABLES, ids=lambda t: t.name)
def test_each_table_names_a_function_that_builds_its_rows(table):
    module_name, _, function = table.builder.partition(":")
    assert module_name.startswith("planbridge.") and function, table.builder
    assert callable(getattr(importlib.import_module(module_name), function))


@pytest.mark.parametrize("table", FEED_TABLES, ids=lambda t: t.name)
def test_keys_and_types_are_declared_columns(table):
    names = table.column_names
    assert len(set(names)) == len(names)
    assert names[0] == "version_id"
    for column in table.columns:
        assert column.type in COLUMN_TYPES and column.description
    for key in (*(table.key or ()), *([table.row_id] if table.row_id else [])):
        assert key in names
        assert not next(c for c in table.columns if c.name == key).nullable


def test_relations_join_declared_columns_of_the_same_type():
    for r in RELATIONS:
        source, target = FEED_TABLES_BY_NAME[r.source], FEED_TABLES_BY_NAME[r.target]
        left = next(c for c in source.columns if c.name == r.column)
        right = next(c for c in target.columns if c.name == r.target_column)
        assert left.type == right.type and left.nullable == r.nullable, r


def test_table_and_entity_names_are_unique():
    for attribute in ("name", "entity_set", "entity_type"):
        values = [getattr(t, attribute) for t in FEED_TABLES]
        assert len(set(values)) == len(values), attribute
