"""The security headers every response carries (set by :mod:`planbridge.response_guard`, and by
the error handler for the 500 answered outside the middleware)."""

from __future__ import annotations

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
FRAME_ANCESTORS = "frame-ancestors 'none'"
