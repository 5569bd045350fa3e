"""Apps side by side (`/scout compare`): each app's facts, clone score and top complaint, and the
rule-based verdict used when the model cannot give one — the highest clone score is the best
target, and the complaint its users raise most is the opening."""

from __future__ import annotations

from dataclasses import dataclass

from bot.advice.evidence import Theme
from bot.advice.scoring import CloneScore
from bot.appstore import AppInfo


@dataclass(frozen=True)
class ComparedApp:
    app: AppInfo
    score: CloneScore
    top_complaint: Theme | None = None  # the complaint its reviews raise most, if read
    reviews_read: int = 0


def best_target(rows: tuple[ComparedApp, ...]) -> ComparedApp:
    """The app with the highest clone score; on a tie, the one with more ratings (more demand)."""
    return max(rows, key=lambda row: (row.score.total, row.app.rating_count or 0))


def compare_verdict(rows: tuple[ComparedApp, ...]) -> str:
    """The verdict in Markdown, from the clone scores and complaints alone."""
    best = best_target(rows)
    strongest = sorted(best.score.parts, key=lambda part: -part.points)[:2]
    lines = [
        "**Verdict**",
        f"- **{best.app.name}** is the best target: clone score {best.score.total}/100, "
        f"strongest on {' and '.join(part.name for part in strongest)} "
        f"({'; '.join(part.reason for part in strongest)}).",
    ]
    if best.top_complaint is not None:
        lines.append(
            f"- Its users' most raised complaint is **{best.top_complaint.label}** "
            f"({best.top_complaint.count} of {best.reviews_read} reviews read): build the app "
            "that fixes it."
        )
    else:
        lines.append("- No customer reviews could be read for it: check its reviews first.")
    others = [row for row in rows if row is not best]
    if others:
        lines += ["", "**The others**"]
        for row in sorted(others, key=lambda r: -r.score.total):
            weakest = min(row.score.parts, key=lambda part: part.points)
            lines.append(
                f"- {row.app.name}: {row.score.total}/100 — weakest on {weakest.name} "
                f"({weakest.reason})."
            )
    return "\n".join(lines)
