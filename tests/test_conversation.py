"""The one conversation path: who may run what, per-user limits, admins, and the Refresh text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.commands.grammar import Command, parse
from bot.intake.turns import Turn
from bot.report.report import ReportKind
from bot.runtime import Caller
from tests.conftest import ServiceFactory, conversation_for
from tests.fake_router import FakeRouter


async def test_each_platform_refuses_outside_its_own_allow_list(
    make_service: ServiceFactory, router: FakeRouter
) -> None:
    conversation = conversation_for(
        make_service(),
        allowed_workspaces={"slack": frozenset({"T1"}), "discord": frozenset({"1"})},
    )
    slack_elsewhere = await conversation.begin(Caller("slack", "U1", "T2"), "Facebook")
    discord_dm = await conversation.begin(Caller("discord", "42", None), "Facebook")
    allowed = await conversation.begin(Caller("slack", "U1", "T1"), "help")
    assert slack_elsewhere.refusal is not None and discord_dm.refusal is not None
    assert slack_elsewhere.refusal.text == "Trend Scout is not enabled for this workspace."
    assert discord_dm.refusal.text == "Trend Scout is not enabled for this server."
    assert (await conversation.answer(slack_elsewhere)).kind is ReportKind.ERROR
    assert allowed.refusal is None and not allowed.needs_work
    assert router.completion_calls() == []


async def test_the_limit_counts_look_ups_per_user_not_help(
    make_service: ServiceFactory, router: FakeRouter
) -> None:
    conversation = conversation_for(make_service(), per_minute=1)
    first = await conversation.begin(Caller("slack", "U1", "T1"), "Facebook")
    help_text = await conversation.begin(Caller("slack", "U1", "T1"), "help")
    again = await conversation.begin(Caller("slack", "U1", "T2"), "Facebook")
    someone_else = await conversation.begin(Caller("slack", "U2", "T1"), "Facebook")
    assert first.needs_work and help_text.refusal is None and someone_else.needs_work
    assert again.refusal is not None and "You're scouting fast" in again.refusal.text


async def test_admins_are_named_by_id_on_every_platform(make_service: ServiceFactory) -> None:
    conversation = conversation_for(make_service(), admin_ids=frozenset({"U_ADMIN", "42"}))
    for caller in (Caller("slack", "U_ADMIN"), Caller("discord", "42")):
        turn = await conversation.begin(caller, "stats")
        assert (await conversation.answer(turn)).kind is ReportKind.STATS
    stranger = await conversation.begin(Caller("slack", "U1"), "stats")
    assert "admins only" in (await conversation.answer(stranger)).text


@given(st.text(max_size=300))
def test_refresh_carries_the_parsed_command_again_and_fresh(text: str) -> None:
    turn = Turn(Caller("slack", "U1"), parse(text))
    if not turn.needs_work:
        assert turn.refresh_text == ""
        return
    again = parse(turn.refresh_text)
    assert isinstance(again, Command) and isinstance(turn.command, Command)
    assert again.fresh
    assert (again.kind, again.subject, again.track_id, again.country, again.deep) == (
        turn.command.kind,
        turn.command.subject,
        turn.command.track_id,
        turn.command.country,
        turn.command.deep,
    )
    assert turn.refresh_text.isprintable()


async def test_a_caller_without_an_id_is_refused(
    make_service: ServiceFactory, router: FakeRouter
) -> None:
    conversation = conversation_for(make_service())
    turn = await conversation.begin(Caller("discord", "  "), "Facebook")
    assert turn.refusal is not None and "could not tell who sent this" in turn.refusal.text
    assert not turn.needs_work and router.completion_calls() == []
