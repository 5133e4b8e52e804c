"""Deliberately naive raw-file counters for the import tests.

They read the sample files the way one would with grep or awk, without any code from
``planbridge.imports``, so that the parsers are checked against the files themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path


def raw_xer_rows(path: Path, encoding: str) -> dict[str, list[dict[str, str]]]:
    """awk -F'\\t': %T starts a table, %F names its fields, %R is a row."""
    tables: dict[str, list[dict[str, str]]] = {}
    table, fields = "", []
    for line in path.read_bytes().decode(encoding).split("\n"):
        cells = line.rstrip("\r").split("\t")
        if cells[0] == "%T":
            table = cells[1]
            tables[table] = []
        elif cells[0] == "%F":
            fields = cells[1:]
        elif cells[0] == "%R":
            tables[table].append(dict(zip(fields, cells[1:])))
    return tables


def raw_mspdi_tasks(path: Path) -> list[str]:
    """The text of each <Task>...</Task> element (grep-style, no XML parser)."""
    text = path.read_bytes().decode("utf-8-sig")
    return re.findall(r"<Task>(.*?)</Task>", text, flags=re.S)


def raw_tag(block: str, tag: str) -> str | None:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", block, flags=re.S)
    return match.group(1) if match else None


def raw_link_types(path: Path) -> Counter[str]:
    """MSPDI link Type codes: 0=FF, 1=FS, 2=SF, 3=SS."""
    text = path.read_bytes().decode("utf-8-sig")
    names = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
    links = re.findall(r"<PredecessorLink>(.*?)</PredecessorLink>", text, flags=re.S)
    return Counter(names[raw_tag(link, "Type") or "1"] for link in links)
