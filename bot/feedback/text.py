"""What people read about feedback: the share of 👍 per kind of answer (`/scout stats`), and the
private note a voter gets."""

from __future__ import annotations

from collections.abc import Mapping

from bot.feedback.values import Vote, VoteResult, VoteTally


def share_line(shares: Mapping[str, VoteTally]) -> str:
    """`👍 analysis 12 of 15 (80%) · find 3 of 4 (75%)`: the kinds with the most votes first;
    `👍 no votes yet` without any."""
    voted = sorted(
        ((kind, tally) for kind, tally in shares.items() if tally.total),
        key=lambda item: (-item[1].total, item[0]),
    )
    if not voted:
        return "👍 no votes yet"
    return "👍 " + " · ".join(
        f"{kind} {tally.up} of {tally.total} ({tally.up / tally.total:.0%})"
        for kind, tally in voted
    )


def receipt(result: VoteResult, vote: Vote) -> str:
    """The private note that tells a voter what their vote did."""
    if result is VoteResult.NEW:
        return f"Thanks — your {vote.emoji} is recorded. It helps make the answers better."
    if result is VoteResult.CHANGED:
        return f"Thanks — your vote is now {vote.emoji}."
    if result is VoteResult.UNCHANGED:
        return f"Your {vote.emoji} was already recorded."
    return "That answer can no longer be rated (it is too old, or was not kept)."
