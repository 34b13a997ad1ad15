"""What grouping compares: content-word stems, names and numbers, word shingles, the headline.

Pure Python on purpose: briefer has no numpy or scikit-learn, and a morning's batch needs only
dictionaries and sets (``bench/grouping.py``: 200 articles, 125,000 words, grouped in < 2 s).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from briefer.text import words
from briefer.text.words import MONTH_NAMES, MONTHS, TOPIC_STOPWORDS

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u00a0": " ",
    }
)

_MONTH_RE = "|".join(m.capitalize() for m in MONTH_NAMES)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")
_MONEY = re.compile(
    r"(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)\s*(million|billion|trillion|bn|m)?\b", re.IGNORECASE
)
_AMOUNT = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)\s*(million|billion|trillion|percent|per cent|%)", re.IGNORECASE
)
_DAY_MONTH = re.compile(rf"\b(?:({_MONTH_RE})\.? (\d{{1,2}})\b|(\d{{1,2}}) ({_MONTH_RE})\b)")
_NUMBER = re.compile(r"(?<![\w.$])(\d{1,3}(?:,\d{3})+|\d{2,})(?![\w$]|\.\d)")
# A capitalised word, with name particles allowed inside a name ("Ayman al-Zawahiri",
# "Department of the Treasury", "bin Laden").
_CAP = r"(?:[A-Z][a-zA-Z'\-]*[a-zA-Z]|[A-Z]\.)"
_NAME = re.compile(
    rf"{_CAP}(?:\s+(?:(?:of|the|for|and|al|bin|de|del|la|von|van)\s+)*(?:al-)?{_CAP})*"
)
# What may stand before a sentence's first word (besides the start of a line).
_OPENERS = (".", "!", "?", ":", ";", '"', "-")
_NAME_STOP = frozenset({"the", "of", "for", "and", "a", "an"})


_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def normalize(text: str) -> str:
    """NFKC, straight quotes, plain dashes, "U.S." as "US": "Qa’ida" and "Qa'ida" are one word."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)


# One stemmer for grouping, kept where the text stage keeps its words (``words.suffix_stem``).
stem = words.suffix_stem


def tokens(text: str) -> tuple[list[str], list[str | None]]:
    """Every word and number of a ``normalize``d text, lowercased (the stream that n-grams and
    shingles are cut from), and beside each the stem it contributes as a content word, or None
    (stopword, number)."""
    raw: list[str] = []
    content: list[str | None] = []
    for w in _WORD.findall(text):
        low = w.lower().strip("'-")
        raw.append(low)
        base = low.removesuffix("'s")
        skip = w[0].isdigit() or base in TOPIC_STOPWORDS or len(base) < 2
        content.append(None if skip else stem(base))
    return raw, content


def content_terms(text: str) -> list[str]:
    """Stems of the content words of a ``normalize``d text; numbers are left to ``mentions``."""
    return [c for c in tokens(text)[1] if c is not None]


def _amount_key(number: str, scale: str | None) -> str:
    value = float(number.replace(",", ""))
    factor = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
    value *= factor.get((scale or "").lower(), 1.0)
    return f"{value:.4g}"


def mentions(text: str) -> list[str]:
    """Names, amounts, numbers and dates of a ``normalize``d text, each as a key.

    Names: runs of capitalised words ("Hans Grundberg", "Department of the Treasury"), and each
    word of a longer name on its own, so "Ayman al-Zawahiri" meets "Zawahiri". A single
    capitalised word that opens a sentence counts only when the text also capitalises it
    mid-sentence (so "Today" and "Our" never count). Lines in capitals are skipped.
    Amounts: "$550 million" and "550 million dollars" are both "$5.5e+08"."""
    keys: list[str] = []
    for m in _MONEY.finditer(text):
        keys.append("$" + _amount_key(m.group(1), m.group(2)))
    for m in _AMOUNT.finditer(text):
        if m.group(2).lower() in ("percent", "per cent", "%"):
            keys.append("%" + m.group(1))
        elif not text[max(0, m.start() - 2) : m.start()].strip().endswith("$"):
            keys.append("$" + _amount_key(m.group(1), m.group(2)))
    for m in _DAY_MONTH.finditer(text):
        month = m.group(1) or m.group(4)
        day = m.group(2) or m.group(3)
        keys.append(f"@{MONTHS[month.lower()]}-{int(day)}")
    for m in _NUMBER.finditer(text):
        value = m.group(1).replace(",", "")
        if len(value) == 4 and 1900 <= int(value) <= 2100:
            continue  # a year is too common to tell stories apart
        keys.append("#" + value)
    keys.extend(_names(text))
    return keys


_DEMONYM = ("istan", "ians", "ian", "ia", "ans", "an", "ese", "is", "i", "e", "s", "a")


@lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """One name word, spelling-proof: possessive and demonym endings off, then the consonant
    skeleton ("Yemeni"/"Yemen", "Russian"/"Russia", "al-Zawihiri"/"al-Zawahiri", "Qa'ida"/"Qaeda"
    meet). Collisions are possible but rare among names, and rare names are what count."""
    w = word.lower().removesuffix("'s").replace("'", "").strip(".-")
    w = w.removeprefix("al-")
    changed = True
    while changed:
        changed = False
        for suffix in _DEMONYM:
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                changed = True
                break
    if len(w) < 4:
        return w
    return w[0] + "".join(c for c in w[1:] if c not in "aeiouy-")


def _names(text: str) -> list[str]:
    mid_sentence: set[str] = set()
    found: list[tuple[str, bool]] = []
    for line in text.splitlines():
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
            continue  # "MEMORANDUM FOR THE SECRETARY OF STATE"
        for m in _NAME.finditer(line):
            before = line[max(0, m.start() - 8) : m.start()].rstrip()
            if before:
                starts = before.endswith(_OPENERS)
            else:
                starts = m.start() <= 8 or not line[: m.start()].strip()
            if not starts:
                mid_sentence.add(m.group(0).split()[0].lower())
            found.append((m.group(0), starts))
    keys: list[str] = []
    for name, starts in found:
        parts = name.split()
        while parts and parts[0].lower() in _NAME_STOP:
            parts = parts[1:]
        if not parts:
            continue
        if len(parts) == 1:
            low = parts[0].lower()
            if low.split("'")[0] in TOPIC_STOPWORDS or len(low) < 2:
                continue  # "I", "I've", "We"
            if starts and low not in mid_sentence:
                continue
            keys.append(name_key(parts[0]))
            continue
        words_ = [p for p in parts if p.lower() not in _NAME_STOP]
        keys.append(" ".join(name_key(p) for p in words_))
        keys.extend(name_key(p) for p in words_ if p.lower() not in TOPIC_STOPWORDS and len(p) > 2)
    return keys


def headline_and_body(text: str, title: str | None) -> tuple[str, str]:
    """The headline and the text below it (``normalize`` both first). Without a title there is
    no headline: the loader takes a text's first line as its title when it reads as one."""
    if not title:
        return "", text
    lines = text.strip().splitlines()
    if lines and lines[0].strip() == title.strip():
        return title, "\n".join(lines[1:])
    return title, text


def shingles(stream: list[str], size: int = 5) -> set[str]:
    """The word ``size``-grams of a text: what two reprints of one text share."""
    return {" ".join(stream[i : i + size]) for i in range(max(1, len(stream) - size + 1))}
