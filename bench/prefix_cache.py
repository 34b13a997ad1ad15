"""What llama.cpp's prompt cache saves briefer: prompt-eval time with ``cache_prompt`` off and on.

    .venv/bin/python bench/prefix_cache.py [--base-url http://127.0.0.1:8080] [--articles 8]
                                           [--order article-first|instructions-first|both]
                                           [--endpoint chat|completion]
                                           [--corpus ../shared/eval/dev]

Without ``--base-url`` it starts (or joins) briefer's embedded server, as ``briefer brief`` does:
that takes the embedded model's time (minutes on 2 cores), and nothing else may use it meanwhile.

Every call is the one-call brief's request (system prompt, then the user message: the article in
numbered sentences, then the filing instructions), for several articles in turn (each run of
the table its own articles), so consecutive
requests share their first tokens (system prompt, chat template, the line before the article)
and nothing after. ``instructions-first`` sends the same words with the instructions moved
before the article (what the prompts would be if ordered for the cache; briefer's own prompts
keep the article first, see docs/scaling.md), so that they are shared too. Each request asks for
one token: only prompt evaluation is timed. Printed from the server's ``timings`` (llama.cpp's
extension of the answer): prompt tokens, tokens evaluated (``prompt_n``), tokens taken from the
cache, and prompt-eval milliseconds, per article and their mean after the first (which follows
an unrelated request).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.brief.prompting import PromptSet  # noqa: E402
from briefer.config import load_settings  # noqa: E402
from briefer.inputs.sources import load  # noqa: E402
from briefer.stages import content  # noqa: E402
from tests.fleet_server import synthetic_article  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"


def articles(count: int, corpus: Path = DEV) -> list[Path]:
    # Texts one call reads whole (the embedded model's 4,096-token context).
    found = [p for p in sorted(corpus.glob("*.txt")) if len(p.read_text().split()) < 900][:count]
    found += sorted((ROOT / "seeds").glob("*.txt"))[: count - len(found)]
    folder = Path("/tmp/briefer-prefix-cache")
    folder.mkdir(exist_ok=True)
    while len(found) < count:  # made-up articles make up the number
        path = folder / f"a{len(found)}.md"
        path.write_text(synthetic_article(len(found), paragraphs=5))
        found.append(path)
    return found


def messages(prompts: PromptSet, path: Path, order: str) -> list[dict[str, str]]:
    article = load(str(path))
    _, sentences, _ = content(article)
    system, user = prompts.file_messages(article, sentences)
    if order == "instructions-first":
        text = user["content"]
        cut = text.index("</article>") + len("</article>")
        user = {"role": "user", "content": text[cut:].strip() + "\n\n" + text[:cut]}
    return [system, user]


def ask(client: httpx.Client, endpoint: str, msgs: list[dict[str, str]], cache: bool) -> Any:
    body: dict[str, Any] = {"cache_prompt": cache, "temperature": 0, "seed": 1}
    if endpoint == "chat":
        body |= {"messages": msgs, "max_tokens": 1}
        response = client.post("/v1/chat/completions", json=body)
    else:
        try:
            templated = client.post("/apply-template", json={"messages": msgs})
            templated.raise_for_status()
            prompt = templated.json()["prompt"]
        except (httpx.HTTPError, KeyError, ValueError):
            prompt = "\n\n".join(m["content"] for m in msgs)
        body |= {"prompt": prompt, "n_predict": 1}
        response = client.post("/completion", json=body)
    response.raise_for_status()
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running llama-server [default: the embedded one]")
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument(
        "--order", choices=["article-first", "instructions-first", "both"], default="both"
    )
    parser.add_argument("--endpoint", choices=["chat", "completion"], default="chat")
    parser.add_argument("--corpus", type=Path, default=DEV, help="the articles' folder (*.txt)")
    args = parser.parse_args()

    lease = None
    base = args.base_url
    if base is None:
        from briefer.model.local_server import acquire

        lease = acquire(load_settings(), progress=lambda line: print(line, file=sys.stderr))
        base = lease.base_url
    base = base.removesuffix("/").removesuffix("/v1")
    prompts = PromptSet(None)
    orders = ["article-first", "instructions-first"] if args.order == "both" else [args.order]
    # Each run of the table reads its own articles: the server keeps whole earlier prompts in
    # RAM (llama-server's --cache-ram, 8 GiB by default), so an article read again in a later
    # run would come from that cache, not from the prefix it shares with the one before.
    every = articles(args.articles * len(orders) * 2, args.corpus)
    runs = iter(range(len(orders) * 2))
    try:
        with httpx.Client(base_url=base, timeout=3600) as client:
            print(f"server {base}, {args.articles} articles a run, /{args.endpoint}")
            for order in orders:
                for cache in (False, True):
                    k = next(runs)
                    paths = every[k * args.articles : (k + 1) * args.articles]
                    ask(client, args.endpoint, [{"role": "user", "content": "Hello."}], cache)
                    rows = []
                    for path in paths:
                        answer = ask(client, args.endpoint, messages(prompts, path, order), cache)
                        timings = answer.get("timings") or {}
                        prompt_tokens = (answer.get("usage") or {}).get("prompt_tokens") or (
                            answer.get("tokens_evaluated")
                        )
                        evaluated = timings.get("prompt_n")
                        cached = timings.get("cache_n", answer.get("tokens_cached"))
                        if cached is None and prompt_tokens and evaluated is not None:
                            cached = prompt_tokens - evaluated
                        rows.append((prompt_tokens, evaluated, cached, timings.get("prompt_ms")))
                    print(f"\n{order}, cache_prompt={str(cache).lower()}:")
                    print("  prompt tokens  evaluated  from cache  prompt-eval ms")
                    for row in rows:
                        print("  " + "  ".join(f"{'?' if v is None else v:>12}" for v in row))
                    later = [[float(v) for v in r if v is not None] for r in rows[1:]]
                    later = [r for r in later if len(r) == 4]
                    if later:
                        means = [statistics.mean(r[i] for r in later) for i in range(4)]
                        print(
                            "  mean after the first: "
                            f"{means[0]:.0f} tokens, {means[1]:.0f} evaluated, "
                            f"{means[2]:.0f} from cache, {means[3]:.0f} ms"
                        )
                    elif not timings:
                        print("  (the server gave no timings: try --endpoint completion)")
    finally:
        if lease is not None:
            lease.release()


if __name__ == "__main__":
    main()
