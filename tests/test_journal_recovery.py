"""No accepted command is lost, even to SIGKILL: a real worker takes four commands (a Slack slash
command and mention, a Discord mention and `/scout app`), is killed outright while the model is
still thinking, and a second worker started on the same database answers each of them once —
turning the dead worker's half-shown messages into the final replies."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.database import Database
from bot.database.schema import journal
from tests.deploy_harness import every_fake, procfile_process
from tests.fake_discord import BOT_ID as DISCORD_BOT_ID
from tests.helpers import wait_until
from tests.postgres_server import PostgresServer

LEASE = "5"  # seconds: how soon a dead worker's commands are taken over


def journalled(url: str | None, data_dir: Path) -> list[dict[str, object]]:
    """The journal's entries as the database holds them now."""

    async def read() -> list[dict[str, object]]:
        database = Database.open(url, data_dir)
        try:
            async with database.transaction() as connection:
                rows = await connection.execute(select(journal.c.entry))
                return [json.loads(row.entry) for row in rows]
        finally:
            await database.aclose()

    return asyncio.run(read())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "sqlite":
        return {"DATA_DIR": str(tmp_path / "data")}
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return {"DATABASE_URL": server.create_database(f"recovery_{abs(hash(tmp_path)) % 10**8}")}


def test_a_worker_killed_mid_command_has_its_commands_answered_by_the_next(
    tmp_path: Path, database_env: dict[str, str]
) -> None:
    url = database_env.get("DATABASE_URL")
    data_dir = Path(database_env.get("DATA_DIR", tmp_path / "data"))
    with every_fake(router_latency=300.0) as fakes:
        slack, discord_api, router = fakes.slack, fakes.discord, fakes.router
        env = {**fakes.env, **database_env, "JOURNAL_LEASE_SECONDS": LEASE}
        with procfile_process("worker", tmp_path, **env) as first:
            wait_until(slack.socket_connected.is_set, what="the Socket Mode connection")
            first.wait_for_output("Trend Scout on ")
            slash = slack.slash_command("Facebook --fresh")
            slack.deliver("slash_commands", slash)
            slack.deliver("events_api", slack.mention("build Facebook", "EvKill1"))
            discord_api.dispatch(
                "MESSAGE_CREATE", discord_api.message(f"<@{DISCORD_BOT_ID}> gaps utilities")
            )
            discord_api.dispatch(
                "INTERACTION_CREATE", discord_api.slash_command("app", name="Things")
            )
            wait_until(lambda: len(router.completion_calls()) == 4, what="four model calls")

            def live_messages_noted() -> bool:
                entries = journalled(url, data_dir)
                noted = [e for e in entries if {"live_ts", "live_message"} & set(e["address"])]
                return len(entries) == 4 and len(noted) == 2

            wait_until(live_messages_noted, what="the journal to hold the four commands")
            slack.socket_connected.clear()
            first.popen.kill()  # SIGKILL: no shutdown, no replies
            assert first.popen.wait(10) == -9
        assert slack.posted == [] and [m.streaming for m in slack.live.streams()] == [True]
        assert not [m for m in discord_api.sent if "Trend Scout" in m.all_text()]

        router.latency = 0.0  # the model is back for the next worker
        with procfile_process("worker", tmp_path, **env) as second:
            wait_until(slack.socket_connected.is_set, what="the second Socket Mode connection")

            def answered() -> bool:
                slack_done = {p.where for p in slack.posted} == {"response_url", "chat.update"}
                final = [m for m in discord_api.sent if "Working" not in m.all_text()]
                return slack_done and len(final) == 2 and not journalled(url, data_dir)

            wait_until(answered, within=40, what="every command answered once")
            out = second.output()

    # Slack: the slash command's answer in the channel and its "Scouting…" note deleted; the
    # mention's stream (left open by the dead worker) stopped and turned into the answer.
    [answer] = [p for p in slack.posted if p.where == "response_url"]
    assert answer.payload["response_type"] == "in_channel"
    assert "Facebook · Opportunity analysis" in answer.all_text()
    assert slack.notes[slash["response_url"].rsplit("/", 1)[1]][-1] == {"deleted": True}
    [stream] = slack.live.streams()
    assert not stream.streaming
    assert "Facebook · Build guide" in json.dumps(stream.blocks, ensure_ascii=False)
    # Discord: the mention's plan reply and the interaction's response became the answers.
    assert len(discord_api.sent) == 2
    assert sorted(m.route for m in discord_api.sent) == ["channel", "original"]
    texts = [m.all_text() for m in discord_api.sent]
    assert any("Utilities · Market gaps" in t for t in texts)
    assert any("Things" in t and "Opportunity analysis" in t for t in texts)
    assert out.count("accepted by a worker that stopped") == 4
    assert out.count("command answered") == 4 and "Traceback" not in out
