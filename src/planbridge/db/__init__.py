"""Database plumbing every domain builds on: declarative base, engine factory, unit of work.

The schema as a whole (every table, the Alembic migrations) is ``planbridge.schema``."""
