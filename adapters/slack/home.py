"""The App Home tab: what this workspace watches (by channel), the user's recent scouts with
what they got, and quick actions — *Scout an app*, *Find opportunities*, *Compare apps* — each a
button that opens a small modal; its answer arrives in the user's DM with the bot (the Messages
tab), streamed like any DM reply. Published (`views.publish`) when the tab is opened and after
a watch changes in the workspace. App Store names and users' words are sanitised like replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.clients import WorkspaceClients
from adapters.slack.markup import escape, sanitise
from bot.views import cut
from bot.watch import Watch, WatchStore
from bot.workspaces import Scout, ScoutHistory

log = logging.getLogger(__name__)

RECENT = 5
WATCHES_SHOWN = 40  # channels' lines, within a view's 100 blocks
QUICK = {  # action and modal id → (button, modal title, input label, placeholder, command prefix)
    "home_scout": ("Scout an app", "Scout an app", "App name, link or id", "Calculator Pro", ""),
    "home_find": (
        "Find opportunities",
        "Find opportunities",
        "App Store category",
        "Finance",
        "find ",
    ),
    "home_compare": (
        "Compare apps",
        "Compare apps",
        "2–5 apps, separated by commas",
        "PCalc, Soulver",
        "compare ",
    ),
}
INPUT_BLOCK, INPUT_ACTION = "quick_input", "quick_text"
TYPED_MAX = 300  # the form's max_length: Slack holds the user to it, the bot checks it again

Spawn = Callable[[Coroutine[Any, Any, None]], object]


class SlackHome:
    def __init__(
        self,
        clients: WorkspaceClients,
        watches: WatchStore | None,
        history: ScoutHistory | None,
        spawn: Spawn,
        accept_in_thread: Callable[..., Awaitable[None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clients = clients
        self.watches = watches
        self.history = history
        self._spawn = spawn
        self._accept = accept_in_thread
        self.clock = clock

    # -- events ----------------------------------------------------------------------------
    async def on_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user") and body.get("team_id"):
            self._spawn(self.publish(str(body["team_id"]), str(event["user"])))

    async def on_quick_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        client = self.clients.for_team(_id(body.get("team")))
        modal = self.modal(str(action.get("action_id")))
        self._spawn(_quietly(client.views_open(trigger_id=body.get("trigger_id"), view=modal)))

    async def on_quick_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A quick action's modal: closed at once; the answer in the user's DM with the bot,
        under a message that says what was asked."""
        command, problem = submitted_command(view)
        if command is None:
            await ack(response_action="errors", errors={INPUT_BLOCK: problem})
            return
        await ack()
        self._spawn(self._scout_in_dm(_id(body.get("team")), _id(body.get("user")), command))

    async def _scout_in_dm(self, team: Any, user: Any, command: str) -> None:
        client = self.clients.for_team(str(team) if team else None)
        try:
            asked = escape(f"/scout {command}")  # the user's words, which must not ping
            opened = await client.chat_postMessage(channel=str(user), text=asked)
        except SlackApiError as exc:
            log.info("a quick action could not open its DM (%s)", exc.response.get("error"))
            return
        channel, ts = str(opened.get("channel")), str(opened.get("ts"))
        await self._accept(team, user, command, channel, ts, in_thread=True, direct=False)

    async def publish(self, team: str, user: str) -> None:
        """The user's Home tab, as it stands now (best-effort: a failure is logged)."""
        try:
            view = await self.view(team, user)
            await self.clients.for_team(team).views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.info("the Home tab was not published (%s)", exc.response.get("error"))
        except Exception as exc:
            log.warning("the Home tab was not published (%s)", type(exc).__name__)

    async def view(self, team: str, user: str) -> dict[str, Any]:
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": "Trend Scout"}},
            _section(
                "Find App Store apps worth building a better version of. "
                "Type `/scout help` anywhere, or start here:"
            ),
            {
                "type": "actions",
                "block_id": "home_actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": action,
                        "text": {"type": "plain_text", "text": spec[0]},
                        **({"style": "primary"} if action == "home_scout" else {}),
                    }
                    for action, spec in QUICK.items()
                ],
            },
            {"type": "divider"},
            _section("*What this workspace watches*"),
            *await self._watch_blocks(team),
            {"type": "divider"},
            _section("*Your recent scouts*"),
            *await self._recent_blocks(team, user),
        ]
        return {"type": "home", "blocks": blocks}

    async def _watch_blocks(self, team: str) -> list[dict[str, Any]]:
        if self.watches is None:
            return [_context("Trend watch needs the database, which this process does not have.")]
        found = [
            w for w in await self.watches.all_watches(["slack"]) if w.channel.workspace == team
        ]
        if not found:
            return [_context("Nothing yet — `/scout watch Calculator Pro` in a channel.")]
        by_channel: dict[str, list[Watch]] = {}
        for watch in found:
            by_channel.setdefault(watch.channel.channel, []).append(watch)
        lines = [
            f"<#{channel}>: " + ", ".join(sanitise(w.label) for w in watches)
            for channel, watches in list(by_channel.items())[:WATCHES_SHOWN]
        ]
        return [_section(cut(line, 3000)) for line in lines]

    async def _recent_blocks(self, team: str, user: str) -> list[dict[str, Any]]:
        if self.history is None:
            return [_context("Not kept in this process.")]
        scouts = await self.history.recent("slack", team, user, RECENT)
        if not scouts:
            return [_context("None yet — try *Scout an app* above.")]
        return [_section(_scout_line(scout)) for scout in scouts]

    def modal(self, action: str) -> dict[str, Any]:
        _button, title, label, placeholder, _prefix = QUICK[action]
        return {
            "type": "modal",
            "callback_id": action,
            "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Scout"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": INPUT_BLOCK,
                    "label": {"type": "plain_text", "text": label},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": INPUT_ACTION,
                        "max_length": TYPED_MAX,
                        "placeholder": {"type": "plain_text", "text": placeholder},
                    },
                }
            ],
        }


def submitted_command(view: dict[str, Any]) -> tuple[str | None, str]:
    """The command a quick-action modal asks for, or None and what the form then says under
    its input (nothing typed, more than the form takes, not one of ours)."""
    action = str(view.get("callback_id") or "")
    values = (view.get("state") or {}).get("values") or {}
    typed = str(((values.get(INPUT_BLOCK) or {}).get(INPUT_ACTION) or {}).get("value") or "")
    typed = typed.strip()
    if action not in QUICK:
        return None, "This form is no longer in use: open it again from the Home tab."
    if not typed:
        return None, "Type what to scout."
    if len(typed) > TYPED_MAX:
        return None, f"That is too long: at most {TYPED_MAX} characters."
    return f"{QUICK[action][4]}{typed}", ""


def _scout_line(scout: Scout) -> str:
    when = datetime.fromtimestamp(scout.asked_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    stamp = f"<!date^{int(scout.asked_at)}^{{date_short_pretty}} {{time}}|{when}>"
    subject = sanitise(scout.subject)
    return cut(f"*{subject}* · {scout.kind} · {sanitise(scout.outcome)} · {stamp}", 3000)


async def _quietly(call: Awaitable[Any]) -> None:
    try:
        await call
    except SlackApiError as exc:
        log.info("Slack refused a Home tab call (%s)", exc.response.get("error"))


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else None


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
