"""Which language a review is written in, for choosing its theme rules: cheap, from the text alone.

The review's own text decides, not the storefront: stores hold reviews in other languages (the
recorded Japanese REALITY feed has an English one, and German, French or Spanish stores hold many),
and `summarise` is not told the store. Kana mean Japanese; other scripts past Latin (Han without
kana, Hangul, Cyrillic, Arabic…) have no rules. Latin text is told apart by its commonest short
words ("the", "und", "les", "pero", "não"…) and letters (ß, ñ, ã…), found with plain substring
tests on the lower-cased text: a few microseconds a review, so the summary of 150 stays within its
5 ms. Latin text without any of them (a word or two: "crashes", "Super App!") counts as English,
as before, unless its letters say otherwise (ß, ñ, ã…). Accuracy is that of a stop-word vote:
fine for the paragraphs reviews are, a guess for three words.
"""

from __future__ import annotations

import re

# Letters past Latin Extended (CJK, Cyrillic, Arabic…); punctuation and emoji do not count.
_FOREIGN_LETTER = re.compile(r"[^\W\d_\u0000-\u02ff]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_WORD_EDGES = str.maketrans({mark: " " for mark in ".,;:!?()\"'’«»¡¿/\n\t-…"})

# Short words (with the spaces around them) and letters that mark a language; "the" and "und"
# say more than "a". Markers shared by two languages (es/pt "que", "para") count for both.
MARKERS: dict[str, tuple[str, ...]] = {
    "en": (
        " the ", " i ", " and ", " it ", " to ", " is ", " my ", " this ", " you ", " not ",
        " but ", " was ", " of ", " can ", " with ", " have ", " when ", " please ", " it's ",
        " so ", " for ", " just ", " very ", " are ", " on ", " in ", " all ", " great ", " good ",
        " love ", " works ", " they ", " be ", " fix ", " keeps ", " does ", " what ", " would ",
    ),
    "de": (
        " und ", " die ", " der ", " das ", " ist ", " nicht ", " ich ", " mit ", " sehr ",
        " auch ", " ein ", " eine ", " aber ", " zu ", " man ", " wenn ", " bitte ", " kann ",
        " mehr ", " immer ", " schon ", "ß", "ä", "ö", "ü",
    ),
    "fr": (
        " le ", " la ", " les ", " et ", " est ", " pas ", " je ", " une ", " des ", " c ",
        " très ", " mais ", " pour ", " du ", " ne ", " vous ", " avec ", " plus ", " il ",
        " qui ", " application ", " ce ", " d ", " l ", " qu ", " j ", " bien ", " sur ",
        " tout ", " ça ", " un ", " appli ", "è", "ê", "à ", "ç", "ù",
    ),
    "es": (
        " el ", " la ", " los ", " las ", " que ", " es ", " muy ", " pero ", " una ", " para ",
        " por ", " y ", " aplicación ", " lo ", " se ", " del ", " esta ", " está ", " mi ",
        " bueno ", " buena ", " sin ", " hay ", " ya ", " todo ", " desde ", " siempre ",
        " puedo ", " tiene ", " solo ", " deja ", " en ",
        " porque ", " cuando ", "ñ", "ó", "¿", "¡",
    ),
    "pt": (
        " o ", " os ", " não ", " nao ", " é ", " muito ", " uma ", " mas ", " com ", " para ",
        " que ", " um ", " aplicativo ", " do ", " da ", " eu ", " quando ", " você ", " está ",
        " pra ", " tá ", " isso ", " mais ", " tem ", " toda ", " meu ", " minha ", " já ", "ção",
        " bom ", " boa ", " se ", " por ", " só ", " ele ", " ela ", " foi ", " ter ", " ainda ",
        " sempre ", " agora ", " consigo ", " tivesse ", " em ", " favor ",
        "ã", "õ",
    ),
}
_ENGLISH_FIRST = MARKERS["en"][:10]
RULED_LANGUAGES = ("en", "ja", "de", "fr", "es", "pt")


def review_language(text: str, lowered: str | None = None) -> str | None:
    """The language of a review's text among those with theme rules ("en", "ja", "de", "fr",
    "es", "pt"), or None: another script, or Latin text whose words name no language of ours."""
    spaced = f" {text.lower() if lowered is None else lowered} "
    english = 0
    for marker in _ENGLISH_FIRST:  # most reviews: English, told by its commonest words
        if marker in spaced:
            english += 1
            if english == 3:
                return "en"
    if (english == 2 or (english and text.isascii())) and not any(
        map(spaced.__contains__, _OTHER_WORDS)
    ):
        return "en"
    if not text.isascii():
        if _KANA.search(text):
            return "ja"
        if len(_FOREIGN_LETTER.findall(text)) * 10 >= len(text):
            return None
    spaced = spaced.translate(_WORD_EDGES)  # the slow, careful way: words beside punctuation
    votes = {language: _votes(spaced, markers) for language, markers in MARKERS.items()}
    best = max(votes, key=lambda language: votes[language])
    if votes[best] == votes["en"]:  # a tie, or no vote at all: English unless its letters say
        return "en" if votes["en"] else _latin_guess(spaced) or "en"
    return best


def _votes(spaced: str, markers: tuple[str, ...]) -> int:
    return sum(map(spaced.__contains__, markers))


# Common words of the other languages that English never has: two English words and none of
# these also make English.
_OTHER_WORDS = (
    " und ", " ist ", " nicht ", " die ", " der ", " das ", " ich ", " mit ", " sehr ", " les ",
    " est ", " pas ", " et ", " je ", " une ", " des ", " el ", " muy ", " que ", " los ",
    " pero ", " una ", " con ", " y ", " não ", " nao ", " muito ", " com ", " mas ", " pra ",
    " para ", " por ", " isso ", " toda ", " esta ", " le ", " la ", " de ", " du ", " en ",
    " lo ", " da ", " do ", " um ", " se ",
)


def _latin_guess(spaced: str) -> str | None:
    """Latin text without any marker word: its letters may say which language it is."""
    for letters, language in (("ßäöü", "de"), ("ãõ", "pt"), ("ñ", "es"), ("èêàçù", "fr")):
        if any(letter in spaced for letter in letters):
            return language
    return None


def is_english(text: str) -> bool:
    """Whether the English rules apply (kept for callers that only ask this)."""
    return review_language(text) == "en"
