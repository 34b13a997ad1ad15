"""Same-story grouping: scores of every method, and seconds to group 200 articles.

    .venv/bin/python bench/grouping.py                      # corpora in ../shared/eval
    .venv/bin/python bench/grouping.py --eval DIR           # another folder with morning-dev, dev
    .venv/bin/python bench/grouping.py --corpus DIR ...     # more corpora (GROUPS.json, dates)
    .venv/bin/python bench/grouping.py --time-only

For each method and calibration set it prints pairwise precision, recall, F1, exactly right
groups, and the lowest same-story and highest different-story pair score (their difference is
the margin a threshold has). The sets:

- morning-dev: 11 texts, 7 stories (``GROUPS.json``), dates from its README;
- dev+reprints: the 8 dev texts (all different stories) and a synthetic reprint of each (new
  title and opening, outlet boilerplate, a day later, some cut short): 8 pairs that must group;
- far-apart: morning-dev with the last text of each story moved 30 days later: it stands alone.

Then it times ``group()`` on 200 articles: the 19 texts of morning-dev and dev, each repeated
as reprints from different outlets (deterministic), and scores that grouping too.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from briefer.check.grouping_scores import gold_groups, pair_scores, readme_dates
from briefer.inputs.sources import load
from briefer.models import Article
from briefer.stories.grouping import METHODS, group
from briefer.stories.similarity import Batch

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
OUTLETS = ("Northwire", "Capital Desk", "Gazette Online", "Metro Ledger", "World Brief")


def load_corpus(folder: Path) -> tuple[list[Article], list[list[int]]]:
    """A corpus's texts (dates from the README table or front matter) and its gold groups."""
    dates = readme_dates(folder)
    paths = sorted(folder.glob("*.txt"))
    articles = []
    for p in paths:
        article = load(str(p))
        if p.name in dates:
            article = article.model_copy(update={"date": dates[p.name]})
        articles.append(article)
    index = {p.name: i for i, p in enumerate(paths)}
    return articles, [[index[name] for name in g] for g in gold_groups(folder)]


def _shift(day: str | None, days: int) -> str | None:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat() if day else None


def reprint(article: Article, rng: random.Random, outlet: str) -> Article:
    """A syndicated copy: the outlet's title and dateline, the opening paragraph with some
    words dropped, maybe the last paragraphs cut, the outlet's boilerplate, a day later."""
    lines = [ln for ln in article.text.splitlines() if ln.strip()]
    title = article.title or lines[0]
    body = lines[1:] if lines and lines[0] == article.title else lines
    opening = [w for k, w in enumerate(body[0].split()) if k % 4 != 3] if body else []
    rest = body[1:]
    if len(rest) > 4 and rng.random() < 0.5:
        rest = rest[: max(3, int(len(rest) * 0.7))]
    text = "\n\n".join(
        [
            f"{title} | {outlet}",
            f"WASHINGTON ({outlet}) — " + " ".join(opening),
            *rest,
            f"Copyright {outlet}. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed.",
            f"Follow {outlet} for the latest updates on this story.",
        ]
    )
    return Article(
        id=f"{article.id}-{outlet.lower().replace(' ', '-')}-{rng.randrange(10**6)}",
        text=text,
        title=f"{title} | {outlet}",
        outlet=outlet,
        date=_shift(article.date, 1),
        origin=f"{article.origin}#{outlet}",
    )


def calibration_sets(corpora: Path) -> dict[str, tuple[list[Article], list[list[int]]]]:
    md, md_gold = load_corpus(corpora / "morning-dev")
    dev, _ = load_corpus(corpora / "dev")
    rng = random.Random(11)
    copies = [reprint(a, rng, OUTLETS[k % len(OUTLETS)]) for k, a in enumerate(dev)]
    n = len(dev)
    far = list(md)
    far_gold = []
    for g in md_gold:
        if len(g) > 1:
            last = g[-1]
            far[last] = far[last].model_copy(update={"date": _shift(far[last].date, 30)})
            far_gold += [g[:-1], [last]]
        else:
            far_gold.append(g)
    return {
        "morning-dev": (md, md_gold),
        "dev+reprints": (dev + copies, [[k, n + k] for k in range(n)]),
        "far-apart": (far, far_gold),
    }


def corpus_200(corpora: Path) -> tuple[list[Article], list[list[int]]]:
    """200 articles: 19 texts and their reprints, with the morning-dev stories kept together."""
    md, md_gold = load_corpus(corpora / "morning-dev")
    dev, _ = load_corpus(corpora / "dev")
    base = md + dev
    story = {i: k for k, g in enumerate(md_gold) for i in g}
    story.update({len(md) + i: len(md_gold) + i for i in range(len(dev))})
    rng = random.Random(200)
    articles = list(base)
    labels = [story[i] for i in range(len(base))]
    k = 0
    while len(articles) < 200:
        i = k % len(base)
        articles.append(reprint(base[i], rng, OUTLETS[(k // len(base)) % len(OUTLETS)]))
        labels.append(story[i])
        k += 1
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    return articles, list(groups.values())


def margin(articles: Sequence[Article], gold: list[list[int]], method: str) -> tuple[float, float]:
    """The lowest same-story and the highest different-story pair score."""
    label = {i: k for k, g in enumerate(gold) for i in g}
    batch = Batch(articles)
    score = METHODS[method].score
    same, diff = [1.0], [0.0]
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            (same if label[i] == label[j] else diff).append(score(batch, i, j))
    return min(same), max(diff)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help="holds morning-dev/ and dev/")
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--time-only", action="store_true")
    args = parser.parse_args()
    if not (args.eval / "morning-dev").is_dir():
        print(f"no corpus at {args.eval}", file=sys.stderr)
        return 2
    if not args.time_only:
        sets = calibration_sets(args.eval)
        for folder in args.corpus:
            sets[folder.name] = load_corpus(folder)
        print(
            f"{'method':9} {'set':14} {'thr':>5} {'P':>5} {'R':>5} {'F1':>5} {'exact':>6} "
            f"{'min same':>8} {'max diff':>8} {'margin':>7}"
        )
        for name, method in METHODS.items():
            for set_name, (articles, gold) in sets.items():
                s = pair_scores(gold, group(articles, method=name))
                low, high = margin(articles, gold, name)
                print(
                    f"{name:9} {set_name:14} {method.threshold:5.2f} {s['precision']:5.2f} "
                    f"{s['recall']:5.2f} {s['f1']:5.2f} {s['exact']:>3}/{s['gold_groups']:<2} "
                    f"{low:8.3f} {high:8.3f} {low - high:+7.3f}"
                )
    articles, gold = corpus_200(args.eval)
    group(articles[:20])  # warm up imports and caches
    times = []
    for _ in range(3):
        start = time.perf_counter()
        groups = group(articles)
        times.append(time.perf_counter() - start)
    s = pair_scores(gold, groups)
    words = sum(len(a.text.split()) for a in articles)
    print(
        f"\n{len(articles)} articles ({words} words): group() took {min(times):.2f} s "
        f"(best of 3; worst {max(times):.2f} s); P={s['precision']:.2f} R={s['recall']:.2f} "
        f"F1={s['f1']:.2f} exact {s['exact']}/{s['gold_groups']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
