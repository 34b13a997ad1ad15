"""Quotation marks and what they enclose, in one place: the marks, which mark opens and which
closes, and the few readings of a quotation the stages need. Every stage that looks for a
quotation asks here.

- ``quoted_spans`` / ``unquoted``: a quotation from its opening mark to its own closing mark
  (“…” or "…", empty or across lines), to set quoted words aside: the text's own voice is what is
  left ("I" inside a quotation is someone else's).
- ``quotations``: the words inside double quotes (and, by default, inside ‘…’ whose closing mark
  is not an apostrophe, as in ‘Pakistan’s strikes’), at least ``min_len`` characters: what a
  brief quotes, to be found verbatim in its source.
- ``quoted_phrases``: a short quoted phrase of any kind of mark that stands alone (after a space,
  colon or bracket, before no letter): what a planted sentence asks a brief to say.
- ``is_whole_quote``: a statement that is one quotation and nothing more.

Straight single quotes are read as quotation marks only where no letter touches them on the
outside (``single=True`` of ``quoted_spans``) or in ``quoted_phrases``: elsewhere they are too
often apostrophes ("Xi's", "the '90s")."""

from __future__ import annotations

import re
from functools import cache

from briefer.text.words import REPORTING, lemmas

#: Double quotation marks: straight, opening, closing.
DOUBLE = '"“”'
#: Single quotation marks: straight (also the apostrophe), opening, closing (also the curly
#: apostrophe).
SINGLE = "'‘’"
#: Every quotation mark.
MARKS = frozenset(DOUBLE + SINGLE)
#: Each opening mark and the mark that closes it.
PAIRS = {"“": "”", '"': '"', "‘": "’", "'": "'"}
#: The marks that open a quotation.
OPENING = "".join(PAIRS)
#: The marks that close one.
CLOSING = "".join(dict.fromkeys(PAIRS.values()))

# The opening marks, in the order the patterns try them.
_DOUBLE_OPENING = '“"'
_SINGLE_OPENING = "'‘"


def _chars(marks: str) -> str:
    """``marks`` as the inside of a character class."""
    return "".join(re.escape(m) for m in marks)


def _of(marks: str, kind: str) -> str:
    return "".join(m for m in marks if m in kind)


@cache
def _pattern(
    reading: str, length: int = 1, single: bool = False, any_order: bool = False
) -> re.Pattern[str]:
    """The one regular expression of each reading of a quotation (see the module's docstring),
    its marks from ``PAIRS``; ``length``: the fewest characters inside, or for a phrase the most."""
    if reading == "span":
        # “…” or "…": an opening mark to its own closing mark.
        found = [
            f"{re.escape(o)}[^{re.escape(PAIRS[o])}]*{re.escape(PAIRS[o])}" for o in _DOUBLE_OPENING
        ]
        if single:
            # '…' or ‘…’ that no letter touches on the outside: not an apostrophe.
            opening, closing = _chars(_SINGLE_OPENING), _chars(_of(CLOSING, SINGLE))
            found.append(rf"(?<!\w)[{opening}][^{closing}]*[{closing}](?!\w)")
        expression = "|".join(found)
    elif reading == "inside":
        # The words between an opening and a closing double mark; then, with ``single``, between
        # ‘ and a ’ that is not an apostrophe ("‘Pakistan’s strikes’").
        double = _chars(DOUBLE)
        opening, closing = _chars(_of(OPENING, DOUBLE)), _chars(_of(CLOSING, DOUBLE))
        if any_order:
            opening = closing = double
        expression = rf"[{opening}]([^{double}]{{{length},}}?)[{closing}]"
        if single:
            expression += rf"|‘([^‘\n]{{{length},}}?)’(?!\w)"
    else:  # "phrase": any mark opens and closes; a phrase stands alone
        opening, closing = _chars(OPENING), _chars(CLOSING)
        expression = rf"(?:^|(?<=[\s:(\[]))[{opening}]([^{closing}]{{1,{length}}})[{closing}](?!\w)"
    return re.compile(expression)


def quoted_spans(text: str, *, single: bool = False) -> list[tuple[int, int]]:
    """Where each quotation of ``text`` is, its marks included: “…” or "…"; with ``single`` also
    '…' or ‘…’ that no letter touches on the outside."""
    return [m.span() for m in _pattern("span", single=single).finditer(text)]


def unquoted(text: str, fill: str = " ") -> str:
    """``text`` with each “…” or "…" quotation replaced by ``fill``: the text's own words."""
    return _pattern("span").sub(fill, text)


def quotations(
    text: str, *, min_len: int = 2, single: bool = True, any_order: bool = False
) -> list[str]:
    """The words inside each quotation of ``text``, as written (not stripped), at least
    ``min_len`` characters: in double quotes (opened by " or “, closed by " or ”) and, with
    ``single``, in ‘…’ whose closing mark no letter follows. ``any_order``: any double mark
    opens or closes, so a model's “…“ or ”…” still counts (it pairs " with a nested “ too)."""
    found = _pattern("inside", min_len, single, any_order).findall(text)
    return [next(q for q in m if q) if isinstance(m, tuple) else m for m in found]


def quoted_phrases(text: str, max_len: int = 80) -> list[str]:
    """The words of each short quoted phrase (at most ``max_len`` characters, any kind of mark)
    that stands alone: after the start, a space, a colon or a bracket, and before no letter."""
    return _pattern("phrase", max_len).findall(text)


def is_whole_quote(text: str) -> bool:
    """Whether ``text`` is one double-quoted quotation and nothing more, a full stop or
    exclamation mark aside (""The military has taken control."")."""
    body = text[:-1] if text.endswith((".", "!")) else text
    return bool(_pattern("inside", 1, False).fullmatch(body))


def opens_quote(text: str) -> bool:
    """Whether ``text`` starts (after any space) with a mark that opens a quotation: ", “ or ‘."""
    start = text.lstrip()[:1]
    return bool(start) and start in ('"', "“", "‘")


def open_after(text: str, open_before: bool = False) -> bool:
    """Whether a double quotation is still open at the end of ``text``, given whether one was
    open at its start: “ opens, ” closes, a straight " does the other."""
    return _walk(text, open_before)[0]


def outside(text: str, open_before: bool = False) -> str:
    """The words of ``text`` outside its double quotations, given whether one was open at its
    start (the narrator's words: "… ,” van Rij told VOA.")."""
    return _walk(text, open_before)[1]


def _walk(text: str, state: bool) -> tuple[bool, str]:
    kept: list[str] = []
    for char in text:
        if char == "“":
            state = True
        elif char == "”":
            state = False
        elif char == '"':
            state = not state
        elif not state:
            kept.append(char)
            continue
        kept.append(" ")
    return state, "".join(kept)


def left_open(paragraphs: list[tuple[int, str]]) -> list[tuple[bool, bool]]:
    """For each sentence ``(paragraph, text)`` in text order: whether a double quotation is
    open at its start and at its end, reading each paragraph from the start (a quotation
    runs over several sentences: “The U.S. seemed … Ukraine. That means … ,” van Rij said.)."""
    states: list[tuple[bool, bool]] = []
    paragraph, state = None, False
    for number, text in paragraphs:
        if number != paragraph:
            paragraph, state = number, False
        end = open_after(text, state)
        states.append((state, end))
        state = end
    return states


def unattributed(paragraphs: list[tuple[int, str]]) -> set[int]:
    """The indexes of the sentences ``(paragraph, text)`` that lie in a quotation running past
    them (open at their start or at their end) and name no speaker of their own: no reporting
    verb in their words outside it (“The U.S. seemed to have taken away …” and "Now the balance
    … is probably in Ukraine's favor." before "…,” Barry told Agence France-Presse.")."""
    found: set[int] = set()
    for k, ((_, text), (start, end)) in enumerate(
        zip(paragraphs, left_open(paragraphs), strict=True)
    ):
        if not (start or end):
            continue
        words = re.findall(r"[A-Za-z]+", outside(text, start))
        if not any(lemmas(w.lower()) & REPORTING for w in words):
            found.add(k)
    return found
