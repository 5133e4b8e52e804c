"""Organisations, users, projects, members and working-day calendars."""
