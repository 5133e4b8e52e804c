"""The database schema as a whole: every domain's tables (``models``) and the Alembic
migrations that make them (``migrate``). It sits above the domain packages, which only know
``planbridge.db`` (base class, engine, unit of work)."""
