"""Benchmark briefer on a corpus: calls, tokens, seconds per brief, and pipeline overhead.

Overhead is everything except waiting for the model (sentence splitting, planning and token
counting, composing, verifying, rendering Markdown/JSON/PDF, writing) as a share of the total.
Model answers are never cached here: every brief calls the model.

    .venv/bin/python bench/bench.py eval/sample                    # embedded model
    .venv/bin/python bench/bench.py CORPUS --base-url URL --model M  # any endpoint
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from briefer import Briefer, load_article, load_settings
from briefer.model.local_server import endpoint


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of *.txt files")
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    args = parser.parse_args()
    texts = sorted(args.corpus.glob("*.txt"))
    if not texts:
        print(f"no *.txt in {args.corpus}", file=sys.stderr)
        return 2
    settings = load_settings({"base_url": args.base_url, "model": args.model})
    started = time.monotonic()
    rows = []
    with endpoint(settings) as active, tempfile.TemporaryDirectory() as out:
        start_seconds = time.monotonic() - started
        briefer = Briefer(active)
        for path in texts:
            t0 = time.monotonic()
            brief = briefer.brief(load_article(str(path)))
            briefer.write(brief, out, path.stem)
            total = time.monotonic() - t0
            usage = brief.meta.usage
            rows.append(
                (
                    path.name,
                    brief.meta.chunks,
                    usage.calls,
                    usage.prompt_tokens,
                    usage.completion_tokens,
                    total,
                    total - usage.model_seconds,
                )
            )
    print(f"model server start: {start_seconds:.1f} s (once per command; not in the rows)")
    header = (
        "text",
        "parts",
        "calls",
        "tokens in",
        "tokens out",
        "seconds",
        "overhead s",
        "overhead %",
    )
    print(" | ".join(header))
    for name, parts, calls, tin, tout, total, overhead in rows:
        print(
            f"{name} | {parts} | {calls} | {tin} | {tout} | {total:.1f} | {overhead:.2f} | "
            f"{100 * overhead / total:.1f}%"
        )
    total = sum(r[5] for r in rows)
    overhead = sum(r[6] for r in rows)
    print(
        f"all | {sum(r[1] for r in rows)} | {sum(r[2] for r in rows)} | "
        f"{sum(r[3] for r in rows)} | {sum(r[4] for r in rows)} | {total:.1f} | "
        f"{overhead:.2f} | {100 * overhead / total:.1f}%"
    )
    print(
        f"mean seconds per brief: {total / len(rows):.1f}; pipeline overhead "
        f"{100 * overhead / total:.1f}% of the total (target: under 5%)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
