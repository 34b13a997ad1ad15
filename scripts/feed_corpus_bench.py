"""Every file of a feed corpus through ``read_feed_file``: what was read, what failed and why,
and how long it took.

    .venv/bin/python scripts/feed_corpus_bench.py [FOLDER] [--repeat N]

FOLDER defaults to feedparser's test corpus in ``tests/data/feedparser``. Prints the number of
files, feeds read (with and without a warning), entries, failures grouped by message (the file
name and line numbers taken out), the slowest file, and the total seconds (best of ``--repeat``
passes, each file read from disk every time).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

from briefer.errors import BrieferError
from briefer.inputs.feeds import read_feed_file

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "feedparser"


def _kind(message: str, path: Path) -> str:
    """A message with what differs from file to file taken out."""
    message = message.removeprefix(f"{path}: ")
    message = re.sub(r"\(line \d+\)", "(line N)", message)
    message = re.sub(r"entity, &[^;]+;", "entity, &NAME;", message)
    return re.sub(r"\(\d+ entr(?:y|ies)\)", "(N entries)", message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="passes; the best is shown")
    args = parser.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.suffix == ".xml")
    if not files:
        print(f"{args.folder}: no .xml files", file=sys.stderr)
        return 2
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        read = entries = 0
        failures: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        slowest = (0.0, files[0])
        start = time.perf_counter()
        for path in files:
            began = time.perf_counter()
            try:
                feed = read_feed_file(path)
            except BrieferError as err:
                failures[_kind(err.message, path)] += 1
            else:
                read += 1
                entries += len(feed.entries)
                if feed.warning:
                    warnings[_kind(feed.warning, path)] += 1
            slowest = max(slowest, (time.perf_counter() - began, path))
        best = min(best, time.perf_counter() - start)
    print(f"files: {len(files):,}  (from {args.folder})")
    print(
        f"feeds read: {read:,} ({read - sum(warnings.values()):,} clean, "
        f"{sum(warnings.values()):,} with a warning)  entries: {entries:,}"
    )
    print(f"failures: {sum(failures.values()):,}")
    for message, count in failures.most_common():
        print(f"  {count:5,}  {message}")
    print("warnings (read anyway):")
    for message, count in warnings.most_common():
        print(f"  {count:5,}  {message}")
    print(f"slowest file: {slowest[1].relative_to(args.folder)} ({slowest[0] * 1000:.0f} ms)")
    print(f"total: {best:.2f} s (best of {max(1, args.repeat)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
