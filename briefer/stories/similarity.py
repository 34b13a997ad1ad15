"""Pair scores of a batch of articles, one function per grouping method.

Every statistic is taken over the batch itself (nothing is downloaded or bundled): document
frequency decides which words are generic *here* ("Secretary", "designating" in a batch of State
Department statements), and word 4-grams found in three or more texts are boilerplate
("For more information on today's action, please see…", "Antony J. Blinken, Secretary of
State"). Reprints of one text (shingle Jaccard ≥ ``DUPLICATE``) count once in these frequencies,
so that a wire story printed by five outlets does not make its own words look generic.

Meaning (``Batch.meaning``) is the one statistic not taken from the batch: the cosine of two
texts' WordLlama embeddings (``stories.meaning``), computed on first use only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from briefer.models import Article
from briefer.stories import features as F
from briefer.stories import meaning as M
from briefer.text.words import TOPIC_STOPWORDS

# Shingle Jaccard of two reprints of one text. Measured: synthetic reprints (outlet title and
# dateline, every fourth word of the opening dropped, half of them cut by 30 %, outlet
# boilerplate) of the 19 morning-dev and dev texts score 0.47-0.99 with their original; different
# texts score at most 0.017 in morning-dev and 0.094 in a June 2022 White House/State batch (two
# readouts cut from one template: "The below is attributable to Spokesperson Ned Price: …").
DUPLICATE = 0.3
# Word n-grams in at least this many texts (families of reprints) are boilerplate; their words
# weigh BOILERPLATE_WEIGHT instead of 1. Measured effect: small. The "names" method's highest
# different-story pair in the June batch drops from 0.232 to 0.216; the keyword method does not
# change (boilerplate words already have a low batch idf and never rank among the salient ones).
BOILERPLATE_NGRAM = 4
BOILERPLATE_DF = 3
BOILERPLATE_WEIGHT = 0.2
# A batch of fewer texts is treated as this many for inverse document frequency, so that the
# words two texts share still count in a batch of two (idf = ln((1+N)/(1+df))): with the
# batch's own size, every morning-dev story pair grouped alone scores 0 (shared words weigh 0).
MIN_BATCH = 10
# The salient words of a text: its KEYWORDS heaviest stems and names by TF-IDF. Measured on
# morning-dev (lowest same-story / highest different-story pair): 10 → 0.170 / 0.165, one story
# split; 20 → 0.287 / 0.145; 30 → 0.255 / 0.124 but the June batch's highest different-story
# pair rises from 0.208 to 0.249.
KEYWORDS = 20
# A headline is compared with the other text's headline and first LEAD content words. The whole
# text scores the same on morning-dev and June, but lets a 5,000-word transcript contain nearly
# any headline's words.
LEAD = 200
# Texts further apart than MAX_DAYS are rarely one story: their score is multiplied by
# (MAX_DAYS / days apart)², 0.25 at two weeks, 0.05 at a month. Missing dates are neutral. Even
# near-identical texts part at a few weeks: the White House's drawdown memorandums of 1 June and
# 1 August 2022 share 90 % of their shingles (one template, another amount) and are two stories.
MAX_DAYS = 7

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%m/%d/%Y")


def day_number(value: str | None) -> int | None:
    """An article's date as a day number, or None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if m := _ISO.search(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
        except ValueError:
            return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).date().toordinal()
        except ValueError:
            continue
    return None


def _idf(df: int, n: int) -> float:
    return math.log((1 + max(n, MIN_BATCH)) / (1 + df))


def _tf(count: float) -> float:
    return 1 + math.log(count) if count >= 1 else count


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two unit vectors held as dictionaries."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@dataclass(frozen=True)
class _Text:
    headline: list[str]
    lead: frozenset[str]
    raw: list[str]
    content: list[str | None]
    mentions: list[str]
    shingles: frozenset[str]
    day: int | None


def _prepare(article: Article) -> _Text:
    title = F.normalize(article.title) if article.title else None
    headline, body = F.headline_and_body(F.normalize(article.text), title)
    raw, content = F.tokens(body)
    head_raw, head_content = F.tokens(headline)
    head_terms = [c for c in head_content if c is not None]
    first = [c for c in content if c is not None][:LEAD]
    return _Text(
        headline=head_terms,
        lead=frozenset(head_terms) | frozenset(first),
        raw=raw,
        content=content,
        mentions=F.mentions(body),
        shingles=frozenset(F.shingles(head_raw + raw)),
        day=day_number(article.date),
    )


class _Families:
    """Union-find over reprints: texts whose shingle Jaccard reaches ``DUPLICATE``."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _family_df(keys: Sequence[set[str] | frozenset[str]], family: list[int]) -> Counter[str]:
    """How many families of reprints hold each key."""
    seen: dict[str, set[int]] = {}
    for keyset, fam in zip(keys, family, strict=True):
        for key in keyset:
            seen.setdefault(key, set()).add(fam)
    return Counter({key: len(fams) for key, fams in seen.items()})


Weighted = tuple[list[tuple[str, float]], float]  # (key, weight) pairs and their total


def _coverage(weighted: list[Weighted], present: list[frozenset[str]]) -> list[dict[int, float]]:
    """``out[i][j]``: the share of text i's weighted keys that text j has (absent: 0), through
    an inverted index, so that a batch costs its shared keys rather than all its pairs."""
    wanted = {key for words, _ in weighted for key, _ in words}
    postings: dict[str, list[int]] = {}
    for j, keys in enumerate(present):
        for key in keys & wanted:
            postings.setdefault(key, []).append(j)
    out: list[dict[int, float]] = []
    for words, total in weighted:
        acc: dict[int, float] = {}
        for key, w in words:
            for j in postings.get(key, ()):
                acc[j] = acc.get(j, 0.0) + w
        out.append({j: v / total for j, v in acc.items()} if total else {})
    return out


class Batch:
    """A batch of articles and the statistics all methods share. Each method's statistics are
    computed on first use."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._raw = [a.text for a in articles]
        self.texts = [_prepare(a) for a in articles]
        self.n = len(self.texts)
        self.jaccard = self._jaccard()
        families = _Families(self.n)
        for (i, j), value in self.jaccard.items():
            if value >= DUPLICATE:
                families.union(i, j)
        self.family = [families.find(i) for i in range(self.n)]
        self.n_families = len(set(self.family))

    # -- shingles ---------------------------------------------------------------------------

    def _jaccard(self) -> dict[tuple[int, int], float]:
        """Shingle Jaccard of every pair that shares a shingle (exact: at a few hundred texts
        MinHash would only approximate what set intersection computes in C at once)."""
        out: dict[tuple[int, int], float] = {}
        sets = [t.shingles for t in self.texts]
        for i in range(self.n):
            a = sets[i]
            for j in range(i + 1, self.n):
                b = sets[j]
                shared = len(a & b)
                if shared:
                    out[i, j] = shared / (len(a) + len(b) - shared)
        return out

    # -- (a) plain TF-IDF -------------------------------------------------------------------

    @cached_property
    def _plain(self) -> list[dict[str, float]]:
        counts = [Counter(w for w in t.raw if w not in TOPIC_STOPWORDS) for t in self.texts]
        df = Counter(w for c in counts for w in c)
        n = self.n
        return [
            _unit({w: k * (math.log((1 + n) / (1 + df[w])) + 1) for w, k in c.items()})
            for c in counts
        ]

    # -- (b) stems, names and numbers, boilerplate damped -----------------------------------

    @cached_property
    def _bags(self) -> list[dict[str, float]]:
        """Each text's weighted keys: ``t:`` content stems (boilerplate damped), one extra
        count for each headline stem, ``m:`` names, amounts, numbers and dates."""
        size = BOILERPLATE_NGRAM
        grams = [
            [" ".join(t.raw[i : i + size]) for i in range(len(t.raw) - size + 1)]
            for t in self.texts
        ]
        gram_df = _family_df([set(g) for g in grams], self.family)
        bags: list[dict[str, float]] = []
        for text, doc_grams in zip(self.texts, grams, strict=True):
            common = [False] * len(text.raw)
            for i, gram in enumerate(doc_grams):
                if gram_df[gram] >= BOILERPLATE_DF:
                    common[i : i + size] = [True] * size
            bag: dict[str, float] = {}
            for stem, is_common in zip(text.content, common, strict=True):
                if stem is not None:
                    key = "t:" + stem
                    bag[key] = bag.get(key, 0.0) + (BOILERPLATE_WEIGHT if is_common else 1.0)
            for key in ["t:" + stem for stem in text.headline] + ["m:" + m for m in text.mentions]:
                bag[key] = bag.get(key, 0.0) + 1.0
            bags.append(bag)
        return bags

    @cached_property
    def _weights(self) -> list[dict[str, float]]:
        df = _family_df([set(b) for b in self._bags], self.family)
        return [
            {key: _tf(c) * _idf(df[key], self.n_families) for key, c in bag.items()}
            for bag in self._bags
        ]

    @cached_property
    def _names(self) -> list[dict[str, float]]:
        return [_unit(w) for w in self._weights]

    @cached_property
    def _salient(self) -> list[dict[int, float]]:
        """Coverage of each text's KEYWORDS heaviest keys by every other text."""
        tops: list[Weighted] = []
        for weights in self._weights:
            ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:KEYWORDS]
            top = [(k, w) for k, w in ranked if w > 0]
            tops.append((top, sum(w for _, w in top)))
        return _coverage(tops, [frozenset(b) for b in self._bags])

    @cached_property
    def _headlines(self) -> list[dict[int, float]]:
        """Coverage of each headline by every other text's headline and opening. A headline
        word's weight is its rarity in the batch's texts times its rarity in its headlines, so
        that "Secretary Blinken's Meeting with …" and "Statement by President …" weigh little."""
        heads = _family_df([set(t.headline) for t in self.texts], self.family)
        texts = _family_df([t.lead for t in self.texts], self.family)
        n = self.n_families
        weighted: list[Weighted] = []
        for t in self.texts:
            words = [(w, _idf(texts[w], n) * _idf(heads[w], n)) for w in sorted(set(t.headline))]
            weighted.append((words, sum(w for _, w in words)))
        return _coverage(weighted, [t.lead for t in self.texts])

    # -- (d) meaning ------------------------------------------------------------------------

    @cached_property
    def _meaning(self) -> M.Vectors | None:
        """Each text's unit embedding (the whole text, title line included), or None when the
        model is unavailable (every meaning score is then 0)."""
        return M.embed(self._raw)

    # -- scores -----------------------------------------------------------------------------

    def date_factor(self, i: int, j: int) -> float:
        """1 within MAX_DAYS or without both dates, then (MAX_DAYS / days apart)²."""
        a, b = self.texts[i].day, self.texts[j].day
        if a is None or b is None or abs(a - b) <= MAX_DAYS:
            return 1.0
        return (MAX_DAYS / abs(a - b)) ** 2

    def plain(self, i: int, j: int) -> float:
        """(a) Cosine of plain TF-IDF vectors (raw counts, smoothed idf) over all words but
        English stopwords, as scikit-learn's TfidfVectorizer(stop_words="english") computes."""
        return cosine(self._plain[i], self._plain[j])

    def names(self, i: int, j: int) -> float:
        """(b) Cosine of TF-IDF vectors of stems, names and numbers, boilerplate damped."""
        return cosine(self._names[i], self._names[j])

    def keywords(self, i: int, j: int) -> float:
        """(b') How much of each text's salient words the other has (geometric mean of both
        directions), averaged with how much of each headline the other's opening has (the
        smaller direction). Measured, lowest same-story / highest different-story pair on
        morning-dev: salient words alone 0.234 / 0.136, headlines alone 0.341 / 0.153 (but
        June's "Secretary Blinken's Meeting with …" headlines cut its F1 to 0.76), the average
        0.287 / 0.145 with F1 0.96 on June."""
        salient = math.sqrt(self._salient[i].get(j, 0.0) * self._salient[j].get(i, 0.0))
        if not (self.texts[i].headline and self.texts[j].headline):
            return salient  # a text without a headline: its salient words alone
        heads = min(self._headlines[i].get(j, 0.0), self._headlines[j].get(i, 0.0))
        return (salient + heads) / 2

    def meaning(self, i: int, j: int) -> float:
        """(d) Cosine of the two texts' WordLlama embeddings: what they are about."""
        vectors = self._meaning
        if vectors is None:
            return 0.0
        return float(vectors[i] @ vectors[j])

    def shingle(self, i: int, j: int) -> float:
        """(c) Jaccard of word 5-gram sets: reprints of one text."""
        return self.jaccard.get((min(i, j), max(i, j)), 0.0)
