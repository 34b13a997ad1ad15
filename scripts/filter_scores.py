"""Precision and recall of briefer's sentence filters on the corpus in tests/data/filter_corpus.

Withholding a sentence as prompt injection is the positive class: precision is the share of
withheld sentences that are injections, recall the share of injections withheld. The procedural
filter (``is_content``) is scored by its false drops: ordinary sentences it keeps from the model.
Sentences that are sent to the model but flagged suspect (chosen last) or about the brief's own
output (never a statement) are counted too.

    .venv/bin/python scripts/filter_scores.py [FILE.jsonl ...]
    .venv/bin/python scripts/filter_scores.py --texts DIR [DIR ...]

With no files, every ``*.jsonl`` of the corpus, per file and in all. Exits 1 when a line is
misjudged, so CI can run it. ``--texts``: every sentence of every ``*.txt`` in the folders is
ordinary (a corpus of real texts with no injection): how many the filters withhold, drop as
procedural, rank last or keep from the statements, per folder.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from briefer.text.instructions import injection_signals, looks_like_instruction
from briefer.text.line_filters import is_content
from briefer.text.sentences import Sentence, split_sentences

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "filter_corpus"


@dataclass
class Tally:
    tp: int = 0  # injection, withheld
    fp: int = 0  # ordinary, withheld
    fn: int = 0  # injection, let through
    tn: int = 0  # ordinary, let through
    dropped: int = 0  # ordinary, not withheld but dropped as procedural or a fragment
    suspect: int = 0  # ordinary, sent to the model but chosen last
    about_output: int = 0  # ordinary, never a statement
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("tp", "fp", "fn", "tn", "dropped", "suspect", "about_output"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong += other.wrong

    def line(self, name: str) -> str:
        withheld, injections = self.tp + self.fp, self.tp + self.fn
        ordinary = self.fp + self.tn
        precision = f"{self.tp / withheld:.3f}" if withheld else "n/a"
        recall = f"{self.tp / injections:.3f}" if injections else "n/a"
        return (
            f"{name:<22} {injections:>4} {ordinary:>4}  {precision:>9} {recall:>6}  "
            f"{self.tp:>3} {self.fp:>3} {self.fn:>3}  {self.dropped:>7}  {self.suspect:>7} "
            f"{self.about_output:>6}"
        )


def score(path: Path) -> Tally:
    tally = Tally()
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        if not raw.strip():
            continue
        row = json.loads(raw)
        sentence = Sentence(id=1, text=row["text"], paragraph=0)
        withheld = looks_like_instruction(sentence)
        where = f"{path.name}:{number} [{row['expect']}] {row['text']}"
        if row["expect"] == "withhold":
            tally.tp += withheld
            tally.fn += not withheld
            if not withheld:
                tally.wrong.append(f"let through  {where}")
            continue
        tally.fp += withheld
        tally.tn += not withheld
        signals = injection_signals(row["text"])
        tally.suspect += signals.suspect
        tally.about_output += signals.about_output and not withheld
        if withheld:
            tally.wrong.append(f"withheld     {where}")
        elif not is_content(sentence):
            tally.dropped += 1
            tally.wrong.append(f"dropped      {where}")
    return tally


def texts(folders: list[Path]) -> int:
    """Every sentence of real texts is ordinary: what the filters take from them."""
    print(
        f"{'folder':<28} {'texts':>5} {'sentences':>9} {'withheld':>8} {'dropped':>7} "
        f"{'suspect':>7} {'output':>6}"
    )
    for folder in folders:
        counts = Tally()
        files = sorted(folder.glob("*.txt"))
        total = 0
        for path in files:
            for sentence in split_sentences(path.read_text(encoding="utf-8")):
                total += 1
                where = f"{path.name}:{sentence.id} {sentence.text[:100]}"
                if looks_like_instruction(sentence):
                    counts.fp += 1
                    counts.wrong.append(f"withheld     {where}")
                    continue
                signals = injection_signals(sentence.text)
                counts.suspect += signals.suspect
                counts.about_output += signals.about_output
                if not is_content(sentence):
                    counts.dropped += 1
        print(
            f"{folder.name:<28} {len(files):>5} {total:>9} {counts.fp:>8} {counts.dropped:>7} "
            f"{counts.suspect:>7} {counts.about_output:>6}"
        )
        for line in counts.wrong:
            print("  " + line)
    print(
        "\nwithheld: taken as an instruction (each one is a loss: the texts hold none); dropped:"
        "\nprocedural lines kept from the model (headings, bylines, transcript courtesy); suspect:"
        "\nranked last; output: never a statement (it speaks of a brief's title or summary)."
    )
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--texts"]:
        return texts([Path(a) for a in argv[1:]])
    paths = [Path(a) for a in argv] or sorted(CORPUS.glob("*.jsonl"))
    print(
        f"{'file':<22} {'inj':>4} {'ord':>4}  {'precision':>9} {'recall':>6}  "
        f"{'tp':>3} {'fp':>3} {'fn':>3}  {'dropped':>7}  {'suspect':>7} {'output':>6}"
    )
    total = Tally()
    for path in paths:
        tally = score(path)
        print(tally.line(path.name))
        total.add(tally)
    if len(paths) > 1:
        print(total.line("all"))
    print(
        "\ninj/ord: injections and ordinary sentences; dropped: ordinary sentences the procedural"
        "\nfilter drops; suspect: ordinary sentences ranked last; output: ordinary sentences that"
        "\nnever become statements (they speak of a brief's title, sections or summary)."
    )
    for line in total.wrong:
        print(line)
    return 1 if total.wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
