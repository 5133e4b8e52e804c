"""a covering index for the chunk index every feed request reads

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["version_id", "table_name", "seq", "id", "raw_size", "deflate_size", "crc32"]


def upgrade() -> None:
    # A plain index, outside batch mode: no table rebuild (which would cascade on SQLite).
    op.create_index("ix_version_chunks_layout", "version_chunks", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_version_chunks_layout", table_name="version_chunks")
