#!/usr/bin/env python3
"""Print the grouping table of docs/morning.md ("Grouping"): method × labelled batch.

    .venv/bin/python scripts/grouping_table.py                  # corpora in ../shared/eval
    .venv/bin/python scripts/grouping_table.py --eval DIR       # another shared/eval folder
    .venv/bin/python scripts/grouping_table.py --corpus DIR ... # more labelled batches
    .venv/bin/python scripts/grouping_table.py --merge          # meaning in "one fact once"

Methods: words alone (``stories``, briefer's grouping before issue 24), meaning alone
(``meaning``, WordLlama whole-text cosine), and the two combined (``combined``, the default).
Batches: morning-dev (7 stories), tests/data/grouping-june, grouping-may and grouping-april (built
after the combined method's constants were fixed: held out), the 27 dev texts
(every one a story of its own), and the dev texts each with a synthetic reprint (27 stories of
two: what the reprint rule must keep together). A batch's dates come from its README table or
from each file's front matter. Each cell: gold stories grouped exactly right (n/N), pairwise
precision and recall (precision 1.00 when nothing is linked, recall 1.00 when the gold links
nothing).

``--merge`` measures meaning where a story's sources are merged (``stories/merge.py``): over every
gold story of the batches, the pairs of sentences from different sources that the merge rule
calls one fact, their cosine by meaning, and the other pairs at ``--at`` or more by meaning,
printed in full to be read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.check.grouping_scores import (  # noqa: E402
    PairScores,
    gold_groups,
    pair_scores,
    readme_dates,
    reprint,
)
from briefer.inputs.sources import load  # noqa: E402
from briefer.models import Article  # noqa: E402
from briefer.stories import meaning, merge  # noqa: E402
from briefer.stories.grouping import group  # noqa: E402

METHODS = (
    ("stories", "words alone (before)"),
    ("meaning", "meaning alone"),
    ("combined", "combined (shipped)"),
)
OUTLETS = ("Northwire", "Capital Desk", "Gazette Online", "Metro Ledger", "World Brief")


def corpus(folder: Path) -> list[Article]:
    dates = readme_dates(folder)
    out = []
    for path in sorted(folder.glob("*.txt")):
        article = load(str(path))
        if path.name in dates:
            article = article.model_copy(update={"date": dates[path.name]})
        out.append(article)
    return out


def key(article: Article) -> str:
    return Path(article.origin).name


def scores(gold: list[list[str]], articles: list[Article], method: str) -> PairScores:
    predicted = [[key(articles[i]) for i in g] for g in group(articles, method=method)]
    return pair_scores(gold, predicted)


def cell(s: PairScores) -> str:
    return f"{s['exact']}/{s['gold_groups']} · P {s['precision']:.2f} · R {s['recall']:.2f}"


def merge_report(
    batches: list[tuple[str, Path]], loaded: dict[str, list[Article]], at: float
) -> None:
    from briefer.brief.ranking import cosine, tfidf
    from briefer.brief.statements import statement
    from briefer.stages import content as _content

    same: list[float] = []
    others: list[tuple[float, float, str, str]] = []
    pairs = stories = 0
    for name, folder in batches:
        by_name = {Path(a.origin).name: a for a in loaded[name]}
        for gold in gold_groups(folder):
            if len(gold) < 2:
                continue
            stories += 1
            articles = merge.in_time_order([by_name[f] for f in gold])
            story = merge.build([(a, *_content(a)[:2]) for a in articles])
            relations = merge.Relations(story)
            texts = [statement(s) for s in story.sentences]
            words, vectors = tfidf(texts), meaning.embed(texts)
            assert vectors is not None, "the meaning model did not load"
            ids = [s.id for s in story.sentences]
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    if story.refs[ids[a]].source == story.refs[ids[b]].source:
                        continue
                    pairs += 1
                    by_meaning = float(vectors[a] @ vectors[b])
                    if relations.is_same(ids[a], ids[b]):
                        same.append(by_meaning)
                    elif by_meaning >= at:
                        tf = cosine(words[a], words[b])
                        others.append((by_meaning, tf, texts[a], texts[b]))
    same.sort()
    print(f"{stories} stories, {pairs} pairs of sentences from different sources")
    print(
        f"one fact by the merge rule: {len(same)} pairs, meaning {same[0]:.2f}-{same[-1]:.2f} "
        f"(median {same[len(same) // 2]:.2f})"
    )
    print(f"other pairs with meaning >= {at:.2f}: {len(others)}")
    for by_meaning, tf, first, second in sorted(others, reverse=True):
        print(f"\n- meaning {by_meaning:.2f}, TF-IDF {tf:.2f}\n  {first}\n  {second}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--corpus", type=Path, nargs="*", default=[])
    parser.add_argument("--merge", action="store_true", help="meaning in merged briefs instead")
    parser.add_argument("--at", type=float, default=0.70, help="--merge: pairs to print")
    args = parser.parse_args()
    batches = [
        ("morning-dev", args.eval / "morning-dev"),
        ("grouping-june", ROOT / "tests" / "data" / "grouping-june"),
        ("grouping-may", ROOT / "tests" / "data" / "grouping-may"),
        ("grouping-april, held out", ROOT / "tests" / "data" / "grouping-april"),
        ("dev", args.eval / "dev"),
        *((p.name, p) for p in args.corpus),
    ]
    batches = [(name, folder) for name, folder in batches if any(folder.glob("*.txt"))]
    loaded = {name: corpus(folder) for name, folder in batches}
    if args.merge:
        merge_report(batches, loaded, args.at)
        return
    golds = {name: gold_groups(folder) for name, folder in batches}
    if "dev" in loaded:
        # Every dev text and a reprint of it from another outlet: 27 stories of two texts.
        copies = [reprint(a, OUTLETS[k % len(OUTLETS)]) for k, a in enumerate(loaded["dev"])]
        loaded["dev + reprints"] = [*loaded["dev"], *copies]
        golds["dev + reprints"] = [
            [key(a), key(c)] for a, c in zip(loaded["dev"], copies, strict=True)
        ]
    header = ["method", *(f"{name} ({len(loaded[name])} texts)" for name in loaded)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    seconds: dict[str, float] = {}
    for method, label in METHODS:
        row = [f"{label} `{method}`"]
        start = time.perf_counter()
        for name, articles in loaded.items():
            row.append(cell(scores(golds[name], articles, method)))
        seconds[method] = time.perf_counter() - start
        print("| " + " | ".join(row) + " |")
    total = sum(len(a) for name, a in loaded.items() if name != "dev + reprints")
    print()
    print(
        f"Seconds for the {total} texts, all batches: "
        + ", ".join(f"{m} {s:.2f}" for m, s in seconds.items())
        + " (meaning's first use loads the model)."
    )


if __name__ == "__main__":
    main()
