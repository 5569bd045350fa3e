"""What reviews say, per language, as phrase rules: the themes, the bug reports (the "crashes"
theme) and the feature requests of English, Japanese, German, French, Spanish and Portuguese
reviews. Data only; `bot.advice.review_themes` compiles and applies them."""

from bot.advice.theme_rules.de import GERMAN
from bot.advice.theme_rules.en import ENGLISH
from bot.advice.theme_rules.es import SPANISH
from bot.advice.theme_rules.fr import FRENCH
from bot.advice.theme_rules.ja import JAPANESE
from bot.advice.theme_rules.pt import PORTUGUESE
from bot.advice.theme_rules.values import LanguageRules

RULES: dict[str, LanguageRules] = {
    rules.language: rules for rules in (ENGLISH, JAPANESE, GERMAN, FRENCH, SPANISH, PORTUGUESE)
}

__all__ = [
    "ENGLISH",
    "FRENCH",
    "GERMAN",
    "JAPANESE",
    "PORTUGUESE",
    "RULES",
    "SPANISH",
    "LanguageRules",
]
