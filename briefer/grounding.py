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


def numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def names(text: str) -> set[str]:
    """Capitalised words (lower-cased), except common words that start sentences."""
    found = set()
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word[0].isupper() and word.lower() not in _COMMON_CAPITALISED:
            found.add(word.lower().rstrip("’'s").rstrip("’'"))
    return found


def _words_lower(text: str) -> set[str]:
    return {w.lower().rstrip("’'s").rstrip("’'") for w in _WORD.findall(text)}


def unsupported_terms(statement: str, source: str) -> list[str]:
    """Numbers and names in ``statement`` that do not occur in ``source``."""
    missing = sorted(numbers(statement) - numbers(source))
    source_words = _words_lower(source)
    missing += sorted(n for n in names(statement) if n not in source_words)
    return missing


def dropped_numbers(statement: str, source: str) -> list[str]:
    """Numbers of ``source`` that ``statement`` leaves out."""
    return sorted(numbers(source) - numbers(statement))
