"""What the model is asked: the system and user prompts of each command and of follow-ups, with
untrusted text always sent as data."""

from bot.prompts.builder import (
    FOLLOW_UP_PROMPT,
    PROMPT_VERSION,
    app_facts,
    build_messages,
    opportunity_data,
    report_data,
    review_data,
)

__all__ = [
    "FOLLOW_UP_PROMPT",
    "PROMPT_VERSION",
    "app_facts",
    "build_messages",
    "opportunity_data",
    "report_data",
    "review_data",
]
