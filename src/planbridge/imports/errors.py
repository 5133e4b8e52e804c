"""The one error an import raises when a file cannot be read as a schedule at all.

Row-level mistakes are not errors: they are collected in ``ParsedSchedule.problems``.
"""

from __future__ import annotations

from planbridge.errors import InvalidInput

SUPPORTED_FORMATS_HINT = (
    "Upload a Primavera P6 XER export (.xer), a Microsoft Project XML file (.xml, MSPDI), "
    "or a spreadsheet made from the PlanBridge template (.csv or .xlsx)."
)


class ImportFileError(InvalidInput):
    """The file is missing, unreadable, of an unknown kind, or broken beyond row-level repair."""

    code = "import_file_invalid"
    default_hint = SUPPORTED_FORMATS_HINT
