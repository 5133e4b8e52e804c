"""The Plan API: JSON over HTTP for tools that keep the live plan up to date."""
