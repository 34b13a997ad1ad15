"""Which lines of a text state no fact for a brief: procedure and pleasantries of a briefing,
datelines and report numbers, bylines and headings, a report's back matter, a transcript's
speaker labels and asides, and text addressed to the tool (``instructions``)."""

from __future__ import annotations

import re

from briefer.text.instructions import looks_like_instruction
from briefer.text.sentences import Sentence
from briefer.text.words import MONTH_PATTERN

# Lines that carry no reportable content: timestamps, speaker-only labels, housekeeping,
# pleasantries and the moderation of a briefing. The greeting and answer words end at a word
# boundary that is no hyphen ("No" must not match "North Korea", "Hi" not "Hiroshima" or
# "Hi-tech"), and the short answers must stand alone ("No, go ahead.", not "No one was hurt.").
_PROCEDURAL = re.compile(
    r"""^(
        \d{1,2}:\d{2}(\s*[AaPp]\.?[Mm]\.?)?(\s+[A-Z]{2,4})?\.?   # 1:32 P.M. EST
      | [A-Z]{2,4}                                           # EDT
      | (Q|MR\.?\s+[A-Z]+|MS\.?\s+[A-Z]+|[A-Z .]{2,30}):        # Q:  MR. KIRBY:
      | (END|\#\#\#|\*\*\*|-{3,})
      | You\s+are\s+(hereby\s+)?authorized\s+and\s+directed\s+to\s+publish\s+this\s+\w+   # a memo's
            (\s+\w+){0,4}\s+in\s+the\s+Federal\s+Register\.?                   # closing line
      | (Thank\s+you|Thanks(?!\s+to\s+(?!(you|all|everyone|everybody)\b))
            |Good\s+(morning|afternoon|evening))(?![\w-])[^.?!]{0,40}[.!?—-]*
      | (Sorry|Hey|Hi|Hello)(?=\s*[,.!?—]|\s*$)[^.?!]{0,40}[.!?—-]*
      | (Go\s+ahead|Next\s+question|Okay|OK|All\s+right|Sure|Yeah|Yes|No)(?=\s*[,.!?—]|\s*$)
            [^.?!]{0,25}[.!?—-]*
      | (Our\s+)?(next|last|final|first)\s+question\s*([,.:!?—-].{0,60}|(is|will|comes|goes)\b
            .{0,60}|)
      | .{0,60}\b(we['’]ll|we\s+will|let['’]s|I['’]ll)\s+(take|go\s+to|get\s+to|move\s+to)\s+
            (a\s+|the\s+|one\s+|two\s+|few\s+|couple\s+|of\s+|more\s+|next\s+|last\s+|final\s+
            |your\s+|our\s+|some\s+|other\s+|just\s+)*(questions?|callers?|calls?|line)\b.*
      # A speech's closing blessing: "May God protect our troops …", "God bless America."
      | (And\s+)?(May\s+)?God\s+(bless|protect|keep|save)\b.{0,100}
      # A pointer to another document: "For more information on today's action, please see
      # the Department of the Treasury's press release."
      | (For\s+(more|further|additional)\s+(information|details)\b
        | (More|Further|Additional)\s+(information|details)\s+(is|are|can\s+be)\s+
            (available|found)\b).{0,160}
      | (Please\s+)?(see|visit|refer\s+to|read)\s+.{0,120}\bfor\s+(more|further|additional)
            \s+(information|details)\b.{0,40}
      | .{0,60}\b(we['’]ll|we\s+will|let['’]s|I['’]ll)\s+take\s+(one|two|a\s+couple|a\s+few)\s+
            more\s*([,.!—-].{0,40}|(from|here|there|in)\b.{0,40}|)
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
# Header lines of reports and wire copy: a dateline ("Sunday, August 6, 2006"), "Updated <date>
# (<report number>)", a report number alone. Whatever is left after removing the date, report
# numbers and the header words must be at most a word for the line to be a header.
_MONTH = MONTH_PATTERN + r"\.?"
_HEADER_PARTS = re.compile(
    r"""(
        (?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?
      | """
    + _MONTH
    + r"""\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?
      | \d{1,2}\s+"""
    + _MONTH
    + r"""(?:\s+\d{4})?
      | \d{4}-\d{2}-\d{2} | \d{1,2}/\d{1,2}/\d{2,4}
      | \(?\b[A-Z]{1,4}-?\d{3,6}\b\)?          # (R47256), IN12345
      | \b(?:updated|published|posted|last|version|report|no\.?|page|\d{4}|at|on|by|[|·•—–-])\b
      | \d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?
    )""",
    re.VERBOSE | re.IGNORECASE,
)


# Small words a title-cased heading or byline leaves lower case.
_HEADING_LOWER = frozenset("of the and for to on in at a an by with under from de al bin".split())


def is_heading_line(text: str) -> bool:
    """A byline, an office, a heading or a signature ("Antony J. Blinken, Secretary of State",
    "Office of the Spokesperson", "Delegation of Authority Under Section 506(a)(1) of the
    Foreign Assistance Act of 1961", "JOSEPH R. BIDEN JR."): every word capitalised but the
    small ones, no closing full stop (an all-capitals line of up to 6 words may have one). Or a
    line that only introduces what follows ("The below is attributable to Spokesperson Ned
    Price:"). Neither states a fact."""
    text = text.strip()
    if text.endswith(":"):
        return True
    words = [w.strip(",;()[]\"“”'’") for w in text.split()]
    words = [w for w in words if w[:1].isalpha()]  # "506(a)(1)", "1961" say nothing here
    if len(words) < 2:
        return False
    if len(words) <= 6 and all(w.isupper() for w in words):
        return True
    if len(words) > 16 or re.search(r"[.!?][\"”’')]*$", text):
        return False
    return all(w[0].isupper() or w.lower() in _HEADING_LOWER for w in words)


# Headings of a report's back matter: what follows them is about the document, not the news.
_BACK_MATTER = re.compile(
    r"^\W*(?:disclaimer|author\s+(?:contact\s+)?information|about\s+the\s+authors?"
    r"|acknowledge?ments?|copyright(?:\s+notice)?|legal\s+notice|(?:foot|end)notes"
    r"|references|bibliography)\W*$",
    re.IGNORECASE,
)
# A report's boilerplate paragraph that comes without a heading.
_BOILERPLATE = re.compile(
    r"^\W*This\s+(?:document|report|product)\s+was\s+prepared\s+by\s+the\s+Congressional"
    r"\s+Research\s+Service\b",
    re.IGNORECASE,
)


def back_matter(sentences: list[Sentence]) -> set[int]:
    """Ids of sentences in a report's back matter: everything after a heading such as
    "Disclaimer" or "Author Information" (up to a heading of another kind), and a paragraph
    that opens "This document was prepared by the Congressional Research Service" — the
    disclaimer names Congress and the United States Government, and read as a statement it
    ranked among a report's facts."""
    out: set[int] = set()
    inside = False
    boilerplate: int | None = None
    for sentence in sentences:
        text = sentence.text.strip()
        if _BACK_MATTER.match(text):
            inside = True
        elif inside and is_heading_line(text) and len(text.split()) > 1:
            inside = False  # a heading of the text's own ("Policy Options")
        if _BOILERPLATE.match(text):
            boilerplate = sentence.paragraph
        if inside or sentence.paragraph == boilerplate:
            out.add(sentence.id)
    return out


def is_header(text: str) -> bool:
    """A dateline, an "Updated <date> (<report number>)" line or a report number: not a fact."""
    if len(text.split()) > 12 or not _HEADER_PARTS.search(text):
        return False
    rest = _HEADER_PARTS.sub(" ", text)
    return len(re.findall(r"[^\W\d_]{2,}", rest)) <= 1


# "MR. KIRBY: ", "Q " or "MODERATOR: " in front of a transcript line.
_SPEAKER = re.compile(r"^(?:Q\s+(?=[A-Z])|(?:[A-Z][A-Za-z.'’-]*\s){0,3}?[A-Z][A-Z.'’-]+:\s+)")
_MODERATOR = re.compile(r"^(MODERATOR|OPERATOR)\s*:", re.IGNORECASE)
_FULL_STOP = re.compile(r"[.!][\"”’')]*$")
# First words of three-word asides in transcripts ("I get it.", "But it didn't.").
_ASIDE_STARTS = frozenset(
    "i i'm i’m we you he she it they that that's that’s this these those there but and so "
    "anyway well now okay ok yes no sure right can let let's let’s thank thanks again look "
    "here what how why which who".split()
)


def without_speaker(text: str) -> str:
    """A transcript line without its speaker label ("MR. KIRBY: …", "Q …")."""
    return _SPEAKER.sub("", text.strip(), count=1)


def is_content(sentence: Sentence) -> bool:
    """False for procedural lines, a moderator's lines, questions, fragments too short to report,
    and instructions to an AI: none of them is a fact for a brief."""
    text = sentence.text.strip()
    if (
        _MODERATOR.match(text)
        or looks_like_instruction(sentence)
        or is_header(text)
        or is_heading_line(text)
    ):
        return False
    bare = without_speaker(text)
    if _PROCEDURAL.match(text) or _PROCEDURAL.match(bare) or bare.endswith("?"):
        return False
    words = bare.split()
    if len(words) == 3:
        # "Hiroshima was bombed." is news; "That hasn't changed." and "We did that." are a
        # speaker's asides, told apart by their first word. Title lines end without a stop.
        first = words[0].strip(",;:—-'’\"“").lower()
        return bool(_FULL_STOP.search(bare)) and first not in _ASIDE_STARTS
    return len(words) >= 4 and any(c.isalpha() for c in bare)
