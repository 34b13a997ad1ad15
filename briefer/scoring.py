"""Brief quality measures that need no model: key-fact recall at a length limit, lead-N baseline.

Key-fact rule (``eval/dev/README.md`` format): a fact is recalled when at least half of its anchors
(rounded up) occur, case-insensitively, in the brief's first ``word_limit`` content words — title,
bottom line and statements in reading order, without headings, markers or the Sources part.
"""

from __future__ import annotations

import math
import re

from pydantic import BaseModel

from .budget import word_limit
from .models import BriefContent

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


def fact_recalled(fact: KeyFact, text: str) -> bool:
    haystack = normalise(text)
    hits = sum(1 for anchor in fact.anchors if normalise(anchor) in haystack)
    return hits >= math.ceil(len(fact.anchors) / 2)


def recall(facts: list[KeyFact], text: str) -> float:
    if not facts:
        return 0.0
    return sum(fact_recalled(f, text) for f in facts) / len(facts)


def lead_n(source: str, limit: int) -> str:
    """The classic baseline: the source's first words up to the same limit."""
    return " ".join(source.split()[:limit])
