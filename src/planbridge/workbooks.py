"""Saving an openpyxl workbook byte for byte the same every time.

openpyxl stamps each zip entry with the time it was written and the document properties with
"created" and "modified" times, so two downloads of the same data differ by a few bytes while
their ETag promises the same bytes (and a template download cannot be compared with the file).
:func:`save` writes the same zip, with every entry and both properties at one fixed moment.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl import Workbook

FIXED_MOMENT = dt.datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry :data:`ZIP_TIME`."""

    def writestr(
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(  # type: ignore[override]
        self, filename: Any, arcname: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        with open(filename, "rb") as source, self.open(self._entry(arcname or filename), "w") as to:
            shutil.copyfileobj(source, to, 1024 * 1024)

    def _entry(self, name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(str(name), date_time=ZIP_TIME)
        entry.compress_type = self.compression
        entry.external_attr = 0o600 << 16
        return entry


def save(workbook: Workbook, out: IO[bytes] | str) -> None:
    """Write ``workbook`` as XLSX to ``out``; the same workbook always gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter  # on first use, as the callers do

    workbook.properties.created = FIXED_MOMENT
    workbook.properties.modified = FIXED_MOMENT
    with _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
