"""Rule-based advice for when the model cannot answer.

Useful on its own: it starts from the App Store facts when there are any (every number quoted
comes from them) and from the category's playbook, guessing the category from the app's name
when the App Store was not asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.advice.comparison import ComparedApp, compare_verdict
from bot.advice.evidence import ReviewEvidence
from bot.advice.opportunity import Opportunity
from bot.advice.playbooks import Playbook, category_guessed_from, playbook_for
from bot.advice.review_themes import theme_rule
from bot.appstore import AppInfo, category_named
from bot.commands import Command, CommandKind

STALE_AFTER_DAYS = 365
FEW_RATINGS = 50
REVIEW_FINDINGS = 3  # complaint themes turned into improvements


@dataclass(frozen=True)
class Advice:
    text: str  # Markdown
    category: str | None
    category_guessed: bool


def advise(
    command: Command,
    app: AppInfo | None = None,
    top_apps: tuple[AppInfo, ...] = (),
    reviews: ReviewEvidence | None = None,
    today: date | None = None,
    comparison: tuple[ComparedApp, ...] = (),
    opportunities: tuple[Opportunity, ...] = (),
) -> Advice:
    today = today or date.today()
    if command.kind is CommandKind.FIND:
        return Advice(_find(command.subject, opportunities), command.subject, False)
    if command.kind is CommandKind.COMPARE:
        return Advice(_compare(comparison), "", category_guessed=False)
    if command.kind is CommandKind.GAPS:
        category = category_named(command.subject) or command.subject
        return Advice(_gaps(category, top_apps, reviews), category, category_guessed=False)
    category, guessed = _category(command, app)
    book = playbook_for(category)
    if command.kind is CommandKind.BUILD:
        return Advice(_build(book, category, guessed, app, reviews), category, guessed)
    return Advice(_analysis(book, category, guessed, app, reviews, today), category, guessed)


def _compare(rows: tuple[ComparedApp, ...]) -> str:
    if not rows:
        return (
            "These apps cannot be compared without their App Store facts; try again in a minute "
            "(or `/scout` each app on its own)."
        )
    return compare_verdict(rows)


def _find(category: str, ranked: tuple[Opportunity, ...]) -> str:
    """The rule-based verdict on a scanned market: the best target, what to do better (from its
    users' complaints, else the category's playbook) and what it takes."""
    if not ranked:
        return f"No app in the {category} charts could be scored; try again in a few minutes."
    best, *rest = ranked
    book = playbook_for(best.app.category or category)
    lines = [
        "**Build against first**",
        f"{best.app.name}: opportunity score {best.score.total}/100 — {best.why}.",
        "",
        "**Do better**",
    ]
    heard = _review_findings(best.reviews) if best.reviews is not None else []
    lines.extend(f"- {item}" for item in [*heard, *book.improvements][:3])
    low, high = book.weeks
    lines += ["", "**What it takes**", f"- {low}–{high} weeks for a solo developer's v1"]
    lines.append(f"- Stack: {book.stack}")
    lines.extend(f"- Hard part: {part}" for part in book.hard_parts[:2])
    if rest:
        lines += ["", "**The runners-up**"]
        lines.extend(f"- {other.app.name} ({other.score.total}/100): {other.why}" for other in rest)
    return "\n".join(lines)


def _review_findings(evidence: ReviewEvidence) -> list[str]:
    """Improvements from what users complain about, with how many said it: the strongest
    advice there is, so it comes first."""
    findings = [
        f"{theme.count} of {evidence.themed} reviews read report {theme.label}: "
        f"{theme_rule(theme.key).advice}"
        for theme in evidence.complaints[:REVIEW_FINDINGS]
    ]
    if (worse := evidence.regression) is not None:
        findings.insert(
            0,
            f"Version {worse.version} made it worse: its {worse.count} reviews average "
            f"{worse.average:.1f}★, below the version before — win its unhappy users now",
        )
    return findings


def _feature_ideas(evidence: ReviewEvidence | None) -> list[str]:
    if evidence is None:
        return []
    return [f"Users ask: “{quote.text}” ({quote.stars}★)" for quote in evidence.requests[:2]]


def _category(command: Command, app: AppInfo | None) -> tuple[str | None, bool]:
    if app is not None and app.category:
        return app.category, False
    name = app.name if app is not None else command.subject
    guess = category_guessed_from(name)
    return guess, guess is not None


def _fact_findings(app: AppInfo, today: date) -> list[str]:
    """Improvement angles that the app's own numbers point at."""
    findings: list[str] = []
    if app.rating is not None and app.rating_count:
        if app.rating < 4.0:
            findings.append(
                f"Users rate it {app.rating_summary}: its 1–2★ reviews are your feature list"
            )
        cv = app.current_version_rating
        if cv is not None and cv < app.rating - 0.3:
            findings.append(
                f"The current version rates {cv:.1f}★ against {app.rating:.1f}★ overall: "
                "a recent update upset users, so stability is a selling point"
            )
        if app.rating_count < FEW_RATINGS:
            findings.append(
                f"Only {app.rating_count:,} ratings: validate demand (landing page, "
                "keyword volume) before building"
            )
    elif app.rating is None:
        findings.append("No ratings yet: demand is unproven, so validate before building")
    days = app.days_since_update(today)
    if days is not None and days > STALE_AFTER_DAYS:
        findings.append(
            f"Last updated {days:,} days ago: a modern, maintained rival "
            "(widgets, Shortcuts, dark mode) can win its users"
        )
    return findings


def _analysis(
    book: Playbook,
    category: str | None,
    guessed: bool,
    app: AppInfo | None,
    reviews: ReviewEvidence | None,
    today: date,
) -> str:
    # The facts and the clone score travel in the Report's own fields, which every adapter
    # renders; the text carries the advice drawn from them.
    lines: list[str] = []
    if category and guessed:
        lines.append(f"_Category guessed from the name: {category}._\n")
    lines.append("**Improvements**")
    heard = _review_findings(reviews) if reviews is not None else []
    findings = _fact_findings(app, today) if app is not None else []
    lines.extend(f"- {item}" for item in [*heard, *findings, *book.improvements][:5])
    lines.extend(f"- {idea}" for idea in _feature_ideas(reviews))
    lines.append("")
    lines.append("**Monetization**")
    if app is not None and app.price is not None and app.price > 0 and app.formatted_price:
        lines.append(
            f"- It charges {app.formatted_price} up front: a free download with a paid "
            "upgrade lowers the barrier to switch"
        )
    lines.append(f"- {book.monetization}")
    lines.append("")
    lines.append("**Build estimate**")
    low, high = book.weeks
    lines.append(f"- A solo developer's v1: about {low}–{high} weeks")
    lines.append(f"- Stack: {book.stack}")
    lines.extend(f"- Hard part: {part}" for part in book.hard_parts)
    return "\n".join(lines)


def _build(
    book: Playbook,
    category: str | None,
    guessed: bool,
    app: AppInfo | None,
    reviews: ReviewEvidence | None,
) -> str:
    low, high = book.weeks
    complaints = reviews.complaints[:REVIEW_FINDINGS] if reviews is not None else ()
    heard = [
        f"{theme.label} — {theme.count} of {reviews.themed} reviews complain: "
        f"{theme_rule(theme.key).advice}"
        for theme in complaints
        if reviews is not None
    ]
    subject = app.name if app is not None else "the app"
    lines = [
        f"_Category guessed from the name: {category}._\n" if category and guessed else "",
        "**Stack**",
        f"- {book.stack}",
        "",
        "**Core features for v1**",
        f"- The one job people use {subject} for, done faster and with fewer taps",
        "- Onboarding in one screen; sign-in only if sync needs it",
        (
            f"- Fixed from the start: {complaints[0].label}, its users' top complaint"
            if complaints
            else "- The top complaint in its reviews, fixed"
        ),
        *(f"- {idea}" for idea in _feature_ideas(reviews)),
        "",
        "**Hard parts**",
        *(f"- {part}" for part in heard),
        *(f"- {part}" for part in book.hard_parts),
        "",
        "**Timeline**",
        f"- Weeks 1–{max(1, low // 2)}: core flow and data model",
        f"- Weeks {max(2, low // 2 + 1)}–{low}: polish, paywall, TestFlight beta",
        f"- Weeks {low + 1}–{high}: fixes from beta users, App Store listing, launch",
    ]
    return "\n".join(lines).lstrip("\n")


def _gaps(category: str, top_apps: tuple[AppInfo, ...], reviews: ReviewEvidence | None) -> str:
    book = playbook_for(category)
    lines = [f"**Market gaps in {category}**"]
    shared = reviews.shared_complaints if reviews is not None else ()
    lines.extend(
        f"- Users of {', '.join(theme.apps)} all complain about {theme.label} "
        f"({theme.count} reviews): {theme_rule(theme.key).advice}"
        for theme in shared[:3]
    )
    lines.extend(f"- {gap}" for gap in book.gaps)
    weak = [a for a in top_apps if a.rating is not None and a.rating_count and a.rating < 4.0]
    if weak:
        lines.append("")
        lines.append("**Leaders users are unhappy with**")
        lines.extend(
            f"- {a.name} ({a.rating_summary}): its low reviews list what to fix" for a in weak[:5]
        )
    lines.append("")
    lines.append("**Best bet**")
    lines.append(f"- {book.gaps[0]}")
    return "\n".join(lines)
