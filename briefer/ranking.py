"""Choosing which sentences a brief keeps: coverage of the text, not names per word.

Ranking by names and numbers per word matched the anchors of a key-fact metric by construction,
and picked a planted sentence full of numbers first. A reader wants the sentences central to the
text that do not repeat each other:

- **centrality**: TF-IDF cosine of a sentence to the whole text (sentences as documents), so a
  sentence about what the text is about ranks above a side remark;
- **position prior**: news puts what matters first (weight ``POSITION_WEIGHT``);
- **maximal marginal relevance**: each next pick is penalised by its similarity to what is
  already chosen (``REDUNDANCY``), so two wordings of one fact do not both take space;
- **every section with material gets its best candidate first**, then the rest of the word
  budget goes to the best remaining sentences, whatever their section.

Pure Python, deterministic; a few milliseconds for a long transcript.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

POSITION_WEIGHT = 0.3
REDUNDANCY = 0.5

_TOKEN = re.compile(r"[^\W\d_][\w’'-]*|\d[\d,.]*", re.UNICODE)
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as into about over after before
    than then that this these those it its is are was were be been being has have had do does did
    not no so such he she they we i you his her their our my your them us him who whom whose which
    what when where why how also said says will would could may might can should must there here
    all any both each more most other some one two""".split()
)


def _terms(text: str) -> list[str]:
    out = []
    for token in _TOKEN.findall(text.lower()):
        token = token.strip("’'-.,")
        if not token or token in _STOP:
            continue
        # A light plural fold, so "talks" and "talk" meet; no stemmer is needed for ranking.
        if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
        out.append(token)
    return out


Vector = dict[str, float]


def _norm(v: Vector) -> float:
    return math.sqrt(sum(x * x for x in v.values()))


def cosine(a: Vector, b: Vector) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(x * b.get(k, 0.0) for k, x in a.items())
    denominator = _norm(a) * _norm(b)
    return dot / denominator if denominator else 0.0


def tfidf(texts: Sequence[str]) -> list[Vector]:
    """One TF-IDF vector per text, with the texts themselves as the document collection."""
    bags = [Counter(_terms(t)) for t in texts]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(texts)
    return [
        {term: (1 + math.log(count)) * math.log(1 + n / df[term]) for term, count in bag.items()}
        for bag in bags
    ]


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Cosine of each vector to the sum of all the others (the rest of the text)."""
    total: Vector = {}
    for v in vectors:
        for k, x in v.items():
            total[k] = total.get(k, 0.0) + x
    out = []
    for v in vectors:
        rest = {k: x - v.get(k, 0.0) for k, x in total.items()}
        out.append(cosine(v, rest))
    return out


def choose(
    ids: Sequence[int],
    texts: Sequence[str],
    sections: Sequence[str],
    budget: int,
    *,
    words: Callable[[str], int],
    position_weight: float = POSITION_WEIGHT,
    redundancy: float = REDUNDANCY,
    seed_sections: Iterable[str] = (),
) -> list[int]:
    """The ids to keep within ``budget`` words, in the order chosen.

    ``ids`` are in text order; ``sections`` gives each one's section. Sections named in
    ``seed_sections`` that have candidates get their best candidate first.
    """
    if not ids:
        return []
    vectors = tfidf(texts)
    central = centrality(vectors)
    last = max(1, len(ids) - 1)
    score = [c + position_weight * (1 - i / last) for i, c in enumerate(central)]
    chosen: list[int] = []
    used = 0

    def gain(i: int) -> float:
        if not chosen:
            return score[i]
        overlap = max(cosine(vectors[i], vectors[j]) for j in chosen)
        return score[i] - redundancy * overlap

    def take(i: int) -> bool:
        nonlocal used
        size = words(texts[i])
        if used + size > budget:
            return False
        chosen.append(i)
        used += size
        return True

    for section in seed_sections:
        members = [i for i in range(len(ids)) if sections[i] == section and i not in chosen]
        for i in sorted(members, key=gain, reverse=True):
            if take(i):
                break
    remaining = [i for i in range(len(ids)) if i not in chosen]
    while remaining:
        best = max(remaining, key=gain)
        remaining.remove(best)
        take(best)
    return [ids[i] for i in chosen]
