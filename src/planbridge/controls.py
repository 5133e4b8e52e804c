"""Control characters in text: NUL and the other C0 controls are refused everywhere.

PostgreSQL cannot store NUL in text and SQLite silently would, so the two databases would
disagree; the other C0 controls (vertical tab, form feed, escape, ...) are invisible, break CSV
and XLSX readers and have no place in a plan. Tab, line feed and carriage return stay allowed.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
JSON_CONTROL_ESCAPE = re.compile(rb"\\u00[01][0-9a-fA-F]|\\[bf]")
"""What a control character looks like inside a JSON text (a raw one is invalid JSON)."""


def describe(value: str) -> str | None:
    """A message naming the first refused control character and where it is, or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    return (
        f"contains the control character U+{ord(found.group()):04X} at position "
        f"{found.start() + 1}; only tab, line feed and carriage return are allowed in text"
    )
