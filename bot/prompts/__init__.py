"""What the model is asked: the system and user prompts of each command and of follow-ups, with
untrusted text always sent as data."""

from bot.prompts.builder import (
    FOLLOW_UP_PROMPT,
    PROMPT_VERSION,
    app_facts,
    build_messages,
    language_rule,
    opportunity_data,
    report_data,
    review_data,
)
from bot.prompts.review_labels import (
    LABEL_PROMPT,
    MAX_LABELLED,
    label_messages,
    label_schema,
    parse_labels,
)

__all__ = [
    "FOLLOW_UP_PROMPT",
    "LABEL_PROMPT",
    "MAX_LABELLED",
    "PROMPT_VERSION",
    "app_facts",
    "build_messages",
    "label_messages",
    "label_schema",
    "language_rule",
    "opportunity_data",
    "parse_labels",
    "report_data",
    "review_data",
]
