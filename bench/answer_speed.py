"""The embedded model's answer in one call against the stepwise answer, side by side (issue 25).

    .venv/bin/python bench/answer_speed.py [--runs 2] [--texts DIR_OR_FILE ...] [--limit N]
                                           [--morning DIR] [--no-seed]

``stepwise`` (``stepwise = true``, briefer/model/stepwise.py) reads a filing answer's keys as
prompt and writes only its values; ``one call`` (``stepwise = false``, the default) asks for the
whole answer at once. Each measure runs both methods in turn on this machine in
the same run, so that the ratio holds whatever the machine's speed:

1. **The seed brief**, the README's command (``briefer brief seeds/… -o DIR``: Markdown, JSON and
   PDF) as a whole process, ``--runs`` times, the methods alternating, each run with an embedded
   server of its own (a private cache folder whose models link to the user's, so that no
   earlier prompt is read from a cache): wall seconds, the model's seconds (the brief's meta),
   prompt and completion tokens; medians, the ratio, and whether the briefs say the same.
2. **Texts** (``--texts``: files, or folders of ``*.txt``, e.g. ``../shared/eval/dev``; the
   first ``--limit``): each text
   briefed by both methods (in turn first) through the library against one llama-server
   started as briefer starts it plus ``--cache-ram 0`` and a slot save path, its slot erased
   before each brief (neither method reads the other's prompt from a cache; erasing needs the
   save path): the model's seconds per text and in all, the ratio, and the texts whose briefs
   (Markdown without the meta line) are the same.
3. **A morning** (``--morning DIR``, e.g. ``tests/data/morning-dev``): ``briefer morning`` over
   the folder with each method, a fresh state and server each: wall seconds and the ratio.

Run it on an otherwise idle machine: anything else on the cores moves the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speed import start_server  # noqa: E402

from briefer import Briefer, load_article  # noqa: E402
from briefer.config import load_settings  # noqa: E402
from briefer.model.local_server import local_settings  # noqa: E402
from briefer.model.model_store import cache_dir, ensure_model  # noqa: E402
from briefer.render.render import Renderer  # noqa: E402

SEED = ROOT / "seeds" / "000_df112d5052861120.txt"
BRIEFER = str(Path(sys.executable).with_name("briefer"))
METHODS = {"one call": False, "stepwise": True}


@contextmanager
def private_home(stepwise: bool) -> Iterator[dict[str, str]]:
    """The environment of a briefer command with its own cache, data and config folders (the
    model linked from the user's cache) and ``stepwise`` set."""
    models = ensure_model().parent
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "cache" / "briefer").mkdir(parents=True)
        (home / "cache" / "briefer" / "models").symlink_to(models)
        config = home / "config.toml"
        config.write_text(f"stepwise = {'true' if stepwise else 'false'}\n")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("BRIEFER_")},
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_HOME": str(home / "data"),
            "BRIEFER_CONFIG": str(config),
        }
        env.pop("OPENAI_API_KEY", None)
        env.pop("OPENAI_BASE_URL", None)
        yield env


def body(markdown: str) -> str:
    """A brief's Markdown without its meta line (times, ports) and verification paragraph."""
    return markdown.split("<!-- briefer-meta")[0].split("## Verification")[0]


def seed(runs: int) -> None:
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in METHODS}
    texts: dict[str, str] = {}
    for _ in range(runs):
        for name, flag in METHODS.items():
            with private_home(flag) as env, tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                done = subprocess.run(
                    [BRIEFER, "brief", str(SEED), "-o", out],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                wall = time.perf_counter() - started
                if done.returncode != 0:
                    raise SystemExit(f"{name}: briefer brief failed: {done.stderr[-500:]}")
                brief = json.loads(next(Path(out).glob("*.json")).read_text())
                usage = brief["meta"]["usage"]
                rows[name].append(
                    {
                        "wall": wall,
                        "model": usage["model_seconds"],
                        "prompt": usage["prompt_tokens"],
                        "completion": usage["completion_tokens"],
                    }
                )
                texts[name] = body(next(Path(out).glob("*.md")).read_text())
                print(f"  seed, {name}: {wall:.1f} s wall, {usage['model_seconds']:.1f} s model")
    print(f"\nThe seed brief (whole process, Markdown + JSON + PDF), median of {runs} runs:")
    print(f"{'method':<10} {'wall s':>8} {'model s':>8} {'prompt':>7} {'answer':>7}")
    median = {
        name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in rows.items()
    }
    for name, m in median.items():
        tokens = f"{m['prompt']:7.0f} {m['completion']:7.0f}"
        print(f"{name:<10} {m['wall']:8.1f} {m['model']:8.1f} {tokens}")
    first, new = median["one call"], median["stepwise"]
    print(
        f"ratio (stepwise / one call): wall {new['wall'] / first['wall']:.2f}, "
        f"model {new['model'] / first['model']:.2f}; "
        f"the same brief: {'yes' if texts['one call'] == texts['stepwise'] else 'no'}"
    )


def texts(paths: list[Path], limit: int | None) -> None:
    files = [f for p in paths for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])][:limit]
    slots = tempfile.mkdtemp()
    server, base = start_server(["--cache-ram", "0", "--slot-save-path", slots])
    renderer = Renderer()
    total = dict.fromkeys(METHODS, 0.0)
    same = 0
    try:
        print("\nTexts (the model's seconds):")
        print(f"{'text':<58} {'one call':>9} {'stepwise':>9} {'ratio':>6} same")
        for n, path in enumerate(files):
            seconds: dict[str, float] = {}
            bodies: dict[str, str] = {}
            order = list(METHODS.items())
            for name, flag in order if n % 2 == 0 else order[::-1]:
                httpx.post(f"{base}/slots/0?action=erase", timeout=30).raise_for_status()
                settings = load_settings({"temperature": 0.0, "seed": 42}, environ={})
                local = local_settings(settings, f"{base}/v1").model_copy(update={"stepwise": flag})
                brief = Briefer(local).brief(load_article(str(path)))
                seconds[name] = brief.meta.usage.model_seconds
                bodies[name] = body(renderer.markdown(brief))
                total[name] += seconds[name]
            alike = bodies["one call"] == bodies["stepwise"]
            same += alike
            ratio = seconds["stepwise"] / seconds["one call"]
            print(
                f"{path.name[:58]:<58} {seconds['one call']:9.1f} {seconds['stepwise']:9.1f} "
                f"{ratio:6.2f} {'yes' if alike else 'no'}"
            )
    finally:
        server.terminate()
        server.wait()
    print(
        f"all {len(files)} texts: one call {total['one call']:.0f} s, stepwise "
        f"{total['stepwise']:.0f} s, ratio {total['stepwise'] / total['one call']:.2f}; "
        f"the same brief for {same} of {len(files)}"
    )


def morning(folder: Path) -> None:
    walls: dict[str, float] = {}
    for name, flag in METHODS.items():
        with private_home(flag) as env, tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    BRIEFER,
                    "morning",
                    "--source",
                    str(folder),
                    "-o",
                    out,
                    "--no-mail",
                    "--since",
                    "5000d",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            walls[name] = time.perf_counter() - started
            status = "" if done.returncode == 0 else f" (exit {done.returncode})"
            print(f"  morning, {name}: {walls[name]:.1f} s wall{status}")
    print(
        f"\nA morning of {folder}: one call {walls['one call']:.0f} s, stepwise "
        f"{walls['stepwise']:.0f} s, ratio {walls['stepwise'] / walls['one call']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="seed runs per method")
    parser.add_argument("--texts", type=Path, nargs="+", help="texts, or folders of .txt texts")
    parser.add_argument("--limit", type=int, help="the first N texts only")
    parser.add_argument("--morning", type=Path, help="a folder for briefer morning")
    parser.add_argument("--no-seed", action="store_true", help="skip the seed brief")
    args = parser.parse_args()
    print(f"cache: {cache_dir()}; {os.cpu_count()} CPUs")
    if not args.no_seed:
        seed(args.runs)
    if args.texts:
        texts(args.texts, args.limit)
    if args.morning:
        morning(args.morning)


if __name__ == "__main__":
    main()
