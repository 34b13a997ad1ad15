"""Which model calls a brief takes, and their tokens, decided before any call.

An article whose prompt and answer fit the context is read in one call. A longer one is split
into chunks (``chunking.py``) that each fit with their answer (map: every sentence of the chunk
filed in a section), then one call writes the headline from the sentences chosen for the brief
(reduce). That last prompt is bounded by the brief's word limit, so it always fits: the reduce
never overflows the way a concatenation of summaries can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from briefer.brief import model_answer
from briefer.brief.prompting import PromptSet, StoryPart
from briefer.errors import InputTooLongError
from briefer.models import Article
from briefer.text.chunking import chunk_sentences
from briefer.text.sentences import Sentence

Messages = list[dict[str, str]]
Counter = Callable[[Messages], int]

#: Share of the context kept free: tokenizers differ and templates add a few tokens.
MARGIN = 0.05


@dataclass
class Call:
    kind: Literal["whole", "part", "headline"]
    messages: Messages
    sentences: list[Sentence]
    prompt_tokens: int
    max_tokens: int
    expected_tokens: int


@dataclass
class Plan:
    window: int
    limit: int
    sentences: list[Sentence]
    calls: list[Call] = field(default_factory=list)

    @property
    def chunked(self) -> bool:
        return len(self.calls) > 1

    def estimate(self) -> tuple[int, int]:
        """Estimated (prompt, completion) tokens of the whole plan."""
        return (
            sum(c.prompt_tokens for c in self.calls),
            sum(c.expected_tokens for c in self.calls),
        )


def make_plan(
    article: Article,
    sentences: list[Sentence],
    limit: int,
    prompts: PromptSet,
    count: Counter,
    window: int,
    line_tokens: Callable[[str], int],
) -> Plan:
    usable = int(window * (1 - MARGIN))
    plan = Plan(window=window, limit=limit, sentences=sentences)
    whole = prompts.file_messages(article, sentences)
    whole_tokens = count(whole)
    answer = model_answer.max_tokens(sentences)
    if whole_tokens + answer <= usable:
        plan.calls.append(
            Call(
                "whole",
                whole,
                sentences,
                whole_tokens,
                answer,
                model_answer.expected_tokens(sentences),
            )
        )
        return plan

    overhead = count(prompts.part_messages([], 1, 1)) + model_answer.max_tokens([], headline=False)
    budget = usable - overhead

    if budget < 100:
        raise InputTooLongError(
            f"{article.origin}: the model's {window}-token context leaves no room for the article",
            hint="raise local_context or use a larger-context endpoint",
        )
    plan.calls.extend(
        _part_calls(article, sentences, line_tokens, budget, prompts, count, usable, window)
    )
    # The headline call: its sentences are chosen after the map; its size is bounded by the limit.
    estimate = count(prompts.headline_messages(article, [])) + int(limit * 1.6)
    plan.calls.append(
        Call(
            "headline",
            [],
            [],
            estimate,
            model_answer.HEADLINE_TOKENS,
            model_answer.EXPECTED_HEADLINE_TOKENS,
        )
    )
    return plan


def make_story_plan(
    sources: list[tuple[Article, list[Sentence]]],
    limit: int,
    prompts: PromptSet,
    count: Counter,
    window: int,
    line_tokens: Callable[[str], int],
) -> Plan:
    """A story's calls: each source filed on its own (in parts when it is long; a part never
    mixes sources, so the model knows whose words it files), then one headline call."""
    usable = int(window * (1 - MARGIN))
    plan = Plan(window=window, limit=limit, sentences=[s for _, ss in sources for s in ss])
    total = len(sources)
    for number, (article, sentences) in enumerate(sources, start=1):
        header = StoryPart(article, number, total)
        overhead = count(prompts.part_messages([], 1, 1, header)) + model_answer.max_tokens(
            [], headline=False
        )
        budget = usable - overhead
        if budget < 100:
            raise InputTooLongError(
                f"{article.origin}: the model's {window}-token context leaves no room for it",
                hint="raise local_context or use a larger-context endpoint",
            )

        plan.calls.extend(
            _part_calls(
                article, sentences, line_tokens, budget, prompts, count, usable, window, header
            )
        )
    headline_article = Article(id="story", text="")
    estimate = count(prompts.headline_messages(headline_article, [], sources=total))
    plan.calls.append(
        Call(
            "headline",
            [],
            [],
            estimate + int(limit * 1.6),
            model_answer.HEADLINE_TOKENS,
            model_answer.EXPECTED_HEADLINE_TOKENS,
        )
    )
    return plan


def _part_calls(
    article: Article,
    sentences: list[Sentence],
    line_tokens: Callable[[str], int],
    budget: int,
    prompts: PromptSet,
    count: Counter,
    usable: int,
    window: int,
    source: StoryPart | None = None,
) -> list[Call]:
    """``sentences`` in parts that each fit with their answer, as numbered part calls (of one
    long article, or of one ``source`` of a story)."""

    def cost(sentence: Sentence) -> int:
        # Its line in the prompt, with a tenth more for tokenizers other than the estimate's,
        # plus the tokens of its entry in the answer.
        return (
            int(line_tokens(f"[S{sentence.id}] {sentence.text}\n") * 1.1)
            + model_answer.ENTRY_TOKENS
        )

    parts = chunk_sentences(sentences, cost, budget)
    calls = [_part_call(p, prompts, count, usable, source) for p in parts]
    # Exact counts can exceed the estimate: halve any part that does not fit, until it does.
    while any(c is None for c in calls):
        index = next(i for i, c in enumerate(calls) if c is None)
        part = parts[index]
        if len(part) == 1:
            raise InputTooLongError(
                f"{article.origin}: sentence {part[0].id} alone does not fit the model's "
                f"{window}-token context",
                hint="raise local_context",
            )
        half = len(part) // 2
        parts[index : index + 1] = [part[:half], part[half:]]
        calls[index : index + 1] = [
            _part_call(p, prompts, count, usable, source) for p in parts[index : index + 2]
        ]
    fitted = [c for c in calls if c is not None]
    for number, call in enumerate(fitted, start=1):
        call.messages = prompts.part_messages(call.sentences, number, len(fitted), source)
    return fitted


def _part_call(
    part: list[Sentence],
    prompts: PromptSet,
    count: Counter,
    usable: int,
    source: StoryPart | None = None,
) -> Call | None:
    messages = prompts.part_messages(part, 1, 1, source)
    tokens = count(messages)
    answer = model_answer.max_tokens(part, headline=False)
    if tokens + answer > usable:
        return None
    return Call(
        "part", messages, part, tokens, answer, model_answer.expected_tokens(part, headline=False)
    )
