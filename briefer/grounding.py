"""Cheap, model-free checks that a statement says nothing its source sentence does not.

Used while composing a brief: a condensed statement that invents a number or a name, or drops a
number of its sentence, is replaced by the sentence itself. Heuristics, documented limits:
numbers are compared as digit strings ("1,000" = "1000"; "twenty-seven" is not "27"); names are
capitalised words, so a capitalised common word at a sentence start is skipped via a stop list.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_COMMON_CAPITALISED = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "and",
        "but",
        "or",
        "so",
        "yet",
        "if",
        "while",
        "when",
        "after",
        "before",
        "during",
        "since",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "to",
        "with",
        "without",
        "both",
        "either",
        "neither",
        "each",
        "all",
        "some",
        "many",
        "most",
        "more",
        "meanwhile",
        "however",
        "also",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "why",
        "how",
        "mr",
        "mrs",
        "ms",
        "dr",
    ]
)


_POSSESSIVE = re.compile(r"[’'](s)?$")


def _bare(word: str) -> str:
    """Lower case without a possessive ending: "Rubio’s" → "rubio", "US" → "us"."""
    return _POSSESSIVE.sub("", word.lower())


def numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def names(text: str) -> set[str]:
    """Capitalised words (lower-cased), except common words that start sentences."""
    found = set()
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word[0].isupper() and word.lower() not in _COMMON_CAPITALISED:
            found.add(_bare(word))
    return found


def bare_words(text: str) -> set[str]:
    return {_bare(w) for w in _WORD.findall(text)}


def unsupported_terms(statement: str, source: str) -> list[str]:
    """Numbers and names in ``statement`` that do not occur in ``source``."""
    missing = sorted(numbers(statement) - numbers(source))
    source_words = bare_words(source)
    missing += sorted(n for n in names(statement) if n not in source_words)
    return missing


def title_unsupported(title: str, source: str) -> list[str]:
    """Title Case makes every word look like a name, so a title is checked by its numbers, its
    all-capital tokens (acronyms, shouted payloads), and the share of its longer words that the
    source lacks (more than half: not a headline of this article)."""
    words = bare_words(source)
    problems = sorted(numbers(title) - numbers(source))
    tokens = _WORD.findall(title)
    problems += [t for t in tokens if len(t) >= 3 and t.isupper() and t.lower() not in words]
    longer = [_bare(t) for t in tokens if len(t) >= 4]
    absent = [t for t in longer if t not in words and t.removesuffix("s") not in words]
    if longer and len(absent) * 2 > len(longer):
        problems += absent
    return problems
