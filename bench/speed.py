"""The embedded model's speed under two server configurations, side by side on one machine.

    .venv/bin/python bench/speed.py [FILE ...] [--runs 3] [--method NAME='FLAGS' ...]

Default files: the seed article. Default methods: ``today`` (the server as briefer starts it) and
``ngram`` (llama.cpp's n-gram speculative decoding, which drafts answer tokens from the prompt:
the answer's keys quote the article's sentences). For each run, each method in turn starts its
own llama-server (the same binary, model, context and threads as briefer's) and sends every
text's filing requests (the one-call brief, or each part of a long text; a long text's headline
call is left out, as it depends on the parts' answers) exactly as briefer sends them, at
temperature 0 with grammar. Printed per method: the server's prompt and generation
milliseconds and tokens (its ``timings``), drafted and accepted tokens, the request's wall
seconds, the median over runs, the ratio to the first method, and how many answers are the same
as the first method's (speculative decoding is exact in principle; batched evaluation can still
flip a near tie).

Run it on an otherwise idle machine: two servers never run at once here, but anything else on
the cores moves the numbers (issue 25 asks for ratios measured side by side).
"""

from __future__ import annotations

import argparse
import shlex
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.brief import model_answer  # noqa: E402
from briefer.config import load_settings  # noqa: E402
from briefer.model.grammar import schema_to_gbnf  # noqa: E402
from briefer.model.local_server import MODEL_NAME, server_binary, server_command  # noqa: E402
from briefer.model.model_store import ensure_model  # noqa: E402
from briefer.pipeline import Briefer  # noqa: E402

SEED = ROOT / "seeds" / "000_df112d5052861120.txt"
NGRAM = "--spec-type ngram-simple --spec-ngram-simple-size-n 3 --spec-ngram-simple-size-m 8"


@dataclass
class Request:
    text: str
    messages: list[dict[str, str]]
    grammar: str
    max_tokens: int


@dataclass
class Tally:
    prompt_ms: list[float] = field(default_factory=list)
    predicted_ms: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    prompt_tokens: int = 0
    predicted_tokens: int = 0
    drafted: int = 0
    accepted: int = 0
    answers: list[str] = field(default_factory=list)


def requests(files: list[Path]) -> list[Request]:
    """Every filing request of each text, as ``briefer brief`` builds it for the embedded model."""
    settings = load_settings().model_copy(
        update={"base_url": "http://127.0.0.1:9/v1", "model": MODEL_NAME, "grammar": True}
    )
    briefer = Briefer(settings)
    out = []
    for path in files:
        article = briefer.load(str(path))
        plan, _, _ = briefer.plan(article)
        for call in plan.calls:
            if call.kind == "whole":
                schema = model_answer.schema(call.sentences, bounded=True)
                limit = max(settings.max_output_tokens, call.max_tokens)
            elif call.kind == "part":
                schema = model_answer.schema(call.sentences, headline=False)
                limit = call.max_tokens
            else:
                continue
            out.append(Request(path.name, call.messages, schema_to_gbnf(schema), limit))
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(flags: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    """A llama-server as briefer starts it (plus ``flags``), once it answers; its base URL."""
    settings = load_settings()
    port = _port()
    command = server_command(settings, server_binary(settings), ensure_model(), port) + flags
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return server, base


def run(flags: list[str], batch: list[Request]) -> list[dict[str, Any]]:
    server, base = start_server(flags)
    try:
        results = []
        for request in batch:
            started = time.monotonic()
            body = {
                "model": MODEL_NAME,
                "messages": request.messages,
                "temperature": 0,
                "seed": 42,
                "max_tokens": request.max_tokens,
                "grammar": request.grammar,
            }
            answer = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=3600).json()
            results.append(
                {
                    "wall": time.monotonic() - started,
                    "timings": answer.get("timings") or {},
                    "content": answer["choices"][0]["message"]["content"],
                }
            )
        return results
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=[SEED])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--method",
        action="append",
        metavar="NAME=FLAGS",
        help=f"a server configuration (default: today= and ngram='{NGRAM}')",
    )
    args = parser.parse_args()
    methods = [m.split("=", 1) for m in (args.method or ["today=", f"ngram={NGRAM}"])]
    batch = requests(args.files)
    print(f"{len(args.files)} texts, {len(batch)} requests, {args.runs} runs, methods alternate")
    tallies = {name: Tally() for name, _ in methods}
    for n in range(args.runs):
        for name, flags in methods:
            results = run(shlex.split(flags), batch)
            tally = tallies[name]
            tally.prompt_ms.append(sum(r["timings"].get("prompt_ms", 0.0) for r in results))
            tally.predicted_ms.append(sum(r["timings"].get("predicted_ms", 0.0) for r in results))
            tally.wall.append(sum(r["wall"] for r in results))
            if n == 0:
                tally.prompt_tokens = sum(r["timings"].get("prompt_n", 0) for r in results)
                tally.predicted_tokens = sum(r["timings"].get("predicted_n", 0) for r in results)
                tally.drafted = sum(r["timings"].get("draft_n", 0) for r in results)
                tally.accepted = sum(r["timings"].get("draft_n_accepted", 0) for r in results)
                tally.answers = [r["content"] for r in results]
            prompt_s, generation_s = tally.prompt_ms[-1] / 1000, tally.predicted_ms[-1] / 1000
            print(
                f"run {n + 1} {name}: wall {tally.wall[-1]:.1f} s, prompt {prompt_s:.1f} s, "
                f"generation {generation_s:.1f} s",
                flush=True,
            )
    first = tallies[methods[0][0]]
    print("\nmethod      wall s  prompt s  generation s  prompt tok  answer tok  drafted/accepted"
          "  ratio (wall)  same answers")  # fmt: skip
    for name, tally in tallies.items():
        wall = statistics.median(tally.wall)
        same = sum(a == b for a, b in zip(tally.answers, first.answers, strict=True))
        print(
            f"{name:<10} {wall:>7.1f} {statistics.median(tally.prompt_ms) / 1000:>9.1f} "
            f"{statistics.median(tally.predicted_ms) / 1000:>13.1f} {tally.prompt_tokens:>11} "
            f"{tally.predicted_tokens:>11} {tally.drafted:>8}/{tally.accepted:<8} "
            f"{wall / statistics.median(first.wall):>12.2f}  {same}/{len(tally.answers)}"
        )


if __name__ == "__main__":
    main()
