"""Folding app and category names so that equivalent requests match and share a cache key."""

from __future__ import annotations

import re
import unicodedata


def normalise_subject(subject: str) -> str:
    """Fold case, punctuation and white space: "Calculator-Pro!" ≈ "calculator pro"."""
    folded = unicodedata.normalize("NFKC", subject).casefold()
    folded = re.sub(r"[^\w\s:]", " ", folded)
    return " ".join(folded.split())
