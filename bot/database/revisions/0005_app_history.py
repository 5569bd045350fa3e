"""A watched app's history: one row per check (ratings, rating count, new reviews since the check
before, rank on its category's top free chart), which alerts, digests and `/scout watching <app>`
draw as a chart. Rows older than 26 weeks are purged by the checks.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "app_history",
        sa.Column("track_id", sa.BigInteger(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("checked_at", sa.Float(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("rating_count", sa.BigInteger(), nullable=True),
        sa.Column("version_rating", sa.Float(), nullable=True),
        sa.Column("new_reviews", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("track_id", "country", "checked_at"),
    )


def downgrade() -> None:
    op.drop_table("app_history")
