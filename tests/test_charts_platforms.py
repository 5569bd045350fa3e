"""Charts delivered on every platform, through the fakes: Slack's three-step files upload after
the reply (in its channel or thread), Discord's attachment shown as the embed's image, the
console's PNG file — and what users see when a picture cannot be delivered: the text reply
still goes out, once, and its footer says why; the failure is logged once."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from bot.report import AppHistory, HistoryPoint, Report, ReportKind
from bot.watch import WatchChannel
from tests.discord_harness import DiscordHarness
from tests.fake_appstore import FakeAppStore
from tests.fake_discord_payloads import CHANNEL_ID
from tests.fake_market import build_market
from tests.fake_slack import FakeSlack, Posted
from tests.fake_slack_files import png_problem, png_size
from tests.helpers import run_bot, wait_for
from tests.loopback import Reply
from tests.slack_harness import SlackHarness

CHART_SIZE = (880, 495)


def footer(posted: Posted) -> str:
    return " | ".join(
        e["text"] for b in posted.blocks if b["type"] == "context" for e in b["elements"]
    )


def replies(slack: FakeSlack) -> list[Posted]:
    return [p for p in slack.posted if p.payload.get("response_type") != "ephemeral"]


def chart_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "chart not shown" in r.getMessage()]


def paths(slack: FakeSlack) -> list[str]:
    return [r.path for r in slack.requests]


# -- Slack --------------------------------------------------------------------------------------
async def test_slack_analysis_chart_is_uploaded_after_the_reply_into_its_channel(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.slash("Webster Bank")
    await harness.settled()
    slack = harness.slack
    [reply] = replies(slack)
    assert "Chart not shown" not in footer(reply)
    [chart] = slack.files.shared
    assert chart.channel == "C0001" and chart.thread_ts is None  # with the reply, in the channel
    assert chart.title is not None and chart.title.startswith("What Webster Bank's users say")
    assert chart.alt_txt.startswith("Star mix of the 50 reviews read: 1★")
    assert chart.filename == "reviews.png"
    assert chart.size == CHART_SIZE and png_problem(chart.data or b"") is None
    assert slack.files.problems == []
    # The protocol's order: URL, bytes, text reply, then the share.
    steps = paths(slack)
    get_url = steps.index("/api/files.getUploadURLExternal")
    upload = next(i for i, p in enumerate(steps) if p.startswith("/upload/v1/"))
    complete = steps.index("/api/files.completeUploadExternal")
    in_channel = max(
        i
        for i, r in enumerate(slack.requests)
        if isinstance(r.body, dict) and r.body.get("response_type") == "in_channel"
    )
    assert get_url < upload < in_channel < complete
    assert chart_warnings(caplog) == []


async def test_slack_mention_chart_goes_into_the_thread(harness: SlackHarness) -> None:
    envelope = harness.slack.mention("Webster Bank", "Ev1")
    await harness.event(envelope)
    await wait_for(lambda: harness.slack.files.shared, what="the chart")
    await harness.settled()
    [chart] = harness.slack.files.shared
    assert chart.channel == "C0001" and chart.thread_ts == envelope["event"]["ts"]
    assert chart.size == CHART_SIZE


async def test_slack_find_and_compare_get_their_charts(
    harness: SlackHarness, appstore: FakeAppStore
) -> None:
    build_market().install(appstore)
    await harness.slash("find Finance")
    await harness.settled()
    await harness.slash("compare Facebook, Webster Bank")
    await harness.settled()
    titles = [f.title for f in harness.slack.files.shared]
    assert titles == ["Opportunities in Finance", "Clone score parts: Facebook vs Webster Bank"]
    assert [f.filename for f in harness.slack.files.shared] == [
        "opportunity-map.png",
        "compare.png",
    ]
    assert all(f.size == CHART_SIZE for f in harness.slack.files.shared)


@pytest.mark.parametrize(
    ("break_it", "explained"),
    [
        (
            lambda slack: slack.files.scopes.discard("files:write"),
            "Trend Scout's Slack app lacks the `files:write` permission",
        ),
        (lambda slack: slack.channels.outside.add("C0001"), "Trend Scout is not in this channel"),
        (lambda slack: setattr(slack.files, "max_bytes", 1000), "the picture was larger"),
        (
            lambda slack: slack.enqueue(
                Reply(200, json.dumps({"ok": False, "error": "invalid_auth"}).encode()),
                path="/api/files.getUploadURLExternal",
            ),
            "Slack refused Trend Scout's token",
        ),
    ],
    ids=["missing_scope", "not_in_channel", "too_large", "invalid_auth"],
)
async def test_a_refused_slack_chart_leaves_one_reply_whose_footer_says_why(
    harness: SlackHarness,
    caplog: pytest.LogCaptureFixture,
    break_it: Any,
    explained: str,
) -> None:
    break_it(harness.slack)
    await harness.slash("Webster Bank")
    await harness.settled()
    [reply] = replies(harness.slack)  # the text reply, once
    assert "Webster Bank · Opportunity analysis" in reply.all_text()
    assert f"Chart not shown: {explained}" in footer(reply)
    assert harness.slack.files.shared == []
    assert len(chart_warnings(caplog)) == 1


async def test_a_chart_slack_refuses_after_the_reply_is_logged_and_the_reply_stands(
    harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.slack.enqueue(
        Reply(200, json.dumps({"ok": False, "error": "file_not_found"}).encode()),
        path="/api/files.completeUploadExternal",
    )
    await harness.slash("Webster Bank")
    await harness.settled()
    [reply] = replies(harness.slack)
    assert "Chart not shown" not in footer(reply)  # it was out before the share failed
    assert harness.slack.files.shared == []
    [warning] = chart_warnings(caplog)
    assert "file_not_found" in warning
    assert sum(p == "/api/files.completeUploadExternal" for p in paths(harness.slack)) == 1


def test_the_fake_holds_the_upload_protocol() -> None:
    """Steps out of order, the wrong length, a file that is no PNG: refused and noted."""
    import httpx

    from tests.fake_slack import BOT_TOKEN

    auth = {"Authorization": f"Bearer {BOT_TOKEN}"}
    with FakeSlack() as slack, httpx.Client(base_url=slack.base_url, headers=auth) as http:
        early = http.post(
            "/api/files.completeUploadExternal", data={"files": '[{"id": "F1"}]'}
        ).json()
        assert early == {"ok": False, "error": "file_not_found"}
        got = http.post(
            "/api/files.getUploadURLExternal", data={"filename": "a.png", "length": "10"}
        ).json()
        url = got["upload_url"].removeprefix(slack.base_url)
        assert http.post(url, content=b"x" * 9).status_code == 400  # not as announced
        assert http.post(url, content=b"not a png!").status_code == 415
        wrong_token = http.post(
            "/api/files.getUploadURLExternal",
            data={"filename": "a.png", "length": "10"},
            headers={"Authorization": "Bearer xoxb-wrong"},
        ).json()
        assert wrong_token["error"] == "invalid_auth"
        assert len(slack.files.problems) == 3
        assert png_size(b"GIF89a") is None


# -- Discord ------------------------------------------------------------------------------------
async def test_discord_reply_shows_its_chart_as_the_embeds_image(
    discord_harness: DiscordHarness,
) -> None:
    discord_harness.mention("Webster Bank")
    await wait_for(discord_harness.replied, what="the reply")
    fake = discord_harness.fake
    first = fake.sent[0]
    embed = first.embeds[0]
    assert embed["image"]["url"] == "attachment://chart.png"
    [upload] = fake.uploads[first.message_id]
    assert upload.filename == "chart.png"
    assert png_size(upload.data) == CHART_SIZE and png_problem(upload.data) is None
    assert upload.description is not None and upload.description.startswith("Star mix of")
    assert fake.problems == []
    assert "Chart not shown" not in embed["footer"]["text"]


async def test_discord_compare_attaches_the_parts_chart(discord_harness: DiscordHarness) -> None:
    discord_harness.mention("compare Facebook, Webster Bank")
    await wait_for(discord_harness.replied, what="the reply")
    fake = discord_harness.fake
    [reply] = [m for m in fake.sent if m.embeds and m.embeds[0].get("image")]
    assert reply.embeds[0]["image"]["url"] == "attachment://chart.png"
    assert [u.filename for u in fake.uploads[reply.message_id]] == ["chart.png"]
    assert fake.problems == []


async def test_discord_without_attach_files_posts_the_reply_once_and_says_why(
    discord_harness: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    discord_harness.fake.no_attach_channels.add(CHANNEL_ID)
    discord_harness.mention("Webster Bank")
    await wait_for(discord_harness.replied, what="the reply")
    fake = discord_harness.fake
    finals = [m for m in fake.sent if m.embeds and "Opportunity analysis" in str(m.embeds[0])]
    [reply] = finals
    embed = reply.embeds[0]
    assert "image" not in embed or not embed["image"]
    assert (
        "Chart not shown: Trend Scout lacks the Attach Files permission"
        in (embed["footer"]["text"])
    )
    assert len(chart_warnings(caplog)) == 1


# -- the console --------------------------------------------------------------------------------
def test_the_console_writes_the_chart_privately_and_prints_its_path(
    tmp_path: Path, appstore: FakeAppStore
) -> None:
    out = run_bot("Webster Bank\n", tmp_path, APPSTORE_BASE_URL=appstore.base_url)
    assert out.returncode == 0, out.stderr
    [line] = [line for line in out.stdout.splitlines() if line.startswith("Chart: ")]
    assert line.startswith("Chart: What Webster Bank's users say: 50 reviews read — ")
    path = Path(line.rsplit(" — ", 1)[1])
    if not path.is_absolute():
        path = tmp_path / path
    assert path.parent == tmp_path / "data" / "charts"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    png = path.read_bytes()
    assert png_size(png) == CHART_SIZE and png_problem(png) is None
    assert out.stdout.index("Webster Bank · opportunity analysis") < out.stdout.index(line)


def test_console_json_carries_the_charts_data_not_the_picture(
    tmp_path: Path, appstore: FakeAppStore
) -> None:
    out = run_bot("Webster Bank\n", tmp_path, "--json", APPSTORE_BASE_URL=appstore.base_url)
    assert out.returncode == 0, out.stderr
    [reply] = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    chart = reply["chart"]
    assert chart["type"] == "review_mix"
    assert chart["stars"] == reply["reviews"]["stars"]
    assert chart["title"].startswith("What Webster Bank's users say")
    assert not (tmp_path / "data" / "charts").exists()


async def test_a_chart_that_cannot_be_written_costs_the_console_reply_nothing(
    tmp_path: Path, appstore: FakeAppStore
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "charts").write_text("a file where the folder should be")
    out = run_bot("Webster Bank\n", tmp_path, APPSTORE_BASE_URL=appstore.base_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Webster Bank · opportunity analysis") == 1
    assert "Chart not shown: it could not be written (NotADirectoryError)" in out.stdout


# -- trend watch: alerts and digests carry a watched app's history ---------------------------
def history_report() -> Report:
    points = (
        HistoryPoint("2026-11-02", 4.3, 4.2, 30, 12),
        HistoryPoint("2026-11-09", 4.2, 3.6, 55, None),
        HistoryPoint("2026-11-16", 4.1, 3.1, 80, 18),
    )
    history = AppHistory("PCalc", 1, points)
    return Report(ReportKind.ALERTS, "Trend watch", "PCalc: rating down", history=history)


async def test_slack_alerts_carry_the_history_chart_under_the_message(
    harness: SlackHarness,
) -> None:
    poster = harness.adapter.channel_poster()
    await poster.post(WatchChannel("slack", "T0001", "C0001"), history_report())
    [message] = harness.slack.posted
    assert message.where == "chat.postMessage"
    [chart] = harness.slack.files.shared
    assert chart.title == "PCalc: ratings, reviews and chart rank"
    assert chart.channel == "C0001" and chart.size == CHART_SIZE
    assert chart.alt_txt.startswith("History of PCalc from 2026-11-02 to 2026-11-16")


async def test_discord_alerts_carry_the_history_chart_in_their_embed(
    discord_harness: DiscordHarness,
) -> None:
    poster = discord_harness.adapter.channel_poster()
    await poster.post(WatchChannel("discord", "g", CHANNEL_ID), history_report())
    [message] = discord_harness.fake.sent
    assert message.embeds[0]["image"]["url"] == "attachment://chart.png"
    [upload] = discord_harness.fake.uploads[message.message_id]
    assert png_size(upload.data) == CHART_SIZE
    assert discord_harness.fake.problems == []
