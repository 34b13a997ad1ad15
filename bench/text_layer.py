"""Render time with the PDF text layer for shaped scripts (``briefer/render/glyphtext.py``) and
with WeasyPrint's own, side by side: one-page briefs and the 20-item morning digest.

The two ways alternate (own and ours, then ours and own, …) after one warm-up each, so drift on a
shared machine falls on both; the table shows the median wall-clock seconds of each and the
change. WeasyPrint's own: ``glyphtext.weasyprint_text()``, the fonts made meanwhile keep its map.

    .venv/bin/python bench/text_layer.py                 # --repeat 5 --items 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from briefer.render import glyphtext
from briefer.render.pdf import render_pdf
from briefer.render.render import Renderer
from briefer.rerender import read_brief

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def timed(work: Callable[[], object], plain: bool) -> float:
    started = time.perf_counter()
    if plain:
        with glyphtext.weasyprint_text():
            work()
    else:
        work()
    return time.perf_counter() - started


def compare(name: str, work: Callable[[], object], repeat: int) -> None:
    timed(work, True), timed(work, False)  # warm-up: imports, fonts loaded
    own: list[float] = []
    ours: list[float] = []
    for i in range(repeat):
        # Own first, then ours first (ABBA): neither way always follows the other.
        for plain in (True, False) if i % 2 == 0 else (False, True):
            (own if plain else ours).append(timed(work, plain))
    a, b = statistics.median(own), statistics.median(ours)
    print(f"{name:<34} {a:>8.3f} {b:>8.3f} {100 * (b - a) / a:>+7.1f} %")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    from morning import sample_digest  # bench/morning.py

    from briefer.render import digest as render_digest

    renderer = Renderer()
    print(f"{'median seconds':<34} {'own':>8} {'ours':>8} {'change':>9}")
    for brief_name in ("longest_09_gaggle.json", "every_script.json"):
        brief = read_brief(ROOT / "tests" / "data" / "briefs" / brief_name)
        compare(
            f"brief {brief_name}",
            lambda brief=brief: render_pdf(brief, renderer, handling="UNCLASSIFIED"),
            args.repeat,
        )
    digest = sample_digest(args.items)
    compare(
        f"digest of {args.items} items (pdf)",
        lambda: render_digest.pdf(digest, renderer, handling="UNCLASSIFIED"),
        args.repeat,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
