"""Feedback on the model's answers: each answer recorded with exactly what the model was sent
(off the reply's path), 👍/👎 votes on it (one per user per answer, changeable), the share of 👍
per kind of answer, erasing an uninstalled workspace's identities, and the 👍 answers exported
as OpenAI chat fine-tuning lines (`python -m bot export-feedback`, in `bot.feedback.export`)."""

from bot.feedback.store import FeedbackStore, FineTuningLine
from bot.feedback.text import receipt, share_line
from bot.feedback.values import (
    AnswerLog,
    ForgottenWorkspace,
    ModelAnswer,
    Vote,
    VoteResult,
    VoteTally,
    is_answer_id,
    new_answer_id,
)

__all__ = [
    "AnswerLog",
    "FeedbackStore",
    "FineTuningLine",
    "ForgottenWorkspace",
    "ModelAnswer",
    "Vote",
    "VoteResult",
    "VoteTally",
    "is_answer_id",
    "new_answer_id",
    "receipt",
    "share_line",
]
