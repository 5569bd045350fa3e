"""What trend watch says: confirmations, the watch list, and the one alert message a channel
gets per check. Markdown like every report; App Store names are data (their markup characters
are dropped here, and adapters sanitise the rest like any reply)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.appstore import GENRE_IDS
from bot.report import FollowUp, Report, ReportKind
from bot.watch.model import (
    MAX_WATCHES_PER_CHANNEL,
    MAX_WATCHES_PER_WORKSPACE,
    Alert,
    Watch,
    WatchKind,
)

CATEGORY_NAMES = {genre_id: name for name, genre_id in GENRE_IDS.items()}
MAX_FOLLOW_UPS = 6  # buttons under an alert message or digest: the first apps named

APP_CHANGES = (
    "its overall rating (down 0.1★ or more), its current-version rating (down 0.3★ or more), "
    "new versions with their release notes, price changes and surges of 1–2★ reviews"
)
CHART_CHANGES = (
    "the top free and top grossing charts: apps entering or leaving the top 10, and moves of "
    "5 places or more"
)


def plain_name(name: str) -> str:
    """An App Store name without the characters that would become Markdown."""
    return re.sub(r"[*_`~\[\]<>|#]", "", name).strip() or "(unnamed)"


def schedule_line(check_seconds: float, digest: str) -> str:
    return (
        f"Trend Scout checks every {_every(check_seconds)} and posts one message here when "
        f"something moves; a weekly digest comes {digest}."
    )


def _every(seconds: float) -> str:
    for unit, size in (("day", 86_400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size, 1)
            return unit if count == 1 else f"{count:g} {unit}s"
    return f"{seconds:g} seconds"


def watching_text(watch: Watch, schedule: str) -> str:
    changes = APP_CHANGES if watch.kind is WatchKind.APP else CHART_CHANGES
    return f"Now watching **{plain_name(watch.label)}** in this channel: {changes}. {schedule}"


def caps_text() -> str:
    return (
        f"A channel can watch up to {MAX_WATCHES_PER_CHANNEL} apps and categories, a workspace "
        f"or server up to {MAX_WATCHES_PER_WORKSPACE}."
    )


def watch_list(watches: list[Watch], schedule: str) -> str:
    if not watches:
        return (
            "This channel watches nothing yet. Try `/scout watch Calculator Pro` or "
            "`/scout watch gaps Utilities`."
        )
    lines = [f"**This channel watches {len(watches)}** (of {MAX_WATCHES_PER_CHANNEL}):"]
    lines += [f"• {plain_name(watch.label)}" for watch in watches]
    lines.append(schedule)
    return "\n".join(lines)


def watch_report(text: str) -> Report:
    return Report(ReportKind.WATCH, "Trend watch", text)


def alerts_report(alerts: list[Alert]) -> Report:
    """One message with everything that moved for a channel, grouped by app and category."""
    groups: dict[tuple[str, int, str], list[Alert]] = {}
    for alert in alerts:
        if alert.genre_id is not None:
            key = ("chart", alert.genre_id, alert.country)
        else:
            key = ("app", alert.track_id, alert.country)
        groups.setdefault(key, []).append(alert)
    count = len(alerts)
    lines = [f"**Trend watch: {count} change{'s' * (count != 1)}**"]
    for (kind, target, country), found in groups.items():
        if kind == "app":
            lines.append(f"\n**{plain_name(found[0].app_name)}** ({country.upper()})")
            lines += [f"• {alert.text}" for alert in found]
        else:
            category = CATEGORY_NAMES.get(target, "Category")
            lines.append(f"\n**{category} charts** ({country.upper()})")
            lines += [f"• **{plain_name(alert.app_name)}** {alert.text}" for alert in found]
    apps = [(alert.track_id, alert.app_name, alert.country) for alert in alerts]
    return Report(ReportKind.ALERTS, "Trend watch", "\n".join(lines), follow_ups=follow_ups(apps))


def follow_ups(apps: Iterable[tuple[int, str, str]]) -> tuple[FollowUp, ...]:
    """Analysis (with its review evidence) and build guide of the first apps named, given as
    (track id, name, country)."""
    buttons: list[FollowUp] = []
    seen: set[int] = set()
    for track_id, app_name, country in apps:
        if track_id in seen or len(seen) * 2 >= MAX_FOLLOW_UPS:
            continue
        seen.add(track_id)
        name = _short(plain_name(app_name), 30)
        target = f"id:{track_id} --country={country}"
        buttons.append(FollowUp(f"Analysis: {name}", target))
        buttons.append(FollowUp(f"Build guide: {name}", f"build {target}"))
    return tuple(buttons)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
