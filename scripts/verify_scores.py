"""How often the verifier agrees with a careful human checker, per kind of statement.

Reads tests/data/verify_cases.jsonl (hand-written statements, the sentences they cite, and the
label a human gives them) and prints the accuracy per kind and overall as a Markdown table for
docs/grounding.md. ``--misses`` also lists every case where the verifier and the label disagree.

    .venv/bin/python scripts/verify_scores.py [--misses] [CASES.jsonl]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from briefer.check.verify import check_statement
from briefer.text.sentences import Sentence

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "verify_cases.jsonl"


def verdict(case: dict[str, object]) -> tuple[str, list[str]]:
    """The verifier's status and problems for one case: its cited sentences are the statement's
    citations; the source is the cited sentences plus the case's extra source text."""
    cited = [str(t) for t in case["cited"]]  # type: ignore[attr-defined]
    sentences = [Sentence(id=i + 1, text=t, paragraph=0) for i, t in enumerate(cited)]
    source = " ".join([*cited, str(case.get("source") or "")]).strip()
    result = check_statement(str(case["statement"]), sentences, source)
    return result.status, result.problems


def load(path: Path = CASES) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


#: The one problem a paraphrase true to its source may still get: words the checks cannot find
#: in its cited sentences ("died" for "were killed"). "Partly supported" then says what the
#: checks could not judge, which is what a verification line must say; it is counted as agreeing
#: with a human's "supported", and ``cautious`` counts how often.
UNJUDGED = "words not in the cited sentences"


def agrees(case: dict[str, object], status: str, problems: list[str]) -> bool:
    return status == case["expected"] or cautious(case, status, problems)


def cautious(case: dict[str, object], status: str, problems: list[str]) -> bool:
    return (
        case["expected"] == "supported"
        and status == "partial"
        and all(p.startswith(UNJUDGED) for p in problems)
    )


def scores(cases: list[dict[str, object]]) -> dict[str, tuple[int, int]]:
    """Per kind: (cases the verifier labels as the human does, cases)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        status, problems = verdict(case)
        tally[str(case["kind"])][0] += agrees(case, status, problems)
        tally[str(case["kind"])][1] += 1
    return {kind: (right, total) for kind, (right, total) in tally.items()}


def table(result: dict[str, tuple[int, int]]) -> str:
    lines = ["| kind | cases | verifier agrees | accuracy |", "| --- | ---: | ---: | ---: |"]
    for kind, (right, total) in sorted(
        result.items(), key=lambda kv: (-kv[1][0] / kv[1][1], kv[0])
    ):
        lines.append(f"| {kind} | {total} | {right} | {right / total:.0%} |")
    right = sum(r for r, _ in result.values())
    total = sum(t for _, t in result.values())
    lines.append(f"| **all** | {total} | {right} | {right / total:.0%} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    misses = "--misses" in argv
    paths = [a for a in argv if a != "--misses"]
    cases = load(Path(paths[0]) if paths else CASES)
    print(table(scores(cases)))
    verdicts = [(case, *verdict(case)) for case in cases]
    careful = sum(cautious(case, status, problems) for case, status, problems in verdicts)
    print(f"\nOf the agreements, {careful} are “partly supported: {UNJUDGED}” for a case a")
    print("human calls supported: the checks could not judge those words.")
    if misses:
        print()
        for case, status, problems in verdicts:
            if not agrees(case, status, problems):
                print(f"- [{case['kind']}] expected {case['expected']}, got {status}: ", end="")
                print(f"{case['statement']}  {problems}  ({case['note']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
