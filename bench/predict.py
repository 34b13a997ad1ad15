"""How well ``briefer brief --dry-run`` predicts an embedded run's seconds (issue 25: within 25 %).

    .venv/bin/python bench/predict.py [INPUT …] [--runs 2] [--groups 1]

With no INPUT, the seed article. Each round asks ``--dry-run`` for the predicted total, then runs
the same command for real (Markdown and PDF, on the embedded model, the user's cache so the stored
speed is the user's) and times the whole process. With no speed stored yet, one unmeasured run
comes first, as a user's first brief would. ``--groups N`` splits the inputs into N commands of
equal size and predicts each, so that runs of one input and of several are both checked.

Printed per command: predicted and measured seconds and their ratio, then the largest error.
Run it on an idle machine: another process on the cores slows the model and the error is that.

Measured (docs/scaling.md, "How long an embedded run takes"): the seed 0.94, 1.10 and 1.19 of
the measured seconds, three dev texts in one command 1.02.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFER = str(Path(sys.executable).with_name("briefer"))
SEED = ROOT / "seeds" / "000_df112d5052861120.txt"


def run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run([BRIEFER, *args], capture_output=True, text=True, check=False, env=_env())
    return time.monotonic() - started, done


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    env["COLUMNS"] = "200"  # one line per table row
    return env


def predicted(inputs: list[str]) -> float | None:
    _, done = run(["brief", *inputs, "--dry-run"])
    if done.returncode != 0:
        sys.exit(f"dry run failed: {done.stderr.strip()}")
    rows = [line for line in done.stdout.splitlines() if "│" in line]
    if not rows or "time: at the speed measured" not in done.stdout:
        return None
    return float(rows[-1].split("│")[-2].strip().replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", default=[str(SEED)])
    parser.add_argument("--runs", type=int, default=2, help="rounds per command")
    parser.add_argument("--groups", type=int, default=1, help="split the inputs into N commands")
    args = parser.parse_args()
    size = -(-len(args.inputs) // args.groups)
    groups = [args.inputs[i : i + size] for i in range(0, len(args.inputs), size)]
    out = Path(tempfile.mkdtemp(prefix="briefer-predict-"))
    if predicted(groups[0]) is None:
        seconds, done = run(["brief", *groups[0], "-o", str(out)])
        print(f"no speed stored yet: a first run to measure it ({seconds:.1f} s)")
        if done.returncode != 0:
            sys.exit(f"the run failed: {done.stderr.strip()}")
    errors = []
    for group in groups:
        label = Path(group[0]).name + (f" and {len(group) - 1} more" if len(group) > 1 else "")
        for n in range(args.runs):
            guess = predicted(group)
            seconds, done = run(["brief", *group, "-o", str(out)])
            if done.returncode != 0:
                sys.exit(f"the run failed: {done.stderr.strip()}")
            assert guess is not None
            errors.append(abs(guess / seconds - 1))
            print(
                f"{label} (round {n + 1}): predicted {guess:.0f} s, measured {seconds:.1f} s, "
                f"ratio {guess / seconds:.2f}"
            )
    print(f"largest error: {max(errors) * 100:.0f} % (target ≤ 25 %)")


if __name__ == "__main__":
    main()
