"""Brief quality measures that need no model: key-fact recall at a length limit, lead-N baseline.

Key-fact rule (format: ``eval/sample/README.md``): a fact is recalled when at least half of its
anchors (rounded up) occur, case-insensitively, in the brief's first ``word_limit`` content
words — title, bottom line and statements in reading order, without headings, markers or the
Sources part.

The **strict** rule (the one that counts) needs every anchor of a fact with one or two, and all
but one of a fact with three or more: half the anchors let a fact count on one generic anchor
(a country's name). **Placement**: a recalled fact is placed when its anchors, by the same rule,
occur within the limit in the title, the bottom line or one of the sections accepted for it.
"""

from __future__ import annotations

import math
import re

from pydantic import BaseModel

from briefer.brief.budget import word_limit
from briefer.models import SECTIONS, BriefContent

# Typographic variants that must not decide whether an anchor matches.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


class KeyFact(BaseModel):
    fact: str
    anchors: list[str]


def normalise(text: str) -> str:
    """Case-folded, straight quotes and dashes, ``1,000`` → ``1000``, single spaces."""
    text = _THOUSANDS.sub("", text.translate(_TRANSLATE).casefold())
    return " ".join(text.split())


def content_words(content: BriefContent) -> list[str]:
    """The scored words, in reading order."""
    return " ".join(content.texts()).split()


def scored_text(content: BriefContent, source_words: int) -> str:
    return " ".join(content_words(content)[: word_limit(source_words)])


def anchors_needed(fact: KeyFact, *, strict: bool = False) -> int:
    n = len(fact.anchors)
    if strict:
        return n if n <= 2 else n - 1
    return math.ceil(n / 2)


def fact_recalled(fact: KeyFact, text: str, *, strict: bool = False) -> bool:
    haystack = normalise(text)
    hits = sum(1 for anchor in fact.anchors if normalise(anchor) in haystack)
    return hits >= anchors_needed(fact, strict=strict)


def recall(facts: list[KeyFact], text: str, *, strict: bool = False) -> float:
    if not facts:
        return 0.0
    return sum(fact_recalled(f, text, strict=strict) for f in facts) / len(facts)


def scored_parts(content: BriefContent, source_words: int) -> dict[str, str]:
    """The scored text by part (``title``, ``bottom_line`` and each section), cut where the
    length limit falls in reading order, so placement sees what recall sees."""
    budget = word_limit(source_words)
    parts: dict[str, str] = {}
    order = [("title", [content.title]), ("bottom_line", [content.bottom_line])]
    order += [(name, [s.text for s in content.section(name)]) for name, _ in SECTIONS]
    for name, texts in order:
        words = " ".join(texts).split()[: max(0, budget)]
        budget -= len(words)
        parts[name] = " ".join(words)
    return parts


def fact_placed(fact: KeyFact, parts: dict[str, str], accepted: list[str]) -> bool:
    """True when the strict rule holds within the title, the bottom line or an accepted
    section (each on its own: a fact is placed where a reader finds it whole)."""
    return any(
        fact_recalled(fact, parts.get(name, ""), strict=True)
        for name in ("title", "bottom_line", *accepted)
    )


def lead_n(source: str, limit: int) -> str:
    """The classic baseline: the source's first words up to the same limit."""
    return " ".join(source.split()[:limit])
