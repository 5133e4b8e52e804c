"""Assemble one gzip member from pre-compressed raw DEFLATE pieces.

Each piece ends with a sync flush, so pieces concatenate into one DEFLATE stream; a final empty
block closes it. The gzip trailer needs the CRC-32 of the whole uncompressed body, which is
combined from the pieces' CRCs (zlib's ``crc32_combine``) without touching their bytes.
"""

from __future__ import annotations

import struct
from functools import cache

HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"
TRAILER_SIZE = 8
_CRC_POLY = 0xEDB88320


def _times(matrix: tuple[int, ...], vector: int) -> int:
    total = 0
    index = 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _square(matrix: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(_times(matrix, matrix[n]) for n in range(32))


@cache
def _zeros_operator(power: int) -> tuple[int, ...]:
    """The GF(2) operator that appends 2**power zero bytes to a CRC."""
    if power == 0:
        one_bit = (_CRC_POLY, *(1 << n for n in range(31)))
        return _square(_square(_square(one_bit)))
    return _square(_zeros_operator(power - 1))


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from CRC-32(A), CRC-32(B) and len(B)."""
    power = 0
    while len2:
        if len2 & 1:
            crc1 = _times(_zeros_operator(power), crc1)
        len2 >>= 1
        power += 1
    return crc1 ^ crc2


def trailer(crc: int, size: int) -> bytes:
    return struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
