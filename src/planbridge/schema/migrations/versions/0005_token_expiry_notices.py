"""token expiry notices

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import planbridge.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_token_notices",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("sent_to", sa.String(length=320), nullable=False),
        sa.Column("sent_at", planbridge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["feed_tokens.id"],
            name=op.f("fk_feed_token_notices_token_id_feed_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", "days_before", name=op.f("pk_feed_token_notices")),
    )


def downgrade() -> None:
    op.drop_table("feed_token_notices")
