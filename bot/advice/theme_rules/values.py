"""`LanguageRules`: one language's phrases for the review themes, the bug reports and the feature
requests, with what cancels a bug or a request found by them. Phrases are regex fragments matched
on lower-cased text: at word starts in languages written with spaces, anywhere in Japanese."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageRules:
    language: str  # ISO 639-1: "en", "ja", …
    themes: Mapping[str, tuple[str, ...]]  # theme key → phrases (every theme but "crashes")
    faults: tuple[str, ...]  # say that something fails by themselves: "won't open", "落ちる"
    symptoms: tuple[str, ...]  # fault words a negation cancels: "crash" (but "never crashes")
    requests: tuple[str, ...]  # ask for something the app lacks: "please add", "欲しい"
    # Regexes that cancel a find. `*_before` ends where the phrase starts (the text of the same
    # sentence before it is searched up to there), `*_after` starts where the phrase ends.
    symptom_before: str = r"(?!)"
    symptom_after: str = r"(?!)"  # where the negation follows: "stürzt nie ab", "バグがない"
    fault_before: str = r"(?!)"
    fault_after: str = r"(?!)"
    request_before: str = r"(?!)"
    request_after: str = r"(?!)"
    word_starts: bool = True  # phrases begin at a word start (False: Japanese, no spaces)
