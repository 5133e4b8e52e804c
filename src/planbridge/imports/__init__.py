"""Schedule imports: P6 XER, MS Project XML (MSPDI) and the CSV/XLSX template.

Every format is parsed into one neutral ``ParsedSchedule`` that knows nothing of the database;
the import service maps it onto a project. See docs/imports.md.
"""

from planbridge.imports.columns import COLUMNS, Column
from planbridge.imports.errors import ImportFileError
from planbridge.imports.formats import FileKind, detect_kind, parse_bytes, parse_file
from planbridge.imports.mspdi import parse_mspdi
from planbridge.imports.schedule import (
    ExternalLink,
    ParsedCalendar,
    ParsedFolder,
    ParsedLink,
    ParsedResource,
    ParsedSchedule,
    ParsedTask,
    Problem,
)
from planbridge.imports.spreadsheet import parse_spreadsheet
from planbridge.imports.template import template_bytes, write_template
from planbridge.imports.workdays import workdays
from planbridge.imports.xer import parse_xer

__all__ = [
    "COLUMNS",
    "Column",
    "ExternalLink",
    "FileKind",
    "ImportFileError",
    "ParsedCalendar",
    "ParsedFolder",
    "ParsedLink",
    "ParsedResource",
    "ParsedSchedule",
    "ParsedTask",
    "Problem",
    "detect_kind",
    "parse_bytes",
    "parse_file",
    "parse_mspdi",
    "parse_spreadsheet",
    "parse_xer",
    "template_bytes",
    "workdays",
    "write_template",
]
