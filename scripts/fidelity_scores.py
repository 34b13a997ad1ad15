"""How often the fidelity checks judge a line as a careful analyst does, per defect class.

Reads tests/data/fidelity_cases.jsonl (titles, bottom lines and statements drawn from the 27 dev
texts, each with the source sentences it rests on and a class: negation_flipped,
action_not_in_source, actor_swapped, modality_dropped, speaker_lost, fragment, or faithful) and
prints, per class, how many cases the checks flag (a defect) or pass (faithful) as labelled, as a
Markdown table for docs/grounding.md. ``--misses`` lists the cases where they disagree.

    .venv/bin/python scripts/fidelity_scores.py [--misses] [CASES.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from briefer.check import fidelity
from briefer.check.verify import check_statement
from briefer.text.sentences import Sentence

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "fidelity_cases.jsonl"


def load(path: Path = CASES) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def problems(case: dict[str, object]) -> list[str]:
    """Every problem the checks find in one case, by its role: a title gets the meaning checks
    (``fidelity.meaning_problems``), a bottom line or statement also the form checks and the
    verifier's attribution check."""
    text, role = str(case["text"]), case["role"]
    cited = [str(c) for c in case["cited"]]  # type: ignore[attr-defined]
    found = [str(p) for p in fidelity.meaning_problems(text, cited, title=role == "title")]
    if role != "title":
        found += [str(p) for p in fidelity.form_problems(text, cited)]
        sentences = [Sentence(id=i, text=t, paragraph=0) for i, t in enumerate(cited, start=1)]
        result = check_statement(text, sentences, " ".join(cited))
        found += [p for p in result.problems if "attribution" in p]
    return found


def right(case: dict[str, object]) -> bool:
    return bool(problems(case)) == (case["expected"] == "unfaithful")


def scores(cases: list[dict[str, object]]) -> dict[str, tuple[int, int]]:
    """Per class: (cases judged as labelled, cases)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        tally[str(case["class"])][0] += right(case)
        tally[str(case["class"])][1] += 1
    return {kind: (ok, total) for kind, (ok, total) in tally.items()}


def table(result: dict[str, tuple[int, int]]) -> str:
    lines = ["| class | cases | judged as labelled | accuracy |", "| --- | ---: | ---: | ---: |"]
    for kind, (ok, total) in sorted(result.items()):
        lines.append(f"| {kind} | {total} | {ok} | {ok / total:.0%} |")
    ok = sum(r for r, _ in result.values())
    total = sum(t for _, t in result.values())
    lines.append(f"| **all** | {total} | {ok} | {ok / total:.0%} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    misses = "--misses" in argv
    paths = [a for a in argv if a != "--misses"]
    cases = load(Path(paths[0]) if paths else CASES)
    print(table(scores(cases)))
    if misses:
        print()
        for case in cases:
            if not right(case):
                print(f"- [{case['class']}, {case['role']}, {case['file']}] {case['text']}")
                print(f"  found: {problems(case)}; note: {case['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
