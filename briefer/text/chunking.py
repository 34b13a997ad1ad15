"""Split an article's sentences into chunks that fit a token budget, for the map step.

Chunks follow the text: paragraphs stay whole where they fit; a paragraph larger than a chunk
is split between sentences; a single sentence larger than a chunk is split between words into
pieces that keep its id (so its citation still names the original sentence). No sentence is
lost, repeated or reordered, and ids never change.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from briefer.text.sentences import Sentence


def _split_long(sentence: Sentence, cost: Callable[[Sentence], int], budget: int) -> list[Sentence]:
    words = sentence.text.split()
    pieces: list[Sentence] = []
    current: list[str] = []
    for word in words:
        trial = sentence.model_copy(update={"text": " ".join([*current, word])})
        if current and cost(trial) > budget:
            pieces.append(sentence.model_copy(update={"text": " ".join(current)}))
            current = []
        current.append(word)
    if current:
        pieces.append(sentence.model_copy(update={"text": " ".join(current)}))
    return pieces


def chunk_sentences(
    sentences: list[Sentence], cost: Callable[[Sentence], int], budget: int
) -> list[list[Sentence]]:
    """Consecutive groups of sentences whose ``cost`` adds up to at most ``budget`` each."""
    if budget <= 0:
        raise ValueError("chunk budget must be positive")
    chunks: list[list[Sentence]] = []
    current: list[Sentence] = []
    used = 0

    def close() -> None:
        nonlocal current, used
        if current:
            chunks.append(current)
        current, used = [], 0

    for _, group in groupby(sentences, key=lambda s: s.paragraph):
        paragraph = list(group)
        size = sum(cost(s) for s in paragraph)
        if used + size <= budget:
            current += paragraph
            used += size
            continue
        close()  # a paragraph that does not fit starts a new chunk
        for sentence in paragraph:
            weight = cost(sentence)
            if weight > budget:
                close()
                chunks.extend([piece] for piece in _split_long(sentence, cost, budget))
                continue
            if used + weight > budget:
                close()
            current.append(sentence)
            used += weight
    close()
    return chunks
