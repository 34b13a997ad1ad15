"""Cheap, model-free facts of a text: its numbers, its names, its words.

Used while composing a brief (a condensed statement that invents a number or a name, or drops a
number of its sentence, is replaced by the sentence itself) and by the verifier
(``briefer/check/verify.py``). Heuristics, documented limits:

- ``numbers`` are the digit strings as written ("1,000" = "1000"; "twenty-seven" is not "27"):
  cheap, for ranking and for the composer's checks. ``number_values`` reads the values the
  verifier compares: spelled numbers (via text2num), "1.5 million" = "1500000", "$2bn", simple
  fractions ("three-quarters" = 75, as a per cent; "two-thirds" = "2/3").
- names are capitalised words (any script's letters: "Ömer Çelik", "Zelenskyy’s"), less a stop
  list of common words that start sentences and spelled numbers. Lower-case names ("al-Sharaa"
  aside, whose "Sharaa" is capitalised) are not names here. ``known`` compares a name without
  case, possessive ending or accents ("Erdogan" = "Erdoğan"), as a demonym or spelling variant
  ("Ukraine" = "Ukrainian", "Zelensky" = "Zelenskyy"), as initials of capitalised words ("US" =
  "United States", "IMF") and, hyphenated, by its parts ("Russia-Ukraine"). Lenient on purpose:
  it may accept an invented "Pauline" where the source has "Paul"; a place standing for a
  government ("Kyiv" for "Ukraine") is not known unless the source names it.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from text_to_num import alpha2digit  # type: ignore[import-untyped]

from briefer.text.words import (
    APOSTROPHES,
    NUMBER_WORDS,
    ORDINAL,
    UNIT_NUMBERS,
    bare,
    bare_lower,
    fold,
    is_name,
    stem,
)

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# A word starts with a letter of any script; apostrophes and hyphens stay inside it.
_WORD = re.compile(r"[^\W\d_][\w'’ʼ-]*")


def numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "").rstrip(".") for m in _NUMBER.finditer(text)}


def names(text: str) -> set[str]:
    """Capitalised words (lower-cased, possessive dropped), except common words that start
    sentences."""
    return {bare_lower(word) for word in _WORD.findall(text) if is_name(word)}


_CONNECTORS = frozenset(["of", "for", "and", "the", "on", "de", "al"])


def _acronyms(run: list[str]) -> set[str]:
    """Initials of every stretch of a run of capitalised words: "European Union" → "eu",
    "International Monetary Fund" → "imf", "Line of Control" → "loc" and "lc"."""
    found = set()
    for start in range(len(run)):
        for end in range(start + 2, min(len(run), start + 6) + 1):
            part = run[start:end]
            if part[0] in _CONNECTORS or part[-1] in _CONNECTORS:
                continue
            found.add("".join(w[0] for w in part))
            found.add("".join(w[0] for w in part if w not in _CONNECTORS))
    return found


def bare_words(text: str) -> set[str]:
    """Every word, lower-cased, without possessive ending or accents; a hyphenated word also
    gives its parts, so "Russia-Ukraine" in a statement is known from "Russia" and "Ukraine";
    and the initials of runs of capitalised words, so "US" is known from "United States" (and
    from "America")."""
    return set(_bare_words(text))


# A source is read by several checks of every line: its words are found once (a few articles'
# worth kept: the keys are whole sources).
@lru_cache(maxsize=256)
def _bare_words(text: str) -> frozenset[str]:
    words: set[str] = set()
    run: list[str] = []
    for word in _WORD.findall(text):
        plain = bare(word)
        words.add(plain)
        if "-" in plain:
            words.update(p for p in plain.split("-") if p)
        # "America", "Americans" on their own name the US ("Today, America is stronger …" in a
        # President's statement that never spells "United States"); not within a longer name
        # ("Latin America", "Bank of America"), nor the adjective ("Organization of American
        # States", "American Samoa").
        after = run[-1] if run else ""
        if plain in _AMERICA and after not in _REGIONS and (plain, after) != ("america", "of"):
            words.add("us")
        if word[0].isupper() or (run and plain in _CONNECTORS):
            run.append(plain)
            continue
        words |= _acronyms(run)
        run = []
    return frozenset(words | _acronyms(run))


_AMERICA = frozenset("america americans".split())
_REGIONS = frozenset("latin south central north".split())
_DEMONYM_ENDINGS = ("ese", "ian", "an", "i")


def same_name(a: str, b: str) -> bool:
    """Whether two bare names are one: equal, a demonym or possessive-like extension ("iran" and
    "iranian", "israel" and "israeli", "zelensky" and "zelenskyy"), or "ukraine" and
    "ukrainian" (all but the last letter of a 6+ letter name shared). Cheap, so lenient: an
    invented "Pauline" passes where the source has "Paul"."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) > 3 or len(short) < 4:
        return False
    if long.startswith(short):
        return True
    if len(short) >= 5 and long.startswith(short[:-1]) and long.endswith(_DEMONYM_ENDINGS):
        return True  # "china" and "chinese", "russia" and "russian"
    return len(short) >= 6 and long.startswith(short[:-1])


def known(name: str, words: set[str]) -> bool:
    """Whether a name from ``names`` occurs among ``words`` (from ``bare_words``): whole, as a
    variant (``same_name``), or, if hyphenated, each of its parts ("Al-Sharaa" when the text has
    "al-Sharaa", "Russia-Ukraine" when it has "Russian" and "Ukrainian")."""
    name = fold(name).translate(APOSTROPHES)
    if name in words or any(same_name(name, w) for w in words if w[:3] == name[:3]):
        return True
    parts = [p for p in name.split("-") if p]
    return len(parts) > 1 and all(known(p, words) for p in parts)


# A dotted initialism: "U.S.", "U.N.", "U.K.".
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def unsupported_terms(statement: str, source: str) -> list[str]:
    """Numbers and names in ``statement`` that do not occur in ``source``. A dotted initialism
    is one name ("U.S." is "US", which "United States" supports), not the letters "u" and "s":
    a model's bottom line saying "The U.S. President has delegated …" of a memorandum that
    spells out "the United States of America" was refused as unsupported."""
    missing = sorted(numbers(statement) - numbers(source))
    source_words = bare_words(source)
    undotted = _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", statement)
    missing += sorted(n for n in names(undotted) if not known(n, source_words))
    return missing


# Function words a summary adds freely; only content words are checked by ``unsourced_words``.
_FREE_WORDS = frozenset(
    """that this these those with from into over under after before about their there where
    which while would could should will have been being were what when also than then them they
    other some such only just more most very much many both each well including""".split()
)


def _stems(word: str) -> set[str]:
    """``word`` and its stem ("delegated", "delegation" → "deleg"), so a summary's other form
    of a source word is found."""
    return {word, stem(word)}


def unsourced_words(text: str, source: str) -> list[str]:
    """Content words of ``text`` (four letters or more) that ``source`` has in no form:
    a summary's paraphrase has a few ("swift" for "rapid"); a claim of its own has more
    ("highlights the challenges … and the potential for further restrictions")."""
    have = {stem for word in bare_words(source) for stem in _stems(fold(word))}
    out = []
    for word in _WORD.findall(text):
        plain = fold(bare(word))
        if len(plain) >= 4 and plain not in _FREE_WORDS and not _stems(plain) & have:
            out.append(plain)
    return out


def title_unsupported(title: str, source: str) -> list[str]:
    """Title Case makes every word look like a name, so a title is checked by its numbers, its
    all-capital tokens (acronyms, shouted payloads), and the share of its longer words that the
    source lacks (more than half: not a headline of this article)."""
    words = bare_words(source)
    problems = sorted(numbers(title) - numbers(source))
    tokens = _WORD.findall(title)
    problems += [t for t in tokens if len(t) >= 3 and t.isupper() and fold(t.lower()) not in words]
    longer = [fold(bare_lower(t)) for t in tokens if len(t) >= 4]
    absent = [t for t in longer if t not in words and t.removesuffix("s") not in words]
    if longer and len(absent) * 2 > len(longer):
        problems += absent
    return problems


# --- number values ---------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-"))
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SCALES = {
    "thousand": 10**3,
    "k": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "trillion": 10**12,
    "tn": 10**12,
}
# "1.5 million", "2 billion", "$2bn", "£3.2m", "₹500 crore" is not handled (no Indian scales).
# "m", "k" and "b" alone mean a scale only after a currency sign ("100m" may be metres).
_DIGIT_SCALE = re.compile(
    r"(?:(?P<cur>[$£€¥₹]|US\$)\s?)?(?P<num>\d+(?:\.\d+)?|\.\d+)[\s-]?"
    r"(?P<scale>thousand|million|billion|trillion|bn|mn|tn|m|k|b)\b",
    re.IGNORECASE,
)
_DENOMINATORS = {
    "half": 2,
    "third": 3,
    "quarter": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_SINGULAR = "half|third|quarter|fifth|sixth|seventh|eighth|ninth|tenth"
_PLURAL = "thirds|quarters|fifths|sixths|sevenths|eighths|ninths|tenths"
# "two-thirds", "three quarters", "one-third", "a quarter of": fractions. "a third round" and
# "a quarter century" are not, so "a"/"one" + a singular needs a hyphen or a following "of".
_FRACTION = re.compile(
    rf"\b(?:(?P<one>a|one)(?:-(?P<d1>{_SINGULAR})\b|\s+(?P<d2>{_SINGULAR})(?=\s+of\b))"
    rf"|(?P<n>two|three|four|five|six|seven|eight|nine)[\s-]+(?P<d3>{_PLURAL})\b)",
    re.IGNORECASE,
)
# Vague plurals are not numbers: "hundreds of people", "tens of thousands".
_VAGUE = re.compile(r"\b(?:tens|dozens|scores|hundreds|thousands|millions|billions)\b", re.I)
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def _plain(value: Decimal) -> str:
    """A value as the digit string the verifier compares: "1500000", "2.5", never "2.50"."""
    text = format(value, "f")  # not normalize(): it rounds to 28 digits
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(match: re.Match[str]) -> str:
    scale = match.group("scale").lower()
    if scale in ("m", "k", "b") and not match.group("cur"):
        return match.group(0)
    return " " + _plain(Decimal(match.group("num")) * _SCALES[scale]) + " "


def _fraction(match: re.Match[str], found: set[str]) -> str:
    if match.group("one"):
        numerator, word = 1, match.group("d1") or match.group("d2")
    else:
        numerator, word = UNIT_NUMBERS.index(match.group("n").lower()), match.group("d3")
    denominator = _DENOMINATORS[word.lower().removesuffix("s")]
    per_cent = Decimal(100 * numerator) / denominator
    # An exact per cent is the value ("three-quarters" = "75%"); else the fraction, "2/3".
    exact = per_cent == per_cent.to_integral()
    found.add(_plain(per_cent) if exact else f"{numerator}/{denominator}")
    return " "


def _split_compound(match: re.Match[str]) -> str:
    """ "sixty-five-year-old" → "sixty-five year old": text2num reads number words only when
    they stand apart from the words they qualify."""
    parts = match.group(0).split("-")
    out = parts[0]
    for before, part in itertools.pairwise(parts):
        joined = before.lower() in NUMBER_WORDS and part.lower() in NUMBER_WORDS
        out += ("-" if joined else " ") + part
    return out


@lru_cache(maxsize=1 << 13)
def number_values(text: str) -> frozenset[str]:
    """Every number of ``text`` as a value, in digits: "1,000" = "1000", "twenty-seven" = "27",
    "two hundred" = "200", "a thousand" = "1000", "1.5 million" = "1500000", "$2bn" =
    "2000000000", "three-quarters" = "75". A date gives its parts ("April 22" → "22"), a per cent
    its number ("40%" = "40 percent" → "40"). "one" alone is not read (too often a pronoun:
    "one of the officials"), nor are spelled ordinals or vague plurals ("hundreds of")."""
    fractions: set[str] = set()
    text = _THOUSANDS.sub("", text.translate(_DASHES))
    text = _DIGIT_SCALE.sub(_scaled, text)
    text = _FRACTION.sub(lambda m: _fraction(m, fractions), text)
    # Spelled ordinals are not compared: prose paraphrases them freely ("another round");
    # digit ordinals ("22nd") keep their digits like any number.
    text = ORDINAL.sub(" ", _VAGUE.sub(" ", text))
    text = _HYPHENATED.sub(_split_compound, text)
    digits = str(alpha2digit(text, "en", threshold=2))
    values = set(fractions)
    for match in re.finditer(r"\d+(?:\.\d+)?", digits):
        try:
            values.add(_plain(Decimal(match.group(0))))
        except InvalidOperation:  # pragma: no cover - the pattern only matches decimals
            continue
    return frozenset(values)
