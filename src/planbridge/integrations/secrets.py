"""Feed token secrets: ``pbt_`` + 30 base62 characters (178 random bits) + a 6-character
base62 CRC32 of those characters, so a secret scanner can tell a real token from noise
offline. Only the SHA-256 of the whole token is ever stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets as _secrets
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FEED_PREFIX = "pbt_"
RANDOM_CHARS = 30
CHECKSUM_CHARS = 6
_SHAPE = re.compile(rf"^[a-z]{{3}}_[0-9A-Za-z]{{{RANDOM_CHARS + CHECKSUM_CHARS}}}$")


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode("ascii")), CHECKSUM_CHARS)


def generate(prefix: str = FEED_PREFIX) -> str:
    random_part = "".join(_secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return prefix + random_part + checksum(random_part)


def is_well_formed(token: str, prefix: str = FEED_PREFIX) -> bool:
    """Prefix, length, alphabet and checksum all right: a real token, offline."""
    if not token.startswith(prefix) or not _SHAPE.match(token):
        return False
    body = token[len(prefix) :]
    return checksum(body[:RANDOM_CHARS]) == body[RANDOM_CHARS:]


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_hint(token: str) -> str:
    """What lists may show: the prefix and the last 4 checksum characters (no secret bits)."""
    return f"{token[: len(FEED_PREFIX)]}...{token[-4:]}"


TOKEN_SHAPE = re.compile(r"pb[a-z]_[0-9A-Za-z]{20,}")
"""Anything shaped like a PlanBridge secret, anywhere in a text (also glued to other text)."""


def looks_like_token(value: str) -> bool:
    """True for anything shaped like a PlanBridge secret (used to refuse tokens in URLs)."""
    return bool(TOKEN_SHAPE.search(value))


def redact(text: str) -> str:
    """``text`` with everything shaped like a PlanBridge secret replaced by ``[redacted]``."""
    return TOKEN_SHAPE.sub("[redacted]", text)
