"""The web app: server-rendered pages for signing in and running a project's integrations."""

from pathlib import Path

STATIC = Path(__file__).with_name("static")
"""Our own CSS, JavaScript and images, served at /static."""
