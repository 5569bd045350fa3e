"""Feedback on AI answers: every answer the model wrote (what was asked, the exact messages sent,
the answer, the model), and the 👍/👎 votes on them — one per user per answer, changeable; a
voter's identity can be erased (set to NULL) while the vote stays.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: tuple[str, ...] | None = None
depends_on: tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("platform", sa.String(16), nullable=True),
        sa.Column("workspace", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("messages", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("cut_short", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answers_created_at", "answers", ["created_at"])
    op.create_index("ix_answers_workspace", "answers", ["platform", "workspace"])
    op.create_table(
        "feedback_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.String(32), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=True),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("vote", sa.String(8), nullable=False),
        sa.Column("voted_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"]),
        sa.UniqueConstraint(
            "answer_id", "platform", "workspace", "user_id", name="uq_feedback_votes_voter"
        ),
    )
    op.create_index("ix_feedback_votes_workspace", "feedback_votes", ["platform", "workspace"])


def downgrade() -> None:
    op.drop_index("ix_feedback_votes_workspace", table_name="feedback_votes")
    op.drop_table("feedback_votes")
    op.drop_index("ix_answers_workspace", table_name="answers")
    op.drop_index("ix_answers_created_at", table_name="answers")
    op.drop_table("answers")
