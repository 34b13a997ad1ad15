"""Grouping scores against a gold partition: pairwise precision, recall, F1 and exact groups.

Pairwise: every pair of items placed in one group is a predicted link, every pair in one gold
group a true link. Precision = true links predicted / links predicted (1.0 when nothing is
linked), recall = true links predicted / true links (1.0 when the gold has none). Exact groups:
gold groups that appear, member for member, among the predicted groups (singletons included).

Also reads the corpus format of ``shared/eval/morning-dev`` (``GROUPS.json`` and the README's
file table with dates), so that the tests and ``bench/grouping.py`` read it one way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict

from briefer.models import Article


class PairScores(TypedDict):
    precision: float
    recall: float
    f1: float
    exact: int
    gold_groups: int
    predicted_groups: int


def _links(groups: Iterable[Iterable[Hashable]]) -> set[frozenset[Hashable]]:
    out: set[frozenset[Hashable]] = set()
    for group in groups:
        members = list(dict.fromkeys(group))
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                out.add(frozenset((members[a], members[b])))
    return out


def pair_scores(
    gold_groups: Sequence[Sequence[Hashable]], predicted_groups: Sequence[Sequence[Hashable]]
) -> PairScores:
    """Pairwise precision, recall, F1 and the number of exactly right groups."""
    gold, predicted = _links(gold_groups), _links(predicted_groups)
    right = len(gold & predicted)
    precision = right / len(predicted) if predicted else 1.0
    recall = right / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    predicted_sets = {frozenset(g) for g in predicted_groups}
    exact = sum(frozenset(g) in predicted_sets for g in gold_groups)
    return PairScores(
        precision=precision,
        recall=recall,
        f1=f1,
        exact=exact,
        gold_groups=len(gold_groups),
        predicted_groups=len(predicted_groups),
    )


def gold_groups(corpus: Path) -> list[list[str]]:
    """``GROUPS.json`` of a corpus as groups of file names: stories, then singletons; a corpus
    without one is all singletons (every ``*.txt`` a story of its own)."""
    path = corpus / "GROUPS.json"
    if not path.exists():
        return [[p.name] for p in sorted(corpus.glob("*.txt"))]
    data = json.loads(path.read_text(encoding="utf-8"))
    stories = [list(files) for files in data.get("stories", {}).values()]
    return stories + [[name] for name in data.get("singletons", [])]


_TABLE_ROW = re.compile(r"^\|\s*([^|\s]+\.txt)\s*\|(.*)$")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def readme_dates(corpus: Path) -> dict[str, str]:
    """File name → publication date, from the first ISO date on the file's row of the
    corpus README's table (morning-dev and dev keep the dates there, not in the texts)."""
    readme = corpus / "README.md"
    if not readme.exists():
        return {}
    dates: dict[str, str] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        if (row := _TABLE_ROW.match(line.strip())) and (found := _DATE.search(row.group(2))):
            dates[row.group(1)] = found.group(1)
    return dates


def reprint(article: Article, outlet: str) -> Article:
    """A syndicated copy of ``article`` for the grouping tests and tables: the outlet's title and
    dateline, the opening with every third word dropped, the outlet's boilerplate, a day later."""
    paragraphs = [p for p in article.text.split("\n") if p.strip()][1:]
    opening = " ".join(w for k, w in enumerate(paragraphs[0].split()) if k % 3 != 2)
    text = "\n\n".join(
        [
            f"{article.title} - {outlet}",
            f"WASHINGTON ({outlet}) - {opening}",
            *paragraphs[1:],
            f"Copyright {outlet}. All rights reserved. Follow {outlet} for the latest news.",
        ]
    )
    day = None
    if article.date:
        day = (date.fromisoformat(article.date[:10]) + timedelta(days=1)).isoformat()
    return Article(
        id=article.id + "-copy",
        text=text,
        title=f"{article.title} - {outlet}",
        date=day,
        origin=article.origin + "#copy",
    )
