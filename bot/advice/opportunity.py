"""The opportunity score: how good a target one app of a scanned market is, 0–100, from
transparent parts (each a `ScorePart` with a one-line reason, as the clone score's are):

    total = demand (0–20) + dissatisfaction (0–30) + staleness (0–15)
          + monetisation (0–20) + build simplicity (0–15)

- demand = 0.8 × the clone score's demand for n ratings: up on a log scale to full marks at 1k,
  flat to 50k, then down to 30 % for giants of 10M and more;
- dissatisfaction = min(30, D + C). D (0–25) is the clone score's dissatisfaction from the overall
  rating r, the current version's rating cv and, once the newest reviews are read (10 or more),
  their average a and share s of 1–2★:
      without reviews  D = 5(5 − r) + min(5, 2.5(r − cv))
      with reviews     D = min(25, 5(5 − r) + max(min(5, 2.5(r − cv)), min(10, 5(r − a)))
                                  + 5·clamp((s − 0.1) / 0.4))
  C = 5·clamp(c / 0.5), c the share of those reviews that raise the most-raised complaint theme;
- staleness = 15 × min(1, days since the last update / 730);
- monetisation = G + P: G = 14 × (1 − 0.7 × log10(g) / log10(200)) for top-grossing rank g
  (14 at #1, 4.2 at #200, 0 for an app not on the chart); P = 6 × min(1, price / $10);
- build simplicity = 0.6 × the clone score's figure for the category.

(Differences such as r − cv count only when positive; ratings are clamped to 1–5★.)
A missing input takes the middle of what it could add and marks its part estimated: no ratings →
dissatisfaction 15; reviews not read → C = 2.5; the top-grossing chart unread → G = 7; price
unknown → P = 3; last update unknown → 7.5; category unknown → 7.5; rating count unknown → 10.
Monotone in each input in its stated direction (property-tested): lower ratings, more 1–2★ and
more complaints, an older update, a better grossing rank and a higher price never lower it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bot.advice.evidence import ReviewEvidence
from bot.advice.scoring import (
    BUILD_SIMPLICITY,
    PART_MAX,
    STALE_DAYS,
    ScorePart,
    demand_points,
    dissatisfaction_points,
    recent_figures,
    staleness_points,
)
from bot.appstore import CHART_MAX, AppInfo

DEMAND, DISSATISFACTION, STALENESS, MONETISATION, SIMPLICITY = (
    "demand",
    "dissatisfaction",
    "staleness",
    "monetisation",
    "build simplicity",
)
WEIGHTS: dict[str, float] = {
    DEMAND: 20.0,
    DISSATISFACTION: 30.0,
    STALENESS: 15.0,
    MONETISATION: 20.0,
    SIMPLICITY: 15.0,
}
COMPLAINT_MAX = WEIGHTS[DISSATISFACTION] - PART_MAX  # 5: what complaint themes add
FULL_COMPLAINT_SHARE = 0.5
GROSSING_MAX = 14.0
GROSSING_FLOOR = 0.3  # of GROSSING_MAX, for the last rank of the chart
PRICE_MAX = WEIGHTS[MONETISATION] - GROSSING_MAX  # 6
FULL_PRICE = 10.0  # dollars (or the store's currency units): full price points
MIN_REVIEWS = 10  # fewer reviews read than this say nothing about complaints


@dataclass(frozen=True)
class OpportunityScore:
    total: int  # 0..100
    parts: tuple[ScorePart, ...]  # demand, dissatisfaction, staleness, monetisation, simplicity

    @property
    def estimated(self) -> bool:
        return any(part.estimated for part in self.parts)

    @property
    def exact_total(self) -> float:
        """The sum before rounding (ties in a ranking are broken by it)."""
        return sum(part.points for part in self.parts)

    @staticmethod
    def out_of(part: ScorePart | str) -> float:
        """The most a part can score."""
        return WEIGHTS[part if isinstance(part, str) else part.name]

    def part(self, name: str) -> ScorePart:
        return next(part for part in self.parts if part.name == name)


# -- the parts as pure functions of their inputs (what the property tests hold) ---------------
def complaint_points(share: float) -> float:
    """0–5 for the share of the reviews read that raise the most-raised complaint."""
    return COMPLAINT_MAX * min(1.0, max(0.0, share) / FULL_COMPLAINT_SHARE)


def opportunity_dissatisfaction(
    rating: float,
    current_version_rating: float | None,
    recent_average: float | None = None,
    low_share: float | None = None,
    complaint_share: float | None = None,
) -> float:
    """0–30: D + C of the formula (C neutral when no reviews were read)."""
    base = dissatisfaction_points(rating, current_version_rating, recent_average, low_share)
    extra = COMPLAINT_MAX / 2 if complaint_share is None else complaint_points(complaint_share)
    return min(WEIGHTS[DISSATISFACTION], base + extra)


def grossing_points(rank: int | None) -> float:
    """0–14: higher on the top-grossing chart earns more; off the chart earns nothing."""
    if rank is None:
        return 0.0
    where = math.log10(max(1, rank)) / math.log10(CHART_MAX)
    return GROSSING_MAX * (1 - (1 - GROSSING_FLOOR) * min(1.0, where))


def price_points(price: float) -> float:
    """0–6: a paid app shows users pay up front in this market."""
    return PRICE_MAX * min(1.0, max(0.0, price) / FULL_PRICE)


# -- the score -------------------------------------------------------------------------------
def opportunity_score(
    app: AppInfo,
    today: date,
    *,
    grossing_rank: int | None = None,
    grossing_read: bool = True,
    reviews: ReviewEvidence | None = None,
) -> OpportunityScore:
    """`grossing_rank`: the app's place on its category's top-grossing chart (None: not on it);
    `grossing_read`: whether that chart could be read at all; `reviews`: the newest reviews'
    evidence, once read."""
    parts = (
        _demand(app),
        _dissatisfaction(app, reviews),
        _staleness(app, today),
        _monetisation(app, grossing_rank, grossing_read),
        _simplicity(app),
    )
    total = round(sum(part.points for part in parts))
    return OpportunityScore(total=max(0, min(100, total)), parts=parts)


def _scaled(name: str, points: float) -> float:
    return points * WEIGHTS[name] / PART_MAX


def _demand(app: AppInfo) -> ScorePart:
    if app.rating_count is None:
        return ScorePart(DEMAND, WEIGHTS[DEMAND] / 2, "rating count unknown", estimated=True)
    n = app.rating_count
    if n < 50:
        why = f"only {n:,} ratings: little proven demand"
    elif n <= 50_000:
        why = f"{n:,} ratings: proven demand, not yet a giant"
    else:
        why = f"{n:,} ratings: huge demand but an entrenched leader"
    return ScorePart(DEMAND, _scaled(DEMAND, demand_points(n)), why)


def _complaint_share(reviews: ReviewEvidence | None) -> tuple[float | None, str]:
    if reviews is None or reviews.count < MIN_REVIEWS:
        return None, "reviews not read"
    if not reviews.complaints:
        return 0.0, f"no complaint raised in {reviews.count} recent reviews"
    top = reviews.complaints[0]
    return top.count / reviews.count, f"{top.count} of {reviews.count} report {top.label}"


def _dissatisfaction(app: AppInfo, reviews: ReviewEvidence | None) -> ScorePart:
    if app.rating is None or not app.rating_count:
        return ScorePart(
            DISSATISFACTION, WEIGHTS[DISSATISFACTION] / 2, "no ratings yet", estimated=True
        )
    average, low_share = recent_figures(reviews)
    share, complaint = _complaint_share(reviews)
    points = opportunity_dissatisfaction(
        app.rating, app.current_version_rating, average, low_share, share
    )
    why = [f"rated {app.rating:.1f}★"]
    cv = app.current_version_rating
    if cv is not None and cv < app.rating:
        why.append(f"this version {cv:.1f}★")
    if average is not None:
        why.append(f"newest reviews {average:.1f}★")
    why.append(complaint)
    return ScorePart(DISSATISFACTION, points, "; ".join(why), estimated=share is None)


def _staleness(app: AppInfo, today: date) -> ScorePart:
    days = app.days_since_update(today)
    if days is None:
        return ScorePart(STALENESS, WEIGHTS[STALENESS] / 2, "last update unknown", estimated=True)
    points = _scaled(STALENESS, staleness_points(days))
    why = f"last updated {days:,} days ago"
    if days >= STALE_DAYS:
        why += " (stale)"
    return ScorePart(STALENESS, points, why)


def _monetisation(app: AppInfo, rank: int | None, chart_read: bool) -> ScorePart:
    estimated = False
    if not chart_read:
        points, why = GROSSING_MAX / 2, "top-grossing chart not read"
        estimated = True
    elif rank is None:
        points, why = 0.0, "not among the top grossing"
    else:
        points, why = grossing_points(rank), f"#{rank} top grossing"
    if app.price is None:
        points += PRICE_MAX / 2
        why += "; price unknown"
        estimated = True
    elif app.price > 0:
        points += price_points(app.price)
        why += f"; paid ({app.formatted_price or app.price})"
    else:
        why += "; free"
    return ScorePart(MONETISATION, points, why, estimated)


def _simplicity(app: AppInfo) -> ScorePart:
    if app.category is None or app.category not in BUILD_SIMPLICITY:
        label = app.category or "unknown category"
        return ScorePart(
            SIMPLICITY, WEIGHTS[SIMPLICITY] / 2, f"{label}: typical effort", estimated=True
        )
    raw = BUILD_SIMPLICITY[app.category]
    effort = "simple" if raw >= 17 else "moderate" if raw >= 11 else "demanding"
    return ScorePart(SIMPLICITY, _scaled(SIMPLICITY, raw), f"{app.category} apps are {effort}")


NOTABLE_DROP = 0.5  # stars below the overall rating worth saying
NOTABLE_COMPLAINT = 3  # reviews raising a complaint worth saying
NOTABLE_DAYS = 180


@dataclass(frozen=True)
class ChartRanks:
    """An app's place (1 = top) on each chart of its category; None: not on it."""

    free: int | None = None
    paid: int | None = None
    grossing: int | None = None

    def describe(self) -> str:
        """ "#3 top free, #12 top grossing"."""
        places = (("top free", self.free), ("top paid", self.paid), ("top grossing", self.grossing))
        return ", ".join(f"#{rank} {name}" for name, rank in places if rank is not None)


@dataclass(frozen=True)
class Opportunity:
    app: AppInfo
    score: OpportunityScore
    reviews: ReviewEvidence | None  # its newest reviews, when it made the shortlist
    ranks: ChartRanks
    why: str  # one plain line: the strongest reasons, with numbers


def why_line(app: AppInfo, reviews: ReviewEvidence | None, ranks: ChartRanks, today: date) -> str:
    """ "1.9★ in this version vs 4.1★ overall; 31 of 50 recent reviews report crashes & bugs;
    last updated 3 years ago" — the strongest reasons in plain words, or the app's standing."""
    reasons: list[str] = []
    rating, cv = app.rating, app.current_version_rating
    read = reviews.recent if reviews is not None else 0
    recent = reviews.average if reviews is not None and read else None
    if rating is not None and cv is not None and cv <= rating - NOTABLE_DROP:
        reasons.append(f"{cv:.1f}★ in this version vs {rating:.1f}★ overall")
    elif rating is not None and recent is not None and recent <= rating - NOTABLE_DROP:
        reasons.append(f"newest {read} reviews average {recent:.1f}★ vs {rating:.1f}★ overall")
    elif rating is not None and rating <= 3.5:
        reasons.append(f"rated {rating:.1f}★")
    if reviews is not None and reviews.complaints:
        top = reviews.complaints[0]
        if top.count >= NOTABLE_COMPLAINT:
            reasons.append(f"{top.count} of {reviews.count} recent reviews report {top.label}")
    days = app.days_since_update(today)
    if days is not None and days >= NOTABLE_DAYS:
        reasons.append(f"last updated {age(days)}")
    if not reasons:
        reasons.append(app.rating_summary)
        if ranks.grossing is not None:
            reasons.append(f"#{ranks.grossing} top grossing")
    return "; ".join(reasons)


def age(days: int) -> str:
    """ "3 years ago", "over a year ago", "7 months ago", "12 days ago"."""
    if days >= 730:
        return f"{days // 365} years ago"
    if days >= 365:
        return "over a year ago"
    if days >= 60:
        return f"{days // 30} months ago"
    return "yesterday" if days == 1 else f"{days} days ago"
