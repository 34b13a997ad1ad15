"""Same-story grouping: which articles of a batch cover the same event.

Offline, on the CPU and deterministic: pair scores from the batch's own statistics
(``stories.similarity``) and from what the texts mean (``stories.meaning``), then
average-linkage clustering stopped at a threshold calibrated per method (``stories.linkage``).
``scripts/grouping_table.py`` measures the methods on the labelled batches and prints the table
of ``docs/morning.md`` ("Grouping"); ``bench/grouping.py`` prints margins and times 200 articles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from briefer.models import Article
from briefer.stories.linkage import Linkage, cluster
from briefer.stories.similarity import DUPLICATE, Batch


@dataclass(frozen=True)
class Method:
    """A way to score a pair, and the score from which a pair counts as one story."""

    name: str
    summary: str
    threshold: float
    score: Callable[[Batch, int, int], float]


def _plain(b: Batch, i: int, j: int) -> float:
    return b.plain(i, j) * b.date_factor(i, j)


def _names(b: Batch, i: int, j: int) -> float:
    return b.names(i, j) * b.date_factor(i, j)


def _keywords(b: Batch, i: int, j: int) -> float:
    return b.keywords(i, j) * b.date_factor(i, j)


def _shingles(b: Batch, i: int, j: int) -> float:
    return b.shingle(i, j)


def _stories(b: Batch, i: int, j: int) -> float:
    # Reprints score 1 (they group unless published weeks apart: a template reused, as the
    # drawdown memorandums are, is another story); everything else by salient words.
    if b.shingle(i, j) >= DUPLICATE:
        return b.date_factor(i, j)
    return _keywords(b, i, j)


def _meaning(b: Batch, i: int, j: int) -> float:
    return b.meaning(i, j) * b.date_factor(i, j)


# The combined score: salient words, plus MEANING_WEIGHT × how far the texts' meaning cosine
# rises above MEANING_FLOOR. Meaning only adds: on the dev corpus the two pairs of different
# stories that words merged (a Taiwan call readout and an overview of US-China relations;
# Pakistan's threat to deport Afghans and Rubio on terrorist havens in Afghanistan) mean much
# the same (0.69, 0.65) — same topic, other event — so meaning cannot part them; what parts them
# is a higher bar for words alone (0.27; they score 0.238 and 0.208), and meaning lifts the
# same-story pairs that words alone would then lose (June's sanctions-evasion fact sheet and the
# two State releases on it: words 0.22, meaning 0.84). Scanned: weight 0.25-2, floor 0.4-0.8,
# threshold 0.20-0.35 against morning-dev, June, May and dev (scripts/grouping_table.py);
# weights 0.75-2 with floors 0.65-0.75 and thresholds 0.27-0.28 all give the same partitions
# (every dev text alone, morning-dev exact, June as before, May 15 of 23); these are the middle.
# On a week held out from that scan (tests/data/grouping-april) meaning cost one story: 16 of
# 22 against 18 by words alone (docs/morning.md, "Grouping").
MEANING_FLOOR = 0.70
MEANING_WEIGHT = 1.0


def _combined(b: Batch, i: int, j: int) -> float:
    if b.shingle(i, j) >= DUPLICATE:
        return b.date_factor(i, j)
    bonus = MEANING_WEIGHT * max(0.0, b.meaning(i, j) - MEANING_FLOOR)
    return _keywords(b, i, j) + bonus * b.date_factor(i, j)


# Thresholds, from a scan of pairwise F1 over thresholds 0.10-0.40 in steps of 0.02 (margins as
# `bench/grouping.py` prints them) on morning-dev and on a June 2022 White House/State batch of
# 25 texts (7 stories, 8 single texts) taken from the same public archives as morning-dev:
# - keywords/stories 0.20: every threshold from 0.10 to 0.28 groups morning-dev exactly, 0.14 to
#   0.22 gives the June batch its best F1 (0.96); 0.20 sits 0.055 above morning-dev's highest
#   different-story pair (0.145, S3b-X2) and 0.087 below its lowest same-story pair (0.287,
#   S3a-S3b).
# - names 0.21 and tfidf 0.25: the best F1 on both sets (no threshold separates morning-dev).
# - shingles 0.30 (DUPLICATE): synthetic reprints score ≥ 0.47, different texts ≤ 0.10.
# - meaning 0.64: the best F1 on both sets (none separates morning-dev: its memorandum and the
#   statement on the same drawdown mean 0.34 alike, two different stories 0.72).
# - combined 0.27: see MEANING_FLOOR.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("tfidf", "(a) plain TF-IDF cosine over all words", 0.25, _plain),
        Method(
            "names",
            "(b) TF-IDF cosine of stems, names and numbers, boilerplate damped",
            0.21,
            _names,
        ),
        Method(
            "keywords",
            "(b') salient-word and headline coverage, boilerplate damped",
            0.20,
            _keywords,
        ),
        Method("shingles", "(c) word 5-gram Jaccard (reprints)", DUPLICATE, _shingles),
        Method("stories", "keywords, and reprints always together (words alone)", 0.20, _stories),
        Method("meaning", "(d) WordLlama whole-text cosine (meaning alone)", 0.64, _meaning),
        Method(
            "combined",
            "stories, plus meaning where it is close (default)",
            0.27,
            _combined,
        ),
    )
}
DEFAULT_METHOD = "combined"


class PairScore(BaseModel):
    """One pair's scores, for calibration and debugging."""

    i: int
    j: int
    score: float
    plain: float
    names: float
    keywords: float
    shingles: float
    meaning: float
    date_factor: float


def _canonical(articles: Sequence[Article]) -> list[int]:
    """The articles' indices in an order that does not depend on the input order."""
    return sorted(
        range(len(articles)),
        key=lambda i: (
            articles[i].text,
            articles[i].title or "",
            articles[i].date or "",
            articles[i].id,
            articles[i].origin,
        ),
    )


def _method(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown grouping method {name!r}: one of {', '.join(METHODS)}") from None


def group(
    articles: Sequence[Article],
    *,
    method: str = DEFAULT_METHOD,
    threshold: float | None = None,
    linkage: Linkage = "average",
) -> list[list[int]]:
    """Groups of indices into ``articles``, one group per story: every index in exactly one
    group, groups ordered by their first index, indices ascending. The partition is the same
    whatever the order of ``articles``."""
    chosen = _method(method)
    limit = chosen.threshold if threshold is None else threshold
    order = _canonical(articles)
    batch = Batch([articles[i] for i in order])
    groups = cluster(len(order), lambda a, b: chosen.score(batch, a, b), limit, linkage)
    return sorted(sorted(order[k] for k in g) for g in groups)


def pair_table(articles: Sequence[Article], *, method: str = DEFAULT_METHOD) -> list[PairScore]:
    """Every pair's scores under every method's features (``score`` is ``method``'s)."""
    chosen = _method(method)
    batch = Batch(articles)
    return [
        PairScore(
            i=i,
            j=j,
            score=chosen.score(batch, i, j),
            plain=batch.plain(i, j),
            names=batch.names(i, j),
            keywords=batch.keywords(i, j),
            shingles=batch.shingle(i, j),
            meaning=batch.meaning(i, j),
            date_factor=batch.date_factor(i, j),
        )
        for i in range(len(articles))
        for j in range(i + 1, len(articles))
    ]


def group_inputs(specs: list[str], load: Callable[[str], Article]) -> list[list[str]]:
    """The inputs, as given, grouped by story (``briefer group``): each spec is loaded with
    ``load`` and appears in exactly one group, in the order of the command line."""
    articles = [load(spec) for spec in specs]
    return [[specs[i] for i in g] for g in group(articles)]


def continuing(
    today: Sequence[Sequence[Article]],
    earlier: Sequence[Sequence[Article]],
    *,
    method: str = DEFAULT_METHOD,
) -> list[int | None]:
    """For each of today's groups, the earlier story (index into ``earlier``) it continues,
    or None. The rule is average linkage's own: the mean pair score between the two groups'
    articles reaches the method's threshold, scored on one batch of all of them (the batch's
    statistics decide which words are generic). The best-scoring earlier story wins."""
    chosen = _method(method)
    flat = [a for g in today for a in g] + [a for g in earlier for a in g]
    if not today or not earlier:
        return [None] * len(today)
    batch = Batch(flat)
    spans: list[range] = []
    start = 0
    for g in [*today, *earlier]:
        spans.append(range(start, start + len(g)))
        start += len(g)
    out: list[int | None] = []
    for mine in spans[: len(today)]:
        best: tuple[float, int] | None = None
        for e, theirs in enumerate(spans[len(today) :]):
            if not mine or not theirs:
                continue
            mean = sum(chosen.score(batch, i, j) for i in mine for j in theirs) / (
                len(mine) * len(theirs)
            )
            if mean >= chosen.threshold and (best is None or mean > best[0]):
                best = (mean, e)
        out.append(None if best is None else best[1])
    return out
