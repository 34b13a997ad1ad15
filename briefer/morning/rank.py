"""Ranking a morning's items: the number of sources, recency, and the profile's topics.

    score = sources + recency + TOPIC_WEIGHT × topics matched

- sources: how many reports the item brings together (a story covered by three outlets is
  more likely what the reader must know than a single press release);
- recency: 1 for an item published now, falling linearly to 0 at ``RECENCY_HOURS`` (undated
  entries count as published when they were read);
- topics: the profile's topics or keywords found (whole words, any case) in the item's titles
  or texts, each counted once; a topic in a title counts double.

Ties go to the newer item, then the title, so the order never depends on the input order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from briefer.models import Article

TOPIC_WEIGHT = 1.5
RECENCY_HOURS = 48.0


@dataclass(frozen=True)
class Candidate:
    """What ranking needs of one item."""

    articles: Sequence[Article]
    newest: datetime | None


def _pattern(topic: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in topic.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def topic_score(articles: Sequence[Article], topics: Sequence[str]) -> float:
    score = 0.0
    for topic in topics:
        if not topic.strip():
            continue
        pattern = _pattern(topic)
        if any(pattern.search(a.title or "") for a in articles):
            score += 2
        elif any(pattern.search(a.text) for a in articles):
            score += 1
    return score


def score(candidate: Candidate, topics: Sequence[str], now: datetime) -> float:
    recency = 0.0
    newest = candidate.newest or now
    age = (now - newest).total_seconds() / 3600
    recency = max(0.0, 1 - max(age, 0.0) / RECENCY_HOURS)
    return (
        len(candidate.articles) + recency + TOPIC_WEIGHT * topic_score(candidate.articles, topics)
    )


def rank(candidates: Sequence[Candidate], topics: Sequence[str], now: datetime) -> list[int]:
    """Indices of ``candidates``, best first."""
    scores = [score(c, topics, now) for c in candidates]

    def key(i: int) -> tuple[float, float, str]:
        newest = candidates[i].newest or now
        first = min((a.title or a.id) for a in candidates[i].articles)
        return (-scores[i], -newest.timestamp(), first)

    return sorted(range(len(candidates)), key=key)
