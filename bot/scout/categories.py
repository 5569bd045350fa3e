"""Which App Store category a user meant: Apple's name for what was typed, or the nearest names
when it names none — found before any App Store call is made."""

from __future__ import annotations

import difflib

from bot.appstore import GENRE_IDS, category_named

MAX_SUGGESTIONS = 3
MIN_SIMILARITY = 0.6


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("&", " and ").replace("-", " ").split())


def category_suggestions(text: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
    """Apple's category names nearest to `text`, best first: the category itself when `text`
    names one; else names it misspells ("finanse" → Finance, "helth" → Health & Fitness),
    starts ("prod" → Productivity) or that a word of it names ("money apps" → Finance).
    Empty when nothing is close."""
    named = category_named(text)
    if named is not None:
        return (named,)
    typed = _fold(text)
    if not typed:
        return ()
    scores: dict[str, float] = {}
    for word in typed.split():
        found = category_named(word)
        if found is not None:
            scores[found] = max(scores.get(found, 0.0), 1.0)
    for name in GENRE_IDS:
        folded = _fold(name)
        words = [word for word in folded.split() if word != "and"]
        similarity = max(
            difflib.SequenceMatcher(None, typed, folded).ratio(),
            # a misspelt word of a longer name ("helth" → Health & Fitness) counts a little less
            *(0.95 * difflib.SequenceMatcher(None, typed, word).ratio() for word in words),
        )
        if len(typed) >= 3 and any(word.startswith(typed) for word in words):
            similarity = max(similarity, 0.9)
        if similarity >= MIN_SIMILARITY:
            scores[name] = max(scores.get(name, 0.0), similarity)
    ranked = sorted(scores, key=lambda name: (-scores[name], name))
    return tuple(ranked[:limit])
