"""Event claims: one row per incoming platform event a worker has taken (Slack's event ids and
signed requests, Discord's messages and interactions), so that every worker — and a worker after
a restart — answers it once. Rows past `expires_at` are purged by the workers.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "event_claims",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_event_claims_expires_at", "event_claims", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_event_claims_expires_at", table_name="event_claims")
    op.drop_table("event_claims")
