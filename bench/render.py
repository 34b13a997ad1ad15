"""Render time per PDF page: saved briefs rendered again (no model), on A4 and Letter.

Each brief is rendered ``--repeat`` times after one warm-up (WeasyPrint's import and first font
loads are not counted); the table shows the median seconds per page, the style that kept the brief
on its page, the pages and the PDF's size. Fonts are subset by HarfBuzz (the uharfbuzz wheel,
``briefer/render/subset.py``) and by fontTools only where that is missing (several times slower):
the last line says which.

    .venv/bin/python bench/render.py                       # the test briefs (tests/data/briefs)
    .venv/bin/python bench/render.py out/*.json --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from briefer.render.pdf import render_pdf
from briefer.render.render import Renderer
from briefer.rerender import read_brief

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("briefs", nargs="*", type=Path, help="saved briefs (.json or .md)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.briefs or sorted((ROOT / "tests" / "data" / "briefs").glob("*.json"))
    renderer = Renderer()
    print(f"{'brief':<28} {'paper':<7} {'s/page':>7} {'style':<8} {'pages':>5} {'bytes':>8}")
    for path in paths:
        brief = read_brief(path)
        for size in ("a4", "letter"):
            render_pdf(brief, renderer, handling="UNCLASSIFIED", page_size=size)  # warm-up
            seconds = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = render_pdf(brief, renderer, handling="UNCLASSIFIED", page_size=size)
                seconds.append((time.perf_counter() - started) / result.pages)
            print(
                f"{path.name[:28]:<28} {size:<7} {statistics.median(seconds):>7.2f} "
                f"{result.style or 'normal':<8} {result.pages:>5} {len(result.data):>8,}"
            )
    from weasyprint.text.ffi import harfbuzz_subset

    from briefer.render import subset

    by = "HarfBuzz (uharfbuzz)" if subset.installed() else None
    print(f"fonts subset with {by or ('libharfbuzz-subset' if harfbuzz_subset else 'fontTools')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
