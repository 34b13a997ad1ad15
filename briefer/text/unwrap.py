"""Paragraphs of a text: its lines, or in a hard-wrapped text (a .txt or .md filled to 72-80
columns) the lines that the wrapper broke joined again (see ``paragraphs``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

#: Widest column a hard-wrapped text is filled to; longer lines are paragraphs of their own.
MAX_WRAP_WIDTH = 100
#: No one wraps prose narrower than this; a text of short lines is a list, not a wrapped text.
MIN_WRAP_WIDTH = 40

# A line that starts a block of its own: a list item, a Markdown heading, quote, table row or
# fence, a rule, a transcript's speaker label ("MR. KIRBY:", "Q", "MODERATOR:") or a dateline.
_BLOCK_START = re.compile(
    r"""^\s*(
        [-*+•–·]\s | \d{1,3}[.)]\s | [a-z][.)]\s | \#{1,6}\s | > | \| | ```| ~~~
      | (-{3,}|\*{3,}|_{3,})\s*$
      | Q(\s|:|$) | (?:[A-Z][A-Za-z.'’-]*\s){0,3}?[A-Z][A-Z.'’-]+:(\s|$)
      | [A-Z][A-Z.'’-]+(\s[A-Z][A-Z.'’-]+){0,3}\s[—–]\s                   # WASHINGTON —
      | \d{1,2}:\d{2}\s*[AaPp]\.?[Mm]\b                                     # 11:12 A.M. EDT
    )""",
    re.VERBOSE,
)
_SENTENCE_END = re.compile(r"[.!?:;][\"”’')\]]*\s*$")


def _lines(text: str) -> list[str]:
    """Lines of ``text`` whatever their ends: CRLF (Windows), lone CR (old Mac), LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u2029", "\n\n").replace("\u2028", "\n").split("\n")


def wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped text was filled to, or None when it is not hard-wrapped.

    Decided for the whole text, from the lines that could continue on the next line (the next is
    not blank and starts no list item, heading or speaker turn): in a wrapped text most of them
    end mid-sentence near a common width of at most ``MAX_WRAP_WIDTH``. A text of one paragraph
    a line (most are longer, or they end with a full stop) is not wrapped, so its title lines and
    one-line paragraphs stay as they are."""
    lengths: list[int] = []
    open_ends = 0
    for line, after in pairwise(lines):
        if line.strip() and after.strip() and not _BLOCK_START.match(after):
            lengths.append(len(line.rstrip()))
            open_ends += not _SENTENCE_END.search(line)
    fitting = sorted({n for n in lengths if MIN_WRAP_WIDTH <= n <= MAX_WRAP_WIDTH})
    if len(lengths) < 2 or not fitting or open_ends * 2 < len(lengths):
        return None

    def near(width: int) -> int:
        # A greedy wrapper leaves less than a long word's room at the end of a line.
        return sum(1 for n in lengths if width - max(12, width // 5) <= n <= width)

    width = max(fitting, key=lambda w: (near(w), w))
    if near(width) < 2 or near(width) * 5 < len(lengths) * 3:
        return None
    return width


def _continues(line: str, after: str, width: int) -> bool:
    """Whether the wrapper broke ``line`` in the middle of a paragraph that goes on in
    ``after``: the next word would not have fitted, or the line stops mid-sentence and the next
    one goes on in lower case (a ragged, non-greedy wrap)."""
    if not after.strip() or re.match(r"\s*(#|\|)", line):
        return False
    first = after.split()[0]
    if _BLOCK_START.match(after):
        # A spaced dash ("Pakistan - India") wrapped to the start of a line looks like a bullet;
        # a greedy wrapper put it there only if it did not fit on a line that goes on.
        dash = first in ("-", "–") and not _SENTENCE_END.search(line)
        return dash and len(line.rstrip()) + 2 > width
    if len(line.rstrip()) + 1 + len(first) > width:
        return True
    return not _SENTENCE_END.search(line) and (first[0].islower() or first[0].isdigit())


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text``: each non-blank line, or in a hard-wrapped text the lines that
    the wrapper broke, joined again (a word hyphenated across the break is joined whole, as
    Python's textwrap breaks "de-escalation" after "de-")."""
    lines = _lines(text)
    width = wrap_width(lines)
    if width is None:
        return _join_broken(line for line in lines if line.strip())
    out: list[str] = []
    parts: list[str] = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if not line.strip():
            continue
        if parts:
            parts[-1] = parts[-1].rstrip()
            parts.append(("" if _hyphenated(parts[-1], line) else " ") + line.strip())
        else:
            parts.append(line)
        if not _continues(line, after, width):
            out.append("".join(parts))
            parts = []
    return out


def _hyphenated(line: str, after: str) -> bool:
    """A word hyphenated across the break: ``line`` ends in a letter and a hyphen ("cease-")
    and ``after`` goes on with a letter ("fire")."""
    end = line.rstrip()[-2:]
    return len(end) == 2 and end[1] == "-" and end[0].isalpha() and after.lstrip()[:1].isalpha()


def _join_broken(lines: Iterable[str]) -> list[str]:
    """Lines of a text that is not hard-wrapped, with a line that plainly stops mid-sentence
    (a comma, or a lower-case word with no closing mark) joined to a next line that goes on in
    lower case: "…under UN auspices," / "officials confirmed." is one sentence; a word
    hyphenated across the break ("cease-" / "fire …") is joined whole."""
    out: list[str] = []
    for line in lines:
        if out and _hyphenated(out[-1], line) and not _BLOCK_START.match(line):
            out[-1] = out[-1].rstrip() + line.strip()
        elif (
            out
            and re.search(r"(?:[,;]|[a-z])$", out[-1].rstrip())
            and re.match(r"\s*[a-z]", line)
            and not _BLOCK_START.match(line)
        ):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out
