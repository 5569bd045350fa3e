"""The languages answers can be written in: `--lang=xx`, or the user's locale as the platform
gives it (Slack's "ja-JP", Discord's "pt-BR", a terminal's "de_DE.UTF-8"). The model is told to
answer in it; the fixed labels of replies stay English."""

from __future__ import annotations

import re

# ISO 639-1 code → the language's English name (what the model is told).
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "ms": "Malay",
    "nb": "Norwegian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
_LOCALE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*(?:\.[\w-]+)?(?:@\w+)?$")


def language_of(locale: str | None) -> str | None:
    """The answer language a locale names ("ja-JP" → "ja"), or None when it names none we
    know ("C", "POSIX", empty, unknown)."""
    if not locale:
        return None
    match = _LOCALE.match(locale.strip())
    code = match.group(1).lower() if match else None
    return code if code in LANGUAGES else None


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)
