"""Fewer glibc malloc arenas for the server process: flat memory under concurrent requests.

glibc gives each thread that allocates under contention an arena of its own (up to eight per
core) and keeps the memory freed into it. A server answering 20 feed refreshes at once on 20
worker threads so holds a few MiB per thread long after the requests end: on the 2-core bench
machine the peak RSS while serving went from 164 MiB to 151 MiB with two arenas, at the same
speed (``bench/static_bench.py``). ``serve`` and the workers call :func:`limit` before any
thread starts; an operator's own ``MALLOC_ARENA_MAX`` (read by glibc itself) wins, and on a C
library other than glibc nothing is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Final

M_ARENA_MAX: Final = -8
"""``mallopt`` parameter number of ``M_ARENA_MAX`` in glibc's ``malloc.h``."""
SERVER_ARENAS: Final = 2


def limit(arenas: int = SERVER_ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas``; True when the cap was set by this call."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # glibc read the operator's value at start
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
