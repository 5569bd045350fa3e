"""Where the Slack installations and OAuth states live: the project's own database (SQLite or
PostgreSQL, the tables of Alembic revision 0006), through slack_sdk's store interfaces so that
Bolt's `AsyncOAuthFlow` saves into them.

Why our own stores rather than slack_sdk's `AsyncSQLAlchemyInstallationStore`: that one keeps a
row per install forever (a history of tokens, each a live secret until revoked), stores naive
`DateTime`s where every other table keeps epoch seconds, creates its tables with `create_all`
(ours come from Alembic, upgraded by every worker under one lock) and reads the clock itself.
Here a workspace has one row — its current token, refresh token and expiry — replaced on
reinstall and rotation and deleted on uninstall; the OAuth state store takes an injected clock.
Nothing here logs a row: the tokens in it are secrets.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.database import Database, slack_installations, slack_oauth_states

log = logging.getLogger(__name__)

STATE_SECONDS = 10 * 60  # an install has ten minutes from /slack/install to the redirect


@dataclass(frozen=True)
class SlackInstallation:
    """One workspace's installation: what acting there takes."""

    team_id: str
    bot_token: str
    bot_user_id: str | None = None
    bot_id: str | None = None
    team_name: str | None = None
    enterprise_id: str | None = None
    bot_refresh_token: str | None = None
    bot_token_expires_at: float | None = None  # epoch seconds; None: the token never expires
    bot_scopes: str | None = None

    def __repr__(self) -> str:  # never the tokens
        return f"SlackInstallation(team_id={self.team_id!r}, team_name={self.team_name!r})"


class DatabaseInstallationStore(AsyncInstallationStore):
    """One bot installation per workspace (bot-only: no user tokens are asked for)."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.async_save_bot(installation.to_bot(), installation.user_id)

    async def async_save_bot(self, bot: Bot, installer: str | None = None) -> None:
        if not bot.team_id or not bot.bot_token:
            raise ValueError("an installation without a workspace or a bot token")
        await self.put(
            SlackInstallation(
                team_id=bot.team_id,
                bot_token=bot.bot_token,
                bot_user_id=bot.bot_user_id,
                bot_id=bot.bot_id,
                team_name=bot.team_name,
                enterprise_id=bot.enterprise_id,
                bot_refresh_token=bot.bot_refresh_token,
                bot_token_expires_at=(
                    float(bot.bot_token_expires_at) if bot.bot_token_expires_at else None
                ),
                bot_scopes=",".join(bot.bot_scopes or []),
            ),
            installer,
        )

    async def put(self, found: SlackInstallation, installer: str | None = None) -> None:
        """Insert or replace the workspace's installation (a reinstall, a rotated token)."""
        now = self.clock()
        row: dict[str, Any] = {
            "team_id": found.team_id,
            "enterprise_id": found.enterprise_id,
            "team_name": found.team_name,
            "bot_id": found.bot_id,
            "bot_user_id": found.bot_user_id,
            "bot_token": found.bot_token,
            "bot_refresh_token": found.bot_refresh_token,
            "bot_token_expires_at": found.bot_token_expires_at,
            "bot_scopes": found.bot_scopes,
            "installed_at": now,
            "updated_at": now,
        }
        if installer is not None:
            row["installer_user_id"] = installer
        changed = {k: v for k, v in row.items() if k not in ("team_id", "installed_at")}
        async with self._db.transaction() as connection:
            dialect = connection.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(slack_installations).values(row)
            await connection.execute(
                statement.on_conflict_do_update(index_elements=["team_id"], set_=changed)
            )

    async def get(self, team_id: str) -> SlackInstallation | None:
        async with self._db.transaction() as connection:
            row = (
                await connection.execute(
                    select(slack_installations).where(slack_installations.c.team_id == team_id)
                )
            ).first()
        if row is None:
            return None
        return SlackInstallation(
            team_id=row.team_id,
            bot_token=row.bot_token,
            bot_user_id=row.bot_user_id,
            bot_id=row.bot_id,
            team_name=row.team_name,
            enterprise_id=row.enterprise_id,
            bot_refresh_token=row.bot_refresh_token,
            bot_token_expires_at=row.bot_token_expires_at,
            bot_scopes=row.bot_scopes,
        )

    async def rotated(
        self, team_id: str, old_token: str, token: str, refresh_token: str | None, expires_at: float
    ) -> bool:
        """Keep a rotated token, unless another worker rotated it first (the row no longer has
        `old_token`); whether this one was kept."""
        c = slack_installations.c
        async with self._db.transaction() as connection:
            done = await connection.execute(
                slack_installations.update()
                .where(and_(c.team_id == team_id, c.bot_token == old_token))
                .values(
                    bot_token=token,
                    bot_refresh_token=refresh_token,
                    bot_token_expires_at=expires_at,
                    updated_at=self.clock(),
                )
            )
        return bool(done.rowcount)

    async def teams(self) -> list[str]:
        async with self._db.transaction() as connection:
            rows = await connection.execute(
                select(slack_installations.c.team_id).order_by(slack_installations.c.team_id)
            )
            return [row.team_id for row in rows]

    async def remove(self, team_id: str) -> bool:
        async with self._db.transaction() as connection:
            gone = await connection.execute(
                delete(slack_installations).where(slack_installations.c.team_id == team_id)
            )
        return bool(gone.rowcount)

    # -- slack_sdk's interface, for Bolt (bot-only) ----------------------------------------
    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.get(team_id) if team_id else None
        if found is None:
            return None
        return Bot(
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            team_name=found.team_name,
            bot_token=found.bot_token,
            bot_id=found.bot_id or "",
            bot_user_id=found.bot_user_id or "",
            bot_scopes=found.bot_scopes or "",
            bot_refresh_token=found.bot_refresh_token,
            bot_token_expires_at=(
                int(found.bot_token_expires_at) if found.bot_token_expires_at else None
            ),
            installed_at=self.clock(),
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return None  # bot-only: Bolt then asks `async_find_bot`

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id:
            await self.remove(team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if team_id and user_id is None:
            await self.remove(team_id)


class DatabaseOAuthStateStore(AsyncOAuthStateStore):
    """The `state` of each install begun: issued at /slack/install, consumed once by the
    redirect within `expiration_seconds` (one conditional DELETE, so a state works once even
    when two workers see it)."""

    def __init__(
        self,
        database: Database,
        expiration_seconds: float = STATE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock()
        c = slack_oauth_states.c
        async with self._db.transaction() as connection:
            await connection.execute(delete(slack_oauth_states).where(c.expires_at <= now))
            await connection.execute(
                slack_oauth_states.insert().values(
                    state=state, expires_at=now + self.expiration_seconds
                )
            )
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        c = slack_oauth_states.c
        async with self._db.transaction() as connection:
            gone = await connection.execute(
                delete(slack_oauth_states).where(
                    and_(c.state == state, c.expires_at > self.clock())
                )
            )
        return bool(gone.rowcount)
