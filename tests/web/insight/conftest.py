"""The Insight tests share the browser fixtures of tests/web/test_browser.py (a real server on
loopback, Debian's Chromium, a tab that must stay free of CSP errors)."""

from tests.web.test_browser import browser, context, page, server

__all__ = ["browser", "context", "page", "server"]
