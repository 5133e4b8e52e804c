"""Password rules and argon2id hashing.

``common-passwords.txt.gz`` is the list of 20,000 common passwords by Royce Williams, as shipped
by Django (``django/contrib/auth/common-passwords.txt.gz``, BSD licence).
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from planbridge.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256


@functools.cache
def _hasher() -> PasswordHasher:
    """argon2id with the RFC 9106 second recommended profile (argon2-cffi's default)."""
    return PasswordHasher()


@functools.cache
def common_passwords() -> frozenset[str]:
    data = resources.files("planbridge.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def check_new(password: str, *, email: str = "", name: str = "") -> str:
    """The password when it meets the rules, else :class:`InvalidInput` saying which one."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"A password needs at least {MIN_LENGTH} characters.",
            hint="A few unrelated words make a long password that is easy to remember.",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"A password may have at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        raise InvalidInput(
            "This password is on a list of commonly used passwords.",
            hint="Choose one that is not a well-known phrase or keyboard pattern.",
        )
    if lowered in {email.strip().lower(), name.strip().lower()}:
        raise InvalidInput("A password must not be your email address or your name.")
    return password


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``. With no stored hash a dummy hash is checked,
    so an unknown account takes as long to refuse as a wrong password."""
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone; only used to spend the same time")
