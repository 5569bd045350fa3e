"""Hostile text that every platform's tests feed through: untrusted input must stay data."""

from __future__ import annotations

# A model answer (or a quoted review) trying to hide where its links go, and to embed a tracker.
PHISHING = (
    "**Improvements**\n"
    "- Verify at [https://apps.apple.com/verify](http://evil.example/phish)\n"
    "- Or <http://evil.example/phish|apps.apple.com>\n"
    "- ![](http://evil.example/pixel.gif) and [open](javascript:alert(1))"
)
