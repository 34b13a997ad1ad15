"""Seconds per brief for one `briefer brief` alone, and for two started at the same time.

The two share one embedded server (the second finds the first one's through the state file), so
their requests queue at it instead of two servers fighting over the cores. Each command's wall
time counts from its start to its exit, the model server's start included. With ``--separate``
each command also gets a cache of its own, hence a server of its own: how briefer behaved before
the server was shared (slow: on 2 cores both took 84 s where one alone took ~35).

    .venv/bin/python bench/two_commands.py                     # the seed article
    .venv/bin/python bench/two_commands.py ARTICLE --separate
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from briefer.model.model_store import cache_dir, ensure_model

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_df112d5052861120.txt"
BRIEFER = str(Path(sys.executable).with_name("briefer"))


def llama_servers(caches: list[Path]) -> tuple[int, int]:
    """llama-server processes running now (from /proc): for these cache folders, and others
    (another user's or test run's, which make the timings incomparable)."""
    markers = {f"XDG_CACHE_HOME={c}".encode() for c in caches}
    ours = others = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "llama-server":
                if markers & set((entry / "environ").read_bytes().split(b"\0")):
                    ours += 1
                else:
                    others += 1
        except OSError:
            continue
    return ours, others


def private_cache(root: Path, name: str) -> Path:
    """A cache folder of its own (server state, lock, log) with the user's assembled model."""
    cache = root / name
    (cache / "briefer").mkdir(parents=True)
    (cache / "briefer" / "models").symlink_to(ensure_model().parent)
    return cache


def run_together(
    article: Path, caches: list[Path], root: Path, name: str
) -> tuple[list[float], int, int]:
    """Start one command per cache at once: their wall times, the most of their servers at
    once, the most other servers seen meanwhile."""
    started = time.monotonic()
    procs = []
    for i, cache in enumerate(caches):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
        env.update(XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(root / "config"))
        out = root / f"out-{name}-{i}"
        command = [BRIEFER, "brief", str(article), "-o", str(out), "-q"]
        procs.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL))
    ended: dict[int, float] = {}
    most = foreign = 0
    try:
        while len(ended) < len(procs):
            ours, others = llama_servers(caches)
            most, foreign = max(most, ours), max(foreign, others)
            for i, proc in enumerate(procs):
                if i not in ended and proc.poll() is not None:
                    if proc.returncode != 0:
                        raise SystemExit(f"briefer exited {proc.returncode}")
                    ended[i] = time.monotonic() - started
            time.sleep(0.1)
    finally:
        for proc in procs:  # interrupted: stop them; each stops its server before it exits
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
    return [ended[i] for i in range(len(procs))], most, foreign


def main() -> int:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", type=Path, nargs="?", default=SEED)
    parser.add_argument(
        "--separate", action="store_true", help="also two commands with a server each"
    )
    args = parser.parse_args()
    print(f"model: {ensure_model()} (cache {cache_dir()}); {os.cpu_count()} CPUs")
    print(f"article: {args.article.name}")
    print("| run | command 1 s | command 2 s | llama-servers at once | other llama-servers |")
    print("|---|---:|---:|---:|---:|")
    runs = [("alone", 1), ("two at once, one shared server", 2)]
    if args.separate:
        runs.append(("two at once, a server each", 2))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shared, other = private_cache(root, "shared"), private_cache(root, "other")
        for index, (name, count) in enumerate(runs):
            caches = [shared, other][:count] if "each" in name else [shared] * count
            times, most, foreign = run_together(args.article, caches, root, str(index))
            second = f"{times[1]:.1f}" if len(times) > 1 else "–"
            print(f"| {name} | {times[0]:.1f} | {second} | {most} | {foreign} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
