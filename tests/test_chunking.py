"""Chunking for the map step: nothing lost or repeated, order and ids kept, budgets held."""

from __future__ import annotations

import pytest

from briefer.text.chunking import chunk_sentences
from briefer.text.sentences import Sentence, split_sentences


def words(s: Sentence) -> int:
    return len(s.text.split())


def text_of(n_paragraphs: int, per: int) -> str:
    return "\n\n".join(
        " ".join(f"Paragraph {p} sentence {i} has a few words." for i in range(per))
        for p in range(n_paragraphs)
    )


@pytest.mark.parametrize("budget", [8, 20, 45, 100, 10_000])
def test_nothing_lost_order_and_ids_kept(budget: int) -> None:
    sentences = split_sentences(text_of(6, 5))
    assert len(sentences) == 30
    chunks = chunk_sentences(sentences, words, budget)
    assert len(chunks) >= (30 * 8) // budget  # 8 words a sentence
    flat = [s for chunk in chunks for s in chunk]
    assert [s.id for s in flat] == [s.id for s in sentences]
    assert [s.text for s in flat] == [s.text for s in sentences]
    assert all(sum(words(s) for s in chunk) <= budget for chunk in chunks)


def test_paragraphs_stay_whole_when_they_fit() -> None:
    sentences = split_sentences(text_of(4, 3))  # 24 words a paragraph
    chunks = chunk_sentences(sentences, words, 50)
    assert [len(c) for c in chunks] == [6, 6]
    assert all(len({s.paragraph for s in c}) == 2 for c in chunks)


def test_a_sentence_longer_than_a_chunk_is_split_keeping_its_id() -> None:
    long = "word " * 95 + "end."
    sentences = split_sentences(f"Short one here. {long} Another short one.")
    chunks = chunk_sentences(sentences, words, 30)
    pieces = [s for c in chunks for s in c if s.id == 2]
    assert len(pieces) == 4 and all(words(p) <= 30 for p in pieces)
    assert " ".join(p.text for p in pieces) == " ".join(long.split())
    assert [s.id for c in chunks for s in c] == [1, 2, 2, 2, 2, 3]


def test_empty_and_bad_budget() -> None:
    assert chunk_sentences([], words, 10) == []
    with pytest.raises(ValueError):
        chunk_sentences(split_sentences("One two three four."), words, 0)
