"""unique version names per project

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:50:00.000000

Before this revision two versions of a project could share a name (the default "Week NN YYYY"
of two publications in one week). Such later duplicates are renamed "NAME (#NUMBER)" (cut to 200
characters) before the unique constraint is added; the first of each name keeps it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_MAX = 200


def _rename_duplicates() -> None:
    connection = op.get_bind()
    versions = sa.table(
        "versions",
        sa.column("id", sa.Integer),
        sa.column("project_id", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("name", sa.String),
    )
    rows = connection.execute(
        sa.select(
            versions.c.id, versions.c.project_id, versions.c.number, versions.c.name
        ).order_by(versions.c.project_id, versions.c.number)
    ).all()
    taken: dict[int, set[str]] = {}
    for row in rows:
        names = taken.setdefault(row.project_id, set())
        if row.name not in names:
            names.add(row.name)
            continue
        suffix = f" (#{row.number})"
        name = row.name[: NAME_MAX - len(suffix)] + suffix
        while name in names:
            suffix += "'"
            name = row.name[: NAME_MAX - len(suffix)] + suffix
        names.add(name)
        connection.execute(versions.update().where(versions.c.id == row.id).values(name=name))


def upgrade() -> None:
    # A unique index (not a batch-mode constraint): on SQLite a batch rebuild would drop and
    # re-create ``versions``, and the drop would cascade to every version's chunks.
    _rename_duplicates()
    op.create_index("uq_versions_project_id_name", "versions", ["project_id", "name"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_versions_project_id_name", table_name="versions")
