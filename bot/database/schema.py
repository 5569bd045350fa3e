"""The database's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL. A change
here needs its revision in `revisions/` (tests/test_schema_history.py checks the two agree).

Times are seconds since the epoch (floats): the same in both databases, and what the injectable
clocks of the scheduler and the journal return. JSON values are stored as text.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# What each channel watches: an app (target = its track id) or a category (its genre id).
watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("platform", "workspace", "channel", "kind", "target", "country"),
)

# The last thing a check saw of an app in one store.
app_snapshots = Table(
    "app_snapshots",
    metadata,
    Column("track_id", BigInteger, nullable=False),
    Column("country", String(2), nullable=False),
    Column("app", Text, nullable=False),  # AppInfo as JSON
    Column("review_ids", Text, nullable=True),  # JSON list: the newest reviews page's ids
    Column("low_star_per_day", Float, nullable=True),  # the usual rate of 1–2★ reviews
    Column("checked_at", Float, nullable=False),
    Column("reviews_checked_at", Float, nullable=True),
    PrimaryKeyConstraint("track_id", "country"),
)

# The last ranks a check saw in one chart of a category.
chart_snapshots = Table(
    "chart_snapshots",
    metadata,
    Column("genre_id", Integer, nullable=False),
    Column("country", String(2), nullable=False),
    Column("chart", String(32), nullable=False),
    Column("ranks", Text, nullable=False),  # JSON list of [track_id, name], best first
    Column("checked_at", Float, nullable=False),
    PrimaryKeyConstraint("genre_id", "country", "chart"),
)

# Every alert for every channel; posted_at is the "already posted" mark. Written in the same
# transaction as the snapshots that produced them.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("body", Text, nullable=False),  # the Alert as JSON
    Column("created_at", Float, nullable=False),
    Column("posted_at", Float, nullable=True),
)

# One row per channel and weekly slot: the digest was posted.
digests = Table(
    "digests",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("slot", String(64), nullable=False),
    Column("posted_at", Float, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "channel", "slot"),
)

# Scheduled jobs shared by every worker: due time and the lease of the worker running it.
jobs = Table(
    "jobs",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("due_at", Float, nullable=False),
    Column("holder", String(255), nullable=True),
    Column("lease_until", Float, nullable=True),
)

# Every accepted command until its final reply is delivered.
journal = Table(
    "journal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("entry", Text, nullable=False),  # the JournalEntry as JSON
    Column("accepted_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),  # the platform's reply window ends
    Column("holder", String(255), nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("attempts", Integer, nullable=False),
)

# One row per incoming platform event a worker has taken (its key, e.g. "slack:Ev123"): the
# claim that makes every worker answer it once, kept until `expires_at`, then purged.
event_claims = Table(
    "event_claims",
    metadata,
    Column("key", Text, primary_key=True),
    Column("claimed_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_event_claims_expires_at", "expires_at"),
)

# Every answer the model wrote for a command (not cached copies, not rule-based advice): what was
# asked, the exact messages sent (JSON, the OpenAI chat form), the answer as written and the model
# asked. The asker's workspace and channel are erased when their workspace uninstalls (platform
# stays). Answers nobody voted on are purged after a while; voted ones are kept.
answers = Table(
    "answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("platform", String(16), nullable=True),
    Column("workspace", String(64), nullable=True),
    Column("channel", String(64), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("command", Text, nullable=False),
    Column("messages", Text, nullable=False),  # JSON list of {"role": …, "content": …}
    Column("answer", Text, nullable=False),
    Column("model", String(255), nullable=False),
    Column("cut_short", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_answers_created_at", "created_at"),
    Index("ix_answers_workspace", "platform", "workspace"),
)

# One vote per user per answer ("up" or "down"), changeable. The voter is (platform, workspace,
# user_id), workspace "" outside one (a DM); erasing a workspace sets its voters' workspace and
# user_id to NULL, which keeps the vote and frees the unique key (NULLs never collide).
feedback_votes = Table(
    "feedback_votes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(32), ForeignKey("answers.id"), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=True),
    Column("user_id", String(64), nullable=True),
    Column("vote", String(8), nullable=False),
    Column("voted_at", Float, nullable=False),
    UniqueConstraint(
        "answer_id", "platform", "workspace", "user_id", name="uq_feedback_votes_voter"
    ),
    Index("ix_feedback_votes_workspace", "platform", "workspace"),
)

# One row per check of a watched app: the points its history chart draws (kept 26 weeks).
app_history = Table(
    "app_history",
    metadata,
    Column("track_id", BigInteger, nullable=False),
    Column("country", String(2), nullable=False),
    Column("checked_at", Float, nullable=False),
    Column("rating", Float, nullable=True),
    Column("rating_count", BigInteger, nullable=True),
    Column("version_rating", Float, nullable=True),
    Column("new_reviews", Integer, nullable=True),  # since the check before; None: not read
    Column("rank", Integer, nullable=True),  # on its category's top free chart; None: not seen
    PrimaryKeyConstraint("track_id", "country", "checked_at"),
)

# One row per Slack workspace the app is installed in (OAuth, "Add to Slack"): its bot token,
# and with token rotation its refresh token and when the token expires. Secrets: never logged.
# Deleted when the workspace uninstalls the app (or revokes its tokens).
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("enterprise_id", String(32), nullable=True),
    Column("team_name", Text, nullable=True),
    Column("app_id", String(32), nullable=True),
    Column("bot_id", String(32), nullable=True),
    Column("bot_user_id", String(32), nullable=True),
    Column("bot_token", Text, nullable=False),
    Column("bot_refresh_token", Text, nullable=True),
    Column("bot_token_expires_at", Float, nullable=True),
    Column("bot_scopes", Text, nullable=True),
    Column("installer_user_id", String(32), nullable=True),
    Column("installed_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# The OAuth `state` of each install begun at /slack/install, until its redirect comes back
# (consumed once) or it expires.
slack_oauth_states = Table(
    "slack_oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False),
    Index("ix_slack_oauth_states_expires_at", "expires_at"),
)

# Who asked what and what they got (the Home tab's "your recent scouts"): written off the reply
# path after a command's reply is out; a workspace's rows go when it uninstalls.
scout_history = Table(
    "scout_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("command", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("asked_at", Float, nullable=False),
    Index("ix_scout_history_user", "platform", "workspace", "user_id", "asked_at"),
)
