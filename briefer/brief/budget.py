"""Length budget of a brief: one page for a long text, at least 40 % shorter than a short one."""

from __future__ import annotations

MIN_WORDS = 150
MAX_WORDS = 450
RATIO = 0.6


def word_limit(source_words: int) -> int:
    """``min(450, max(150, round(0.6 × source words)))``: title, bottom line and statements."""
    return min(MAX_WORDS, max(MIN_WORDS, round(RATIO * source_words)))
