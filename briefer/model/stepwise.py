"""An answer written one value at a time on llama.cpp's completions endpoint (``answer``).

Most of a filing answer is fixed text: the grammar forces each sentence's key ("S3 The attack
which resulted") and the punctuation, and the model chooses only the section after it. Written
in one chat call every forced token still costs a decoding step: on 2 CPU cores the seed's 16
labels took ~225 of its 334 answer tokens, ~76 ms each. Here the fixed text is read as prompt,
which the server evaluates in batches at a fraction of a decoding step a token, and only the
values are generated: a string whole (with the separator before it, so the first value starts
as it does in one call), an enum by its first token where that tells the values apart. The
server's prompt cache (``cache_prompt``) keeps everything read so far, so each call reads only
the text the one before it did not.

The model reads the same prompt and the same answer so far as in one call, and decodes greedily
under the same grammar, but it reads the keys in its tokenizer's tokens where in one call it
wrote them in tokens of its own, and batches round differently: most sections come out the same
(16 of 16 on the seed, 83 % on the dev corpus; docs/scaling.md). Only schemas of strings and
string enums, with an enum, are written so; anything else, and a server without
``/apply-template`` or ``/v1/completions`` (``Unsupported``), is asked in one call, as is an
answer whose step came back as the grammar does not allow (``Misstep``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import openai

from briefer.model.grammar import enum_rest_gbnf, gbnf, literal, string_body

Progress = Callable[[str], None]


class Unsupported(Exception):
    """The server cannot answer step by step (no chat template endpoint or completions)."""


class Misstep(Exception):
    """A step came back as the grammar does not allow (no text, an empty or foreign token):
    this answer is asked in one call instead."""


def fits(schema: dict[str, Any]) -> bool:
    """Whether ``schema`` is an object of strings and string enums, all required, with an enum:
    what ``answer`` writes."""
    props = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(props, dict) or not props:
        return False
    if list(schema.get("required", props)) != list(props):
        return False
    kinds = [_kind(sub) for sub in props.values()]
    # Strings alone (a long text's headline call) are written in one step anyway.
    return None not in kinds and "enum" in kinds


def _kind(sub: dict[str, Any]) -> str | None:
    if isinstance(sub.get("enum"), list) and all(isinstance(v, str) for v in sub["enum"]):
        return "enum" if len(sub["enum"]) > 1 else None
    if sub.get("type") == "string" and not set(sub) - {"type", "maxLength", "description"}:
        return "string"
    return None


@dataclass
class Answer:
    """The assembled JSON answer and what its calls cost."""

    content: str
    finish: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    #: llama.cpp's timings over the calls (milliseconds): reading the prompt is the first
    #: call's; every later call reads only the answer's keys, which are the answer's time.
    timings: dict[str, float] = field(
        default_factory=lambda: {"prompt_ms": 0.0, "predicted_ms": 0.0}
    )


def answer(
    client: openai.OpenAI,
    model: str,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    *,
    max_tokens: int,
    temperature: float,
    seed: int | None,
    progress: Progress | None = None,
) -> Answer:
    """The JSON object for ``schema`` (``fits``), each value written by the model after the
    messages (rendered by the server's chat template) and the answer so far."""
    # llama.cpp renders the chat as its chat completions would (the model's own template);
    # asked through the same client, so that its errors are the client's.
    server = client.with_options(base_url=str(client.base_url).rstrip("/").removesuffix("/v1"))
    with _endpoint("/apply-template"):
        rendered = server.post("/apply-template", body={"messages": messages}, cast_to=object)
    prompt = rendered.get("prompt") if isinstance(rendered, dict) else None
    if not isinstance(prompt, str):
        raise Unsupported("/apply-template gave no prompt")
    props: dict[str, Any] = schema["properties"]
    out = Answer(content="", finish="stop")
    written = ""  # the answer so far
    enums = sum(1 for sub in props.values() if _kind(sub) == "enum")
    filed = 0
    if progress is not None:
        progress("Reading the article, writing the title…")

    def ask(grammar: str, limit: int) -> tuple[str, str | None]:
        with _endpoint("/v1/completions"):
            response = client.completions.create(
                model=model,
                prompt=prompt + written,
                max_tokens=max(1, limit),
                temperature=temperature,
                seed=seed,
                extra_body={"grammar": grammar, "cache_prompt": True},
            )
        out.calls += 1
        if response.usage is not None:
            if out.calls == 1:
                out.prompt_tokens = response.usage.prompt_tokens or 0
            # The answer's tokens: whatever this call read or wrote beyond the article.
            out.completion_tokens = (
                (response.usage.prompt_tokens or 0)
                + (response.usage.completion_tokens or 0)
                - out.prompt_tokens
            )
        timings = getattr(response, "timings", None)
        if isinstance(timings, dict):
            for name in ("prompt_ms", "predicted_ms"):
                with suppress(TypeError, ValueError):
                    spent = float(timings.get(name, 0.0))
                    answering = name == "predicted_ms" or out.calls > 1
                    out.timings["predicted_ms" if answering else "prompt_ms"] += spent
        if not response.choices or not response.choices[0].text:
            raise Misstep("a step came back empty")
        choice = response.choices[0]
        return choice.text, choice.finish_reason

    items = list(props.items())
    # Where the model puts spaces around a key (``"S2 …" :"us_position"`` or ``"S2 …": "…"``),
    # as it wrote the last key before a value: the keys read as prompt keep its layout, which
    # its choices follow (with another layout it filed differently).
    layout = (" ", "", " ")  # after the comma, before and after the colon
    begun = False  # whether ``written`` ends with the opening quote of the current value
    n = 0
    while n < len(items):
        key, sub = items[n]
        if _kind(sub) == "string":
            # A run of strings (title, bottom line) is written in one step, with the text after
            # it up to the next value's opening quote, as in one call: where a value ends is the
            # model's choice of token (`",` after "…Conflict"), which a grammar ending at the
            # closing quote would refuse, and a step that begins inside the model's own text
            # would read it in other tokens than it wrote. A step ends after an opening quote.
            run = n
            while run < len(items) and _kind(items[run][1]) == "string":
                run += 1
            parts: list[str] = []
            for j in range(n, run):
                if j > n or not begun:
                    opener = literal("{" if j == 0 else ",")
                    parts.append(f'{opener} ws {literal(json.dumps(items[j][0]))} ws ":" ws "\\""')
                parts.append(string_body(items[j][1].get("maxLength")))
            if run < len(items):
                parts.append(f'"," ws {literal(json.dumps(items[run][0]))} ws ":" ws "\\""')
            else:
                parts.append('ws "}"')
            spent = max(0, out.completion_tokens)
            text, finish = ask(gbnf(" ".join(parts)), max_tokens - spent)
            written += text
            if finish == "length":
                out.content, out.finish = written, "length"
                return out
            if not text.endswith('"' if run < len(items) else "}"):
                raise Misstep("a value was not written up to the next one")
            begun, n = run < len(items), run
            layout = _layout(written, layout)
            continue
        if not begun and n == 0:
            # The model writes the opening and the first key: its layout is learnt from them.
            text, finish = ask(gbnf(f'"{{" ws {literal(json.dumps(key))} ws ":" ws "\\""'), 32)
            if finish == "length" or not text.endswith('"'):
                raise Misstep("the first key was not written whole")
            written += text
            layout = _layout(written, layout)
        elif not begun:
            written += "," + layout[0] + json.dumps(key) + layout[1] + ":" + layout[2] + '"'
        left = [json.dumps(value)[1:] for value in sub["enum"]]  # each value's rest, closed
        while len(left) > 1:
            piece, _ = ask(enum_rest_gbnf(left), 1)
            written += piece
            left = [rest[len(piece) :] for rest in left if rest.startswith(piece)]
            if not left:
                raise Misstep("a token outside the enum's values")
        written += left[0]
        begun, n = False, n + 1
        filed += 1
        if progress is not None and filed % 8 == 1:
            progress(f"Filing: {filed} of {enums}")
    if _kind(items[-1][1]) == "enum":
        written += layout[0] + "}"
    out.content = written
    out.completion_tokens += 1
    return out


@contextmanager
def _endpoint(path: str) -> Iterator[None]:
    """A server that does not serve ``path`` (404, 405, 422, 501) cannot answer step by step."""
    try:
        yield
    except openai.APIStatusError as exc:
        if exc.status_code in (404, 405, 422, 501):
            raise Unsupported(f"no {path}") from exc
        raise


_KEY_LAYOUT = re.compile(r'(\s?)"(?:[^"\\]|\\.)*"(\s?):(\s?)"$')


def _layout(written: str, default: tuple[str, str, str]) -> tuple[str, str, str]:
    """The spaces around the last key of ``written`` (which ends on a value's opening quote)."""
    match = _KEY_LAYOUT.search(written)
    return (match.group(1), match.group(2), match.group(3)) if match else default
