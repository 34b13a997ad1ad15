"""Fact density: names and numbers per word, the prior by which the selection ranks statements
beside their coverage (``weight``, ``density``; ``names_in`` tells a name from a capitalised
common word)."""

from __future__ import annotations

import re
from collections.abc import Callable

from briefer.check.grounding import names, numbers
from briefer.models import word_count
from briefer.text.authors import unvoiced
from briefer.text.sentences import Sentence
from briefer.text.turns import vocatives

#: Weight of fact density (names and numbers per word) beside centrality in the ranking: unique
#: facts (a minister's name, an operation) are not central to a text, but a reader needs them.
DENSITY_WEIGHT = 1.0
#: A statement longer than this is hard to take in at a glance (an 80-word quotation): its
#: density counts for ``LONG_STATEMENT / words`` of itself in the ranking, so it must carry
#: that much more to win its place (dev strict recall 0.701 → 0.732; the same at 40 words).
LONG_STATEMENT = 50

#: Sentences shorter than this count as this long for density, so a short line with a name
#: ("MR. KIRBY: Thanks, Nick.") does not outrank a sentence full of facts.
DENSITY_MIN_WORDS = 12


# "No casualties" is a number, zero, and counted like one: "there were no civilian casualties"
# is the fact a reader of a strike looks for, though it has no digit in it. (Casualties with a
# count are counted by their number; a bare "reported casualties" says no more than a number.)
_NO_CASUALTIES = re.compile(
    r"\b(?:no|zero)\s+(?:\w+\s+)?(?:casualt(?:y|ies)|fatalit(?:y|ies)|deaths|injuries)\b",
    re.IGNORECASE,
)


def weight(text: str, found: Callable[[str], set[str]] = names) -> float:
    """A statement's score in the ranking: its fact density, scaled down past
    ``LONG_STATEMENT`` words (``50 / words``)."""
    size = word_count(text)
    scale = 1.0 if size <= LONG_STATEMENT else LONG_STATEMENT / size
    return DENSITY_WEIGHT * density(unvoiced(text), found) * scale


def names_in(sentences: list[Sentence]) -> Callable[[str], set[str]]:
    """``names`` without a sentence's first word when the text also has it in lower case: a
    common word capitalised by its place ("Watching them very closely.", "Famine has taken
    hold …" beside "famine"), not a name."""
    common = {w.lower() for s in sentences for w in _LOWER_WORD.findall(s.text)}

    def found(text: str) -> set[str]:
        words = text.split()
        if not words or words[0].strip("“\"‘'(").rstrip(",:;").lower() not in common:
            return names(text)
        return names(" ".join(words[1:]))

    return found


_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]*")


def density(text: str, found: Callable[[str], set[str]] = names) -> float:
    """Names and numbers per word, capped at 1: how much checkable fact a sentence carries."""
    count = len(found(text) - vocatives(text)) + 2 * len(numbers(text))
    count += 2 * len(_NO_CASUALTIES.findall(text))
    return min(1.0, count / max(DENSITY_MIN_WORDS, word_count(text)))
