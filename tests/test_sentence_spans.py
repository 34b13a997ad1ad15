"""The sentence splitter finds pysbd's sentences in the text without pysbd's regex per sentence
(``sentences._spans``): its pieces are exactly pysbd's, whitespace and repeats included."""

from __future__ import annotations

import pysbd
import pytest

from briefer.text.sentences import _Segmenter, split_sentences
from tests.fleet_server import synthetic_article

TRICKY = [
    "Hi. Hi. Hi.",
    "He said no. He said no.  He said no.\n",
    "A. A. A.",
    "U.S. officials met Mr. Sharif. The U.S. said so.",
    "  Leading space. Then a trailing one.  ",
    "x",
    "Ok!  Ok!\tOk?",
    "Golden Warrior Shipping Co. Ltd. was named. It denied it.",
    "He said: “We will go.” She said: “We will go.”",
]


@pytest.mark.parametrize("text", TRICKY + [synthetic_article(i) for i in range(5)])
def test_pieces_are_pysbds(text: str) -> None:
    reference = pysbd.Segmenter(language="en", clean=False)
    assert _Segmenter().segment(text) == reference.segment(text)


def test_a_repeated_sentence_is_found_each_time() -> None:
    texts = [s.text for s in split_sentences("It rained. It rained. Then it stopped.")]
    assert texts == ["It rained.", "It rained.", "Then it stopped."]
