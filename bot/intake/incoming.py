"""`Incoming`: one message from any platform, as the core reads it — who wrote what, where, and
where its reply goes. A platform's event translator makes one; nothing else about the platform
reaches the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.commands import language_of
from bot.database import JournalEntry
from bot.runtime import Caller


@dataclass(frozen=True)
class Incoming:
    platform: str  # "slack", "discord", "console"…
    user_id: str  # "" when the platform's payload did not say (then it is refused)
    text: str
    workspace: str | None = None  # Slack team, Discord guild; None in DMs and the console
    channel: str | None = None  # the channel or DM it was written in (trend watch applies here)
    place: str | None = None  # where a conversation can go on (thread, reply chain, DM)
    plain_language: bool = False  # a DM: plain language is a question from the first message
    # Where the reply goes, in the platform's own terms (a response_url, a thread, an
    # interaction token…): what another worker needs to answer it after a crash.
    address: Mapping[str, str] = field(default_factory=dict)
    is_admin: bool = False  # the console's operator; elsewhere admins are named by settings
    locale: str | None = None  # the user's, as the platform gives it ("ja-JP"): answers follow

    @property
    def caller(self) -> Caller:
        language = language_of(self.locale)
        return Caller(self.platform, self.user_id, self.workspace, self.is_admin, language)

    def journal_entry(self, accepted_at: float, reply_window: float) -> JournalEntry:
        """The journal's record of this message, kept until its final reply is out."""
        address = dict(self.address)
        if self.channel is not None:
            address["channel"] = self.channel
        if self.locale:
            address["locale"] = self.locale
        return JournalEntry(
            self.platform,
            self.user_id,
            self.text,
            self.workspace,
            self.place,
            self.plain_language,
            address,
            accepted_at=accepted_at,
            expires_at=accepted_at + reply_window,
        )

    @classmethod
    def from_journal(cls, entry: JournalEntry) -> Incoming:
        """The message again, as a worker that takes over a dead one's command reads it."""
        return cls(
            entry.platform,
            entry.user_id,
            entry.text,
            entry.workspace,
            entry.address.get("channel"),
            entry.where,
            entry.plain_language,
            {
                key: value
                for key, value in entry.address.items()
                if key not in ("channel", "locale")
            },
            locale=entry.address.get("locale"),
        )
