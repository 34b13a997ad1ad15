"""A served model fleet: 1,000 generated articles through briefer's pipeline against a fake server.

    .venv/bin/python bench/fleet.py [--articles 1000] [--latency 0.2] [--slots 8]
                                    [--servers 1] [--concurrency N] [--processes N]
                                    [--out DIR] [--profile FILE]

The fake server (tests/fleet_server.py) runs in its own process(es): it answers every request
from its schema after ``--latency`` seconds, ``--slots`` at a time (more wait in its queue, as
vLLM's or llama.cpp's do). The articles (tests/fleet_server.synthetic_article: made-up places,
people and numbers, 1 to 8 paragraphs, every tenth 25 to 40, read in parts at a 4,096-token
context) are written to a folder first; then the timed part loads, briefs and writes each one's
Markdown brief through ``briefer.brief_many.brief_and_write`` (what ``briefer brief A B C …``
runs), with the client's concurrency at the server's slots and the CPU work in ``--processes``
worker processes (setting ``processes``; default the machine's CPUs; 1: all in this process).

Printed: wall time against the ideal (requests × latency ÷ slots; target within 15 %), requests
in flight over time (per second, and the share of time at each count), briefer's own CPU per
article (this process's user + system time over the timed part, plus its worker processes';
the server's is its own process's; target < 50 ms), and the peak RSS of this process and of
the largest worker (target < 500 MB). PDF rendering is
left out: it is the renderer's cost, the same however the model is served (bench/render.py
measures it), and would dwarf the client's own work.

Measured (docs/scaling.md, "Measured"; 2 shared cores, another job's model on ~1.7 of them,
load 2.4–5.4): ``--processes 1``: 43.8–55.6 ms of CPU an article, RSS 339–349 MB, wall 53.1–70.0
s against the ideal 29.1 s (``main`` the same hour: 55.5 ms, 420 MB, 63.2 s); ``--processes 2``:
50.8–62.1 ms (8–9 of it in the main process), wall 51.1–66.5 s, RSS 115 MB + ~290 MB a worker.
No core was idle for the workers: the wall target needs them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.brief_many import Written, brief_and_write  # noqa: E402
from briefer.config import load_settings  # noqa: E402
from briefer.errors import BrieferError  # noqa: E402
from briefer.pipeline import Briefer  # noqa: E402
from tests.fleet_server import synthetic_article  # noqa: E402


def start_server(latency: float, slots: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            *(sys.executable, str(ROOT / "tests" / "fleet_server.py")),
            *("--latency", str(latency), "--slots", str(slots)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def stats(base_url: str) -> dict[str, Any]:
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(f"{root}/stats", timeout=10) as response:
        data: dict[str, Any] = json.load(response)
    return data


def in_flight_series(timeline: list[list[float]], start: float, end: float) -> list[float]:
    """Time-weighted mean requests in flight in each second from ``start`` to ``end``."""
    seconds = max(1, int(end - start + 0.999))
    weight = [0.0] * seconds
    points = [(t, n) for t, n in timeline if start <= t <= end]
    level = 0.0
    previous = start
    for t, n in [*points, (end, 0)]:
        cursor = previous
        while cursor < t:
            second = min(int(cursor - start), seconds - 1)
            step = min(t, start + second + 1) - cursor
            weight[second] += level * step
            cursor += step
        previous, level = t, n
    return weight


def histogram(timeline: list[list[float]], start: float, end: float, top: int) -> list[float]:
    """Share of the time with 0, 1, … ``top`` requests in flight."""
    share = [0.0] * (top + 1)
    points = [(t, int(n)) for t, n in timeline if start <= t <= end]
    level, previous = 0, start
    for t, n in [*points, (end, 0)]:
        share[min(level, top)] += t - previous
        previous, level = t, n
    total = sum(share) or 1.0
    return [s / total for s in share]


def calls_only(briefer: Briefer, calls: int) -> None:
    """``calls`` headline requests from as many threads as the fleet has slots, twice over."""
    from concurrent.futures import ThreadPoolExecutor

    from briefer.brief import model_answer
    from briefer.models import Usage

    schema = model_answer.schema([])
    messages = [{"role": "user", "content": "Write the headline."}]

    def one(_: int) -> None:
        briefer.model.complete_json(
            messages, schema, name="Headline", max_tokens=100, usage=Usage()
        )

    with ThreadPoolExecutor(max_workers=briefer.model.slots * 2) as pool:
        list(pool.map(one, range(calls)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--servers", type=int, default=1, help="fake servers (a fleet)")
    parser.add_argument("--concurrency", type=int, help="per server [default: --slots]")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="briefer's processes for the CPU work (setting processes) [default: the CPUs]",
    )
    parser.add_argument("--out", type=Path, help="where the briefs go [default: a temp folder]")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed part here")
    parser.add_argument(
        "--calls-only",
        type=int,
        metavar="N",
        help="no pipeline: N requests through the model's fleet alone (its own overhead)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="briefer-fleet-"))
    inputs = work / "in"
    inputs.mkdir()
    specs = []
    for i in range(args.articles):
        path = inputs / f"a{i:04d}.md"
        path.write_text(synthetic_article(i))
        specs.append(str(path))
    out = args.out or work / "out"
    servers = [start_server(args.latency, args.slots) for _ in range(args.servers)]
    urls = [url for _, url in servers]
    try:
        settings = load_settings(
            {
                "base_url": urls,
                "model": "gpt-4o",
                "context_window": 4096,
                "concurrency": args.concurrency or args.slots,
                "max_retries": 0,
                "timeout": 60,
                "processes": args.processes,
            },
            environ={},
        )
        briefer = Briefer(settings)
        failures: list[str] = []
        written = 0

        def done(spec: str, result: Written | BrieferError) -> None:
            nonlocal written
            if isinstance(result, BrieferError):
                failures.append(f"{spec}: {result}")
            else:
                written += 1

        # The servers' clocks (seconds since each started) when the timed part begins.
        before = [float(stats(url)["now"]) for url in urls]
        cpu0 = time.process_time()
        workers0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall0 = time.monotonic()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        if args.calls_only:
            calls_only(briefer, args.calls_only)
        else:
            brief_and_write(briefer, specs, out, ("md",), done)
        if profiler:
            profiler.disable()
        wall = time.monotonic() - wall0
        cpu = time.process_time() - cpu0
        # The worker processes (--processes), ended and waited for by now; the servers are not.
        workers1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = (workers1.ru_utime + workers1.ru_stime) - (
            workers0.ru_utime + workers0.ru_stime
        )
        after = [stats(url) for url in urls]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest worker's peak (RUSAGE_CHILDREN keeps the largest; the servers have ended too,
    # but a fake server's peak is far below a worker's).
    worker_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    requests = sum(int(a["answered"]) for a in after)
    slots = args.slots * args.servers
    ideal = requests * args.latency / slots
    if args.calls_only:
        print(f"calls only: {args.calls_only} requests, no pipeline")
    else:
        print(f"articles: {args.articles} ({written} written, {len(failures)} failed)")
    for failure in failures[:5]:
        print(f"  failed: {failure}")
    print(
        f"requests: {requests} to {args.servers} server(s) of {args.slots} slots, "
        f"{args.latency * 1000:.0f} ms each"
    )
    print(
        f"wall: {wall:.1f} s; ideal {ideal:.1f} s (requests × latency ÷ slots); "
        f"{(wall / ideal - 1) * 100:+.1f} % (target ≤ +15 %)"
    )
    if args.calls_only:
        print(f"client CPU: {cpu:.1f} s, {cpu / requests * 1000:.1f} ms a request")
    else:
        total = cpu + workers_cpu
        per_article = total / args.articles * 1000
        print(
            f"briefer CPU: {total:.1f} s ({cpu:.1f} s main process, {workers_cpu:.1f} s workers),"
            f" {per_article:.1f} ms an article (target < 50 ms)"
        )
    print(f"processes: {args.processes}")
    if args.processes > 1:
        print(
            f"peak RSS: {rss_mb:.0f} MB main process, {worker_rss_mb:.0f} MB the largest worker;"
            f" {rss_mb + args.processes * worker_rss_mb:.0f} MB at most together"
            " (target < 500 MB)"
        )
    else:
        print(f"peak RSS: {rss_mb:.0f} MB (target < 500 MB)")
    for n, (mark, stat) in enumerate(zip(before, after, strict=True)):
        timeline = stat["timeline"]
        end = float(stat["now"])
        series = in_flight_series(timeline, mark, end)
        shares = histogram(timeline, mark, end, args.slots * 2)
        print(f"server {n + 1}: peak in flight {stat['peak']}; in flight per second:")
        row = [f"{v:.1f}" for v in series]
        for start in range(0, len(row), 20):
            print("  " + " ".join(f"{v:>4}" for v in row[start : start + 20]))
        print(
            "  share of time at each count: "
            + ", ".join(f"{k}: {s * 100:.0f} %" for k, s in enumerate(shares) if s >= 0.005)
        )
    if profiler and args.profile:
        profiler.dump_stats(str(args.profile))
        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
