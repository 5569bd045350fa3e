"""App Store categories: Apple's English names, their iOS genre ids, and what users type."""

from __future__ import annotations

# Every iOS App Store category with its genre id, as the iTunes APIs and top-chart feeds use them.
GENRE_IDS: dict[str, int] = {
    "Books": 6018,
    "Business": 6000,
    "Developer Tools": 6026,
    "Education": 6017,
    "Entertainment": 6016,
    "Finance": 6015,
    "Food & Drink": 6023,
    "Games": 6014,
    "Graphics & Design": 6027,
    "Health & Fitness": 6013,
    "Lifestyle": 6012,
    "Magazines & Newspapers": 6021,
    "Medical": 6020,
    "Music": 6011,
    "Navigation": 6010,
    "News": 6009,
    "Photo & Video": 6008,
    "Productivity": 6007,
    "Reference": 6006,
    "Shopping": 6024,
    "Social Networking": 6005,
    "Sports": 6004,
    "Stickers": 6025,
    "Travel": 6003,
    "Utilities": 6002,
    "Weather": 6001,
}

# Shorter or older names users type, folded to Apple's names.
ALIASES: dict[str, str] = {
    "utility": "Utilities",
    "tools": "Utilities",
    "health": "Health & Fitness",
    "fitness": "Health & Fitness",
    "photo": "Photo & Video",
    "photos": "Photo & Video",
    "video": "Photo & Video",
    "camera": "Photo & Video",
    "game": "Games",
    "gaming": "Games",
    "social": "Social Networking",
    "social media": "Social Networking",
    "food": "Food & Drink",
    "money": "Finance",
    "book": "Books",
    "dev tools": "Developer Tools",
    "developer": "Developer Tools",
    "design": "Graphics & Design",
    "graphics": "Graphics & Design",
    "magazines": "Magazines & Newspapers",
    "newspapers": "Magazines & Newspapers",
    "maps": "Navigation",
    "sport": "Sports",
    "productivity apps": "Productivity",
}


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("&", " and ").replace("-", " ").split())


_BY_FOLDED: dict[str, str] = {
    **{_fold(name): name for name in GENRE_IDS},
    **{_fold(alias): name for alias, name in ALIASES.items()},
}


def category_named(text: str) -> str | None:
    """Apple's category name for what a user typed ("health" → "Health & Fitness"), or None."""
    return _BY_FOLDED.get(_fold(text))


def category_list() -> str:
    return ", ".join(sorted(GENRE_IDS))
