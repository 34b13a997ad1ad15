"""The Batch API path's JSONL for many articles: collected, written and read back.

    .venv/bin/python bench/batch.py [--articles 1000] [--seed 7] [--words 350] [--window N]

Generates ``--articles`` synthetic news articles (varied sentences: actors, places, numbers,
quotes, dates), runs the real collecting pass over them (``Briefer.brief`` with a
``RequestCollector`` on the model and an empty answer cache: every request is recorded, none
sent; no server is needed), writes the first round's requests as the JSONL the Batch API takes,
then reads it back (every line parsed, its ``custom_id`` checked against the requests), and
reads an output file answering every request into the answer cache, as a finished batch is.
Prints articles, requests, bytes and the seconds of each step. Target: write + read < 10 s for 1,000
articles. ``--window`` shrinks the context window so that articles are read in parts (more,
smaller requests).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.config import load_settings  # noqa: E402
from briefer.model.answer_cache import AnswerCache  # noqa: E402
from briefer.model.batch import (  # noqa: E402
    AnswerPending,
    RequestCollector,
    jsonl,
    read_results,
)
from briefer.models import Article  # noqa: E402
from briefer.pipeline import Briefer  # noqa: E402

ACTORS = ["The US envoy", "Arvandia's foreign minister", "The UN coordinator", "Belmora's army",
          "A World Bank economist", "The port authority", "Local officials", "Aid groups",
          "The EU delegation", "The central bank", "Opposition leaders", "The army"]  # fmt: skip
VERBS = ["said", "warned", "announced", "confirmed", "denied", "reported", "estimated", "argued"]
PLACES = ["Geneva", "Veldhaven", "Lusaka", "Tbilisi", "Dhaka", "Quito", "Amman", "Riga", "Hanoi"]
THINGS = ["aid trucks", "families", "tonnes of wheat", "troops", "containers", "refugees",
          "million dollars", "schools", "checkpoints", "ships"]  # fmt: skip
CLAUSES = ["talks would continue next week", "the ceasefire was holding in most districts",
           "prices had risen for a third month", "the border crossing would reopen on Monday",
           "the deal still needed parliament's approval", "more funding was urgently needed",
           "the strike would end if wages were raised", "no decision was taken yet"]  # fmt: skip


def article(n: int, rng: random.Random, words: int) -> Article:
    place = rng.choice(PLACES)
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        actor, verb = rng.choice(ACTORS), rng.choice(VERBS)
        kind = rng.random()
        if kind < 0.35:
            sentences.append(f"{actor} {verb} that {rng.choice(CLAUSES)}.")
        elif kind < 0.7:
            count = rng.randint(2, 9000)
            sentences.append(
                f"{actor} {verb} {count} {rng.choice(THINGS)} reached {rng.choice(PLACES)} "
                f"on day {rng.randint(1, 60)}."
            )
        elif kind < 0.85:
            sentences.append(f'"We expect {rng.choice(CLAUSES)}," {actor.lower()} {verb}.')
        else:
            sentences.append(
                f"In {place}, {rng.randint(3, 400)} people gathered as {rng.choice(CLAUSES)}."
            )
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    title = f"{place}: {rng.choice(CLAUSES).capitalize()} ({n})"
    return Article(id=f"article-{n:04d}", title=title, text="\n\n".join(paragraphs) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=350, help="words per article (about)")
    parser.add_argument("--window", type=int, help="context window (tokens) of the model")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    articles = [article(n, rng, args.words) for n in range(args.articles)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_DATA_HOME"] = tmp
        settings = load_settings(
            {
                "base_url": "http://127.0.0.1:9/v1",  # never reached: nothing is sent
                "api_key": "bench",
                "model": "gpt-4o-mini",
                "context_window": args.window,
            }
        )
        briefer = Briefer(settings)
        briefer.model.cache = AnswerCache(Path(tmp) / "answers")
        collector = RequestCollector()
        briefer.model.collector = collector
        started = time.perf_counter()
        for item in articles:
            with contextlib.suppress(AnswerPending):  # every article waits for its answers
                briefer.brief(item)
        collect_s = time.perf_counter() - started
        requests = collector.requests

        path = Path(tmp) / "batch.jsonl"
        started = time.perf_counter()
        path.write_bytes(jsonl(requests))
        write_s = time.perf_counter() - started
        size = path.stat().st_size

        started = time.perf_counter()
        lines = [json.loads(line) for line in path.read_bytes().splitlines()]
        assert [line["custom_id"] for line in lines] == list(requests)
        assert all(line["body"] == requests[line["custom_id"]] for line in lines)
        read_s = time.perf_counter() - started

        # The way back: an output file of one answer a request, read and put in the cache.
        output = Path(tmp) / "output.jsonl"
        output.write_bytes(b"".join(_output_line(key, body) for key, body in requests.items()))
        started = time.perf_counter()
        results = read_results(output.read_bytes())
        for key, answer in results.answers.items():
            briefer.model.cache.put(key, answer)
        results_s = time.perf_counter() - started
        assert len(results.answers) == len(requests) and not results.failed
        output_size = output.stat().st_size

    print(f"articles: {len(articles)}")
    print(f"requests (first round): {len(requests)}")
    print(f"bytes: {size:,} ({size / len(requests) / 1024:.1f} KiB a request)")
    print(f"collect (briefer's own work, no model): {collect_s:.2f} s "
          f"({collect_s / len(articles) * 1000:.1f} ms an article)")  # fmt: skip
    print(f"write: {write_s:.3f} s")
    print(f"read back: {read_s:.3f} s")
    print(f"output file ({output_size:,} bytes) read, answers into the cache: {results_s:.3f} s")
    total = write_s + read_s
    print(f"write + read: {total:.3f} s (target < 10 s): {'ok' if total < 10 else 'OVER'}")


def _output_line(key: str, body: dict[str, Any]) -> bytes:
    """A Batch API output line answering ``body``: every key of its schema filed."""
    schema = body["response_format"]["json_schema"]["schema"]
    answer = {k: "background" for k in schema["properties"]}
    response = {
        "status_code": 200,
        "request_id": key[:12],
        "body": {
            "choices": [{"message": {"content": json.dumps(answer)}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 13 * len(answer)},
        },
    }
    record = {"id": f"req-{key[:8]}", "custom_id": key, "response": response, "error": None}
    return json.dumps(record).encode() + b"\n"


if __name__ == "__main__":
    main()
