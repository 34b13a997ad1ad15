"""What constrained decoding costs the embedded model: the seed's request sent three ways.

    .venv/bin/python bench/grammar_cost.py [--rounds 2]

One llama-server (as briefer starts it) gets the seed's one-call request, as ``briefer brief``
builds it (``bench/speed.py``'s ``requests``), with briefer's GBNF grammar, with
``response_format`` ``json_object``, and with no constraint, in turn, each asked for the same
334 tokens with the prompt cache off. Printed from the server's ``timings``: prompt and
generation seconds and the milliseconds a generated token. Run it on an idle machine.

Measured (docs/scaling.md, "Grammar"): 84.6, 79.4 and 79.0 ms a token: the grammar costs ~7 %.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import speed

from briefer.model.local_server import MODEL_NAME

TOKENS = 334  # the seed's answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    [request] = speed.requests([speed.SEED])
    server, base = speed.start_server([])
    variants: dict[str, dict[str, object]] = {
        "grammar": {"grammar": request.grammar},
        "json_object": {"response_format": {"type": "json_object"}},
        "none": {},
    }
    try:
        for n in range(args.rounds):
            for name, extra in variants.items():
                body = {
                    "model": MODEL_NAME,
                    "messages": request.messages,
                    "temperature": 0,
                    "seed": 42,
                    "max_tokens": TOKENS,
                    "cache_prompt": False,
                    **extra,
                }
                answer = httpx.post(f"{base}/v1/chat/completions", json=body, timeout=3600).json()
                t = answer.get("timings") or {}
                print(
                    f"round {n + 1} {name:12s} prompt {t.get('prompt_n')} tokens "
                    f"{t.get('prompt_ms', 0) / 1000:5.1f} s; answer {t.get('predicted_n')} tokens "
                    f"{t.get('predicted_ms', 0) / 1000:5.1f} s = "
                    f"{t.get('predicted_per_token_ms', 0):.1f} ms a token",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
