"""Decoding text files whose encoding nobody wrote down (P6 XER exports, Excel CSVs).

P6 writes XER in the Windows "ANSI" code page of the exporting machine and its header does not
say which. We try, in order: a UTF-8 byte-order mark, strict UTF-8, then choose between
windows-1251 (Cyrillic) and windows-1252 (Western European) by looking at the high bytes:
Cyrillic text is made of whole words of bytes 0xC0-0xFF, while Western text has an accented
letter here and there between ASCII letters. Callers can always force an encoding.
"""

from __future__ import annotations

import codecs
import re

from planbridge.imports.errors import ImportFileError

_HIGH_LETTER = re.compile(rb"[\xc0-\xff]")
_HIGH_LETTER_RUN = re.compile(rb"[\xc0-\xff]{3,}")
_CYRILLIC_SHARE = 0.5


def guess_encoding(data: bytes) -> str:
    """The codec to decode ``data`` with: utf-8-sig, utf-16, utf-8, cp1251 or cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    high_letters = len(_HIGH_LETTER.findall(data))
    in_words = sum(len(run) for run in _HIGH_LETTER_RUN.findall(data))
    if high_letters and in_words / high_letters >= _CYRILLIC_SHARE:
        return "cp1251"
    return "cp1252"


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding used). Raises ImportFileError if impossible."""
    chosen = encoding or guess_encoding(data)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise ImportFileError(f"Unknown text encoding {chosen!r}.") from None
    try:
        return data.decode(chosen), chosen
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not valid {chosen} text (byte {exc.start}).",
            hint="Save the file as UTF-8, or name its encoding explicitly.",
        ) from None
