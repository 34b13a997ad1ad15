"""Length budget of a brief: one page for a long text, at least 40 % shorter than a short one."""

from __future__ import annotations

from .models import SECTIONS, BriefContent, word_count

MIN_WORDS = 150
MAX_WORDS = 450
RATIO = 0.6


def word_limit(source_words: int) -> int:
    """``min(450, max(150, round(0.6 × source words)))``: title, bottom line and statements."""
    return min(MAX_WORDS, max(MIN_WORDS, round(RATIO * source_words)))


def fit_to_budget(content: BriefContent, limit: int) -> tuple[BriefContent, int]:
    """Drop least important statements until the brief is within ``limit`` words.

    Statements are most-important-first within a section, so the last statement of the longest
    section goes first; each section keeps its lead statement as long as possible. Returns the
    fitted copy and the number of statements dropped.
    """
    sections = {name: list(content.section(name)) for name, _ in SECTIONS}
    fixed = word_count(content.title) + word_count(content.bottom_line)

    def total() -> int:
        return fixed + sum(word_count(s) for items in sections.values() for s in items)

    dropped = 0
    while total() > limit:
        # Prefer sections that keep at least one statement after the cut.
        candidates = [n for n, items in sections.items() if len(items) > 1] or [
            n for n, items in sections.items() if items
        ]
        if not candidates:
            break
        name = max(candidates, key=lambda n: sum(word_count(s) for s in sections[n]))
        sections[name].pop()
        dropped += 1
    return content.model_copy(update=sections), dropped
