"""The morning brief: render time of a digest, and a whole run on the embedded model.

    .venv/bin/python bench/morning.py render [--items 20] [--repeat 3] [--out DIR] [--one-part]
    .venv/bin/python bench/morning.py run [--corpus tests/data/morning-dev] [--out DIR]
                                          [--base-url URL]

``render`` builds a digest of N items without a model (statements are the texts' own sentences,
as long as real briefs: title, bottom line and ~12 statements each; every third item a story of
two sources, one a continuing story) and times Markdown + JSON + PDF rendering in-process after
one warm-up, printing the best and the median of ``--repeat`` runs. Target: ≤ 3 s for 20 items
on 2 cores. The digest is laid out in two processes where the machine can fork (``--one-part``:
whole, in one, for comparison).

``run`` runs ``briefer morning`` on the folder with the embedded model (a fresh state and answer
cache in a temporary XDG data folder), twice: the first run and the rerun, printing wall time,
model calls, cached calls, tokens and items of each. The rerun must make 0 calls. It takes the
embedded model's time (minutes on 2 cores); nothing else may use the model meanwhile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.inputs.sources import load  # noqa: E402
from briefer.models import (  # noqa: E402
    SECTIONS,
    Brief,
    BriefMeta,
    Change,
    Digest,
    DigestItem,
    NotIncluded,
    RunStats,
    Source,
    Statement,
    Usage,
    VerificationSummary,
)
from briefer.text.line_filters import is_content  # noqa: E402
from briefer.text.sentences import split_sentences  # noqa: E402

MORNING_DEV = ROOT / "tests" / "data" / "morning-dev"  # the team's, copied
DEV = ROOT.parent / "shared" / "eval" / "dev"


def _texts() -> list[Path]:
    found = sorted(MORNING_DEV.glob("*.txt")) + sorted(DEV.glob("*.txt"))
    if not found:
        found = [ROOT / "seeds" / "000_df112d5052861120.txt"]
    return found


def sample_brief(paths: list[Path], number: int, *, changed: bool = False) -> Brief:
    """A brief as long as a real one, from the texts' own sentences (no model)."""
    statements: list[Statement] = []
    sources = []
    for s_no, path in enumerate(paths, start=1):
        article = load(str(path))
        content = [s for s in split_sentences(article.text) if is_content(s)]
        picked = content[: 12 // len(paths)]
        statements += [
            Statement(text=s.text, cites=[s.id], source=s_no, status="supported") for s in picked
        ]
        sources.append(
            Source(
                title=article.title,
                outlet="White House" if "_wh_" in path.name else "State Dept.",
                date="2022-08-02",
                url=f"https://example.org/{path.stem}",
                sentences={s.id: s.text for s in picked},
            )
        )
    sections: dict[str, list[Statement]] = {key: [] for key, _ in SECTIONS}
    for i, st in enumerate(statements):
        sections[SECTIONS[i % 4][0]].append(st)
    first = load(str(paths[0]))
    return Brief(
        title=(first.title or first.id)[:90],
        bottom_line=statements[0].text if statements else "Nothing stated.",
        **sections,
        sources=sources,
        meta=BriefMeta(
            model="qwen2.5-coder-1.5b-instruct",
            endpoint="embedded",
            prompt_version="bench",
            usage=Usage(calls=2, prompt_tokens=1500, completion_tokens=400),
            created=datetime(2022, 8, 3, 6, 30, tzinfo=UTC),
            briefer_version="bench",
        ),
        verification=VerificationSummary(statements=len(statements), supported=len(statements)),
        changed=Change(since="2022-08-02", previous_title="Earlier", statements=statements[1:3])
        if changed
        else None,
    )


def sample_digest(items: int) -> Digest:
    texts = _texts()
    out = []
    for n in range(items):
        paths = [texts[n % len(texts)]]
        if n % 3 == 0:
            paths.append(texts[(n + 1) % len(texts)])
        brief = sample_brief(paths, n, changed=n == 3)
        out.append(DigestItem(title=brief.title, sources=[str(p) for p in paths], brief=brief))
    return Digest(
        items=out,
        not_included=[
            NotIncluded(source="https://example.org/gone", reason="HTTP 404 Not Found"),
            NotIncluded(source="https://example.org/slow", reason="took longer than 30 s"),
        ],
        run=RunStats(profile="bench", date="2022-08-03", sources=4, sources_read=4, items=items),
    )


def bench_render(items: int, repeat: int, out: Path | None, one_part: bool = False) -> None:
    from briefer.render import digest as render_digest
    from briefer.render.beside import can_fork
    from briefer.render.render import Renderer

    digest = sample_digest(items)
    renderer = Renderer()
    times = []
    result = None
    for attempt in range(repeat + 1):  # the first is a warm-up (imports, fonts)
        started = time.perf_counter()
        render_digest.markdown(digest, renderer)
        render_digest.to_json(digest)
        result = render_digest.pdf(
            digest, renderer, handling="UNCLASSIFIED", parallel=False if one_part else None
        )
        if attempt:
            times.append(time.perf_counter() - started)
    assert result is not None
    print(
        f"digest of {items} items: {result.pages} pages, item styles "
        f"{ {s or 'normal': result.styles.count(s) for s in set(result.styles)} }"
    )
    print(
        f"render time (md + json + pdf, in process, warm, "
        f"{'one part' if one_part else 'in parts, forked' if can_fork() else 'in one process'}"
        f"): best {min(times):.2f} s, "
        f"median {statistics.median(times):.2f} s over {len(times)} runs (target ≤ 3 s)"
    )
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "morning-brief.pdf").write_bytes(result.data)
        print(f"wrote {out / 'morning-brief.pdf'}")


def bench_run(corpus: Path, out: Path | None, base_url: str | None = None) -> None:
    from briefer.config import load_settings
    from briefer.morning.profile import Profile
    from briefer.morning.run import run_morning

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        target = out or Path(tmp) / "out"
        profile = Profile(name="bench", sources=[str(corpus)], out_dir=target)
        flags = {"temperature": 0.0, "seed": 42, "base_url": base_url}
        settings = load_settings(flags, profile=profile.settings)
        for label in ("first run", "rerun"):
            started = time.perf_counter()
            result = run_morning(settings, profile, deliver=False)
            seconds = time.perf_counter() - started
            run = result.digest.run
            print(
                f"{label}: {seconds:.1f} s wall, {run.model_calls} model calls "
                f"({run.cached_calls} cached), {run.prompt_tokens:,}+{run.completion_tokens:,} "
                f"tokens, {run.items} items, {len(result.digest.not_included)} not included"
            )
        print(f"digest: {result.paths[0].parent}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    render = sub.add_parser("render", help="render time of an N-item digest")
    render.add_argument("--items", type=int, default=20)
    render.add_argument("--repeat", type=int, default=3)
    render.add_argument("--out", type=Path)
    render.add_argument(
        "--one-part", action="store_true", help="lay the digest out whole, in one process"
    )
    run = sub.add_parser("run", help="the corpus on the embedded model: first run and rerun")
    run.add_argument("--corpus", type=Path, default=MORNING_DEV)
    run.add_argument("--out", type=Path)
    run.add_argument("--base-url", help="an endpoint instead of the embedded model")
    args = parser.parse_args()
    if args.mode == "render":
        bench_render(args.items, args.repeat, args.out, args.one_part)
    else:
        bench_run(args.corpus, args.out, args.base_url)


if __name__ == "__main__":
    main()
