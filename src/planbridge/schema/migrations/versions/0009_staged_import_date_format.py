"""the date format a staged import's dry run was read with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column, outside batch mode: SQLite adds it with ALTER TABLE, no table rebuild.
    op.add_column("staged_imports", sa.Column("date_format", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staged_imports", schema=None) as batch_op:
        batch_op.drop_column("date_format")
