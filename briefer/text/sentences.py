"""Split an article into numbered sentences: the units a brief cites and is checked against.

pysbd (pure Python, rule-based) keeps "Minister S. Jaishankar", "U.S." and "Dr." whole, where a
regex splitter cuts them. Ids are 1-based positions in the article and stable for the same text.

Paragraphs are lines, except in a hard-wrapped text (a .txt or .md filled to 72-80 columns),
where a line that the wrapper broke is joined to the next (see ``paragraphs``).

Prompt injection (text addressed to the tool, not to readers) is scored by
``injection_signals``: see the comment above it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from pydantic import BaseModel

from briefer.text.words import verb_forms

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
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
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


class Sentence(BaseModel):
    id: int
    text: str
    paragraph: int

    @property
    def words(self) -> int:
        return len(self.text.split())


_LOCAL = threading.local()


def _segmenter() -> object:
    """pysbd's segmenter keeps the text being split on itself: one per thread (a morning run
    briefs several articles at once; a shared one mixed their sentences up)."""
    segmenter = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        import pysbd

        segmenter = _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


# A closing brace or bracket before a capital letter ends a sentence (pysbd joins them), so a
# fake JSON answer planted in an article is withheld alone, not with the sentence after it.
_AFTER_BRACE = re.compile(r"(?<=[}\]])\s+(?=[A-Z])")


# A company's name is no sentence end: "Golden Warrior Shipping Co. Ltd., that has engaged …"
# was cut after "Co." and again after "Ltd.".
_COMPANY_END = re.compile(r"\b(?:Co|Corp|Inc|Ltd|Pte|Pvt|Bros|Cos)\.$")
_COMPANY_NEXT = re.compile(r"^(?:Ltd|Limited|LLC|Inc|PLC|LLP|Co|Corp|GmbH|AG|S\.A)\b|^[a-z,;]")


def _split_paragraph(paragraph: str) -> list[str]:
    segmenter = _segmenter()
    pieces: list[str] = []
    for part in _AFTER_BRACE.split(paragraph):
        pieces.extend(segmenter.segment(part))  # type: ignore[attr-defined]
    out: list[str] = []
    for piece in (" ".join(p.split()) for p in pieces if p.strip()):
        if out and _COMPANY_END.search(out[-1]) and _COMPANY_NEXT.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# --- Paragraphs and hard-wrapped text ------------------------------------------------------------

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
            end = parts[-1].rstrip()[-2:]
            hyphenated = len(end) == 2 and end[1] == "-" and end[0].isalpha()
            parts[-1] = parts[-1].rstrip()
            parts.append(("" if hyphenated and line.lstrip()[:1].isalpha() else " ") + line.strip())
        else:
            parts.append(line)
        if not _continues(line, after, width):
            out.append("".join(parts))
            parts = []
    return out


def _join_broken(lines: Iterable[str]) -> list[str]:
    """Lines of a text that is not hard-wrapped, with a line that plainly stops mid-sentence
    (a comma, or a lower-case word with no closing mark) joined to a next line that goes on in
    lower case: "…under UN auspices," / "officials confirmed." is one sentence."""
    out: list[str] = []
    for line in lines:
        if (
            out
            and re.search(r"(?:[,;]|[a-z])$", out[-1].rstrip())
            and re.match(r"\s*[a-z]", line)
            and not _BLOCK_START.match(line)
        ):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


# A sentence that introduces a quotation ("…, Guo Jiakun said in a press briefing,") and the
# quotation after it, on its next line or in its next piece, are one sentence: apart, the first
# is a fragment and the second has lost its speaker.
_INTRODUCES_QUOTE = re.compile(r"[,:]\s*$")
_OPENS_QUOTE = re.compile(r"^\s*[\"“‘]")
_SPEAKER_LABEL = re.compile(r"^[A-Z][A-Z.'’ -]*:\s*$")


def split_sentences(text: str) -> list[Sentence]:
    """All sentences of ``text`` in order, paragraph by paragraph (see ``paragraphs``)."""
    pieces: list[tuple[str, int]] = []
    for index, paragraph in enumerate(paragraphs(text)):
        for piece in _split_paragraph(paragraph):
            if (
                pieces
                and _INTRODUCES_QUOTE.search(pieces[-1][0])
                and _OPENS_QUOTE.match(piece)
                and not _SPEAKER_LABEL.match(pieces[-1][0])
            ):
                pieces[-1] = (f"{pieces[-1][0]} {piece.strip()}", pieces[-1][1])
                continue
            pieces.append((piece, index))
    return [
        Sentence(id=n, text=piece, paragraph=index)
        for n, (piece, index) in enumerate(pieces, start=1)
    ]


# --- Prompt injection ---------------------------------------------------------------------------
#
# Text addressed to the tool rather than to readers. A list of phrasings always misses the next
# one, so a sentence is scored on independent features (``FEATURES``, each named):
#
# - structural markers are injections whatever they say: chat role tags ("system:"), template
#   tokens ("<|im_start|>", "[INST]"), instruction headers ("### Instruction"), planted JSON
#   with the brief's keys ({"title": …});
# - target (whom or what the text speaks of): strong (2) when it can only mean this tool or its
#   output ("your summary", "the title of the brief", "every section", "as an AI", "previous
#   instructions", "when summarising this article"); weak (1) for words that news uses too
#   (title, headline, summary, brief, response, AI, chatbot, prompt), counted only inside the
#   clause of an order, so "Forget the polls: the answer lies in turnout" pairs nothing;
# - order: clear (2) for an imperative at a clause start ("Write …", "When summarising this
#   article, describe …", "Note: ignore …"), a second-person order ("you must", "you are now"),
#   an output noun with a modal and a content verb ("the summary should say"); weak (1) for an
#   output or AI subject with a bare modal ("the response must be swift");
# - a reporting frame ("…, the minister said", "according to") outside quotation marks turns an
#   order into a report of one: one step weaker.
#
# Verdict: withheld when structural, or when target and order together reach 3 (both present);
# suspect when not withheld but the target is strong ("researchers found chatbots ignore
# previous instructions"). Suspect sentences go to the model, but compose ranks them after every
# clean sentence, and one that speaks of the brief's own output (``about_output``) never becomes
# a statement. A weak word with a weak order ("the response must be proportionate") is news.

_FLAGS = re.IGNORECASE | re.VERBOSE

_OUTPUT_NOUN = (
    r"(?:brief|summary|summaries|title|headline|bottom[\s_]line|sections?|output|response"
    r"|answer|reply|json)"
)
_AI_NOUN = (
    r"(?:AI|A\.I\.|artificial\s+intelligence|assistant|language\s+model|LLM|chat\s*bot|bot"
    r"|GPT[-\w]*|model|summari[sz]er|tool|system)"
)
# A line that opens by naming the tool it speaks to: "Summarizer: …", "AI assistant, …",
# "Brief writer — …" (a vocative, not a news subject: a name, a comma or colon, then the order).
_OPENING_ADDRESS = (
    # "The chatbot, launched in 2023, …" is a subject: an article only after "to", "dear", …
    r"^\W{0,3}(?:(?:dear|hey|hi|hello|attention|to|note\s+(?:to|for))\s+(?:the\s+|any\s+|an?\s+)?)?"
    r"(?:(?:AI|A\.I\.|automated|digital|virtual|summary|summari[sz]ing|news)\s+)?"
    r"(?:AI|A\.I\.|assistant|language\s+model|LLM|model|chat\s*bot|bot|summari[sz]er"
    r"|(?:brief(?:ing)?|summary|digest|news)\s+(?:writer|tool|bot|generator|compiler|assistant))s?"
    r"\s*(?:[:,]|\s[—–-]\s)"
)
# Who a message to the tool is for, and what it is called ("Note to the language model: …").
_ADDRESSEE = (
    r"(?:AI|A\.I\.|assistant|language\s+model|LLM|model|chat\s*bot|bot|summari[sz]er|GPT"
    r"|machine|automated\s+\w+)s?"
)
_MESSAGE = (
    r"(?:(?:new\s+)?(?:note|message|instructions?|reminder|memo|notice|request|directive|warning"
    r"|rule|order|command|task|update|guidance)|P\.?S\.?)"
)
# "… to the AI", "… for any large language model".
_TO_ADDRESSEE = r"\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|an?\s+)?(?:\w+\s+){0,2}?" + _ADDRESSEE
_MODAL = (
    r"(?:must|should|shall|needs?\s+to|has\s+to|have\s+to|is\s+to|are\s+to"
    r"|(?:is|are)\s+(?:required|expected|instructed|supposed)\s+to)"
)
# Verbs of what a text says: with an output noun and a modal they dictate the brief's content.
_CONTENT_VERB = r"""(?:say|read|state|include|mention|contain|describe|begin|start|open|end|close
    |conclude|call|use|note|emphasi[sz]e|highlight|list|repeat|claim|portray|present
    |characteri[sz]e|reflect|focus|blame|praise|omit|exclude|only\s+(?:say|contain|read)
    |be\s+(?=["“'‘])|be\s+(?:titled|called|named|written|replaced|set|changed|rewritten|only
    |exactly|just|empty|blank|left|in\s+(?:all\s+)?caps|in\s+(?:capital|upper)
    |the\s+(?:word|phrase|text|string|sentence)))"""
# An imperative a tool is given: verbs rarely at the start of a news sentence in this mood
# ("Make no mistake", "Set against", "Use of force" are left out or excluded).
_IMPERATIVE_VERB = r"""(?:ignore|disregard|forget|override|bypass|overrule|discard|write|rewrite
    |output|print|respond|reply|answer|say|state|include|insert|append|prepend|add|use|call
    |describe|portray|present|characteri[sz]e|summari[sz]e|paraphrase|begin|start|end|finish
    |conclude|repeat|replace|remove|omit|skip|exclude|delete|pretend|act\s+as|treat|mention
    |emphasi[sz]e|highlight|list|produce|generate|rename|declare|format|refer|classify|avoid
    |remember|assume|obey|comply|ensure|make\s+sure|be\s+sure|headline|leave\s+out|hide
    |suppress|downplay|play\s+down|tone\s+down|stress|praise|blame
    |put(?!\s+(?:simply|another\s+way|differently|bluntly|briefly|plainly|together|off|aside))
    |do\s+not|don['’]t|never(?!\s+(?:before|again|mind|once|has|have|had|was|were|is|did|been))
    |only\s+(?:write|output|say|respond|reply|answer|use|include|mention)|title|label)"""
# Lead-in words before an imperative: politeness, sequencing, labels ("IMPORTANT:", "Note:").
_LEAD_IN = r"""(?:(?:please|kindly|now|also|instead|then|first(?:ly)?|finally|simply|just|always
    |important(?:ly)?|urgent|note|notice|attention|reminder|ok(?:ay)?|and|so)\b[\s,:!.—-]*)*"""
_IMPERATIVE = re.compile(
    r"[\s\"“”'‘’*_(\[>#-]{0,8}" + _LEAD_IN + r"(?P<verb>" + _IMPERATIVE_VERB + r")\b"
    r"(?![-’'])(?!\s+(?:of|at|in|on|from|by|for|with|was|were|is|are|has|had|have|will"
    r"|would|could|may|might|fell|rose|grew|came|comes)\b)(?=\s+\S)",
    _FLAGS,
)
# Where a clause starts: after a colon or semicolon, an opening quote, a dash or bracket, a
# comma with "so", "and" or "then", and after a leading subordinate clause ("When summarising
# this article, describe …").
_CLAUSE_START = re.compile(
    r"[:;]\s*|[\"“‘]|(?<!\w)'|—\s*|\(|\.\.\.\s*|,\s+(?:so|and|then|and\s+then)\s+(?=\w)"
)
_LEADING_CLAUSE = re.compile(
    r"^\W*(?:when|whenever|while|if|before|after|as|for|in|once|unless|to|instead\s+of|whatever)"
    r"\b[^,.;:]{0,100},\s*",
    re.IGNORECASE,
)
# A clause ends at a full stop, colon or semicolon, or where a quotation closes on a comma
# ('"You are a liar," Trump said'; British style: 'Stop', he said).
_CLAUSE_END = re.compile(r"[.;:!?]|,[\"”’']|(?<=\S)[\"”’'],")
_REPORTING = re.compile(
    r"""\b(?:said|says|told|tells|wrote|writes|added|announced|stated|argued|argues|warned|warns
    |urged|urges|according\s+to|asked|insisted|claimed|claims|tweeted|posted|testified|declared
    |ordered|instructed|demanded|noted|explained|recalled|reported|ruled|recommended|quoted
    |typed|was\s+told|were\s+told)\b""",
    _FLAGS,
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|(?<!\w)['‘][^'’]*['’](?!\w)")


@dataclass(frozen=True)
class Feature:
    """One named signal: ``kind`` is structural, target or order; ``weight`` 1 (weak) or 2."""

    name: str
    kind: str
    weight: int
    find: Callable[[str], list[tuple[int, int]]]
    doc: str


def _regex(*alternatives: str, clause: bool = False) -> Callable[[str], list[tuple[int, int]]]:
    """Spans where any of ``alternatives`` matches; with ``clause``, each runs on to the end of
    its clause (an order's clause holds what it orders: "your task is to write X as the title")."""
    compiled = re.compile("|".join(f"(?:{a})" for a in alternatives), _FLAGS)

    def find(text: str) -> list[tuple[int, int]]:
        spans = []
        for match in compiled.finditer(text):
            end = match.end()
            if clause:
                stop = _CLAUSE_END.search(text, end)
                end = stop.start() if stop else len(text)
            spans.append((match.start(), end))
        return spans

    return find


def _clause_starts(text: str) -> list[tuple[int, int]]:
    """(where the clause begins, where its verb may stand): a leading subordinate clause
    belongs to the clause of the verb after its comma ("For the headline, use …")."""
    starts = {(0, 0), *((m.end(), m.end()) for m in _CLAUSE_START.finditer(text))}
    if lead := _LEADING_CLAUSE.match(text):
        starts.add((0, lead.end()))
    return sorted(starts)


def _imperatives(text: str) -> list[tuple[int, int]]:
    """Clauses that start with an imperative, to the clause end."""
    spans: list[tuple[int, int]] = []
    for begin, start in _clause_starts(text):
        match = _IMPERATIVE.match(text, start)
        if match:
            end = _CLAUSE_END.search(text, match.end())
            spans.append((begin, end.start() if end else len(text)))
    return spans


_TOOL_VERB = re.compile(
    r"^(?:output|print|respond|reply|answer|summari[sz]e|rewrite|paraphrase|generate|format)\b",
    re.IGNORECASE,
)


_ADDRESSED = re.compile(_OPENING_ADDRESS, re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s*(?:please\s+)?([A-Za-z’']+)")


def _addressed_orders(text: str) -> list[tuple[int, int]]:
    """A line that names the tool and then orders it: "Summarizer: say …", "AI, ignore …",
    "Digest bot — leave …" (the word after the name is a verb's base form, "you" or "do not");
    "Model, actor and activist Jane Doe …" is no order."""
    match = _ADDRESSED.match(text)
    if match is None:
        return []
    after = _NEXT_WORD.match(text, match.end())
    word = after.group(1).lower() if after else ""
    if word in ("you", "your", "do", "don't", "don’t", "never", "always", "only") or (
        "VB" in verb_forms(word)
    ):
        end = _CLAUSE_END.search(text, match.end())
        return [(0, end.start() if end else len(text))]
    return []


def _tool_imperatives(text: str) -> list[tuple[int, int]]:
    """An imperative whose verb is itself about output ("Respond only with …") names its
    target."""
    out: list[tuple[int, int]] = []
    for begin, start in _clause_starts(text):
        match = _IMPERATIVE.match(text, start)
        if match and _TOOL_VERB.match(re.sub(r"^only\s+", "", match.group("verb"), flags=re.I)):
            end = _CLAUSE_END.search(text, match.end())
            out.append((begin, end.start() if end else len(text)))
    return out


FEATURES: tuple[Feature, ...] = (
    # -- structural: always an injection
    Feature(
        "role_tag",
        "structural",
        2,
        _regex(r"^\W{0,3}(?:system|assistant|user|developer|human)\s*(?:\([^)]*\)\s*)?:"),
        'a chat role label opens the line: "SYSTEM:", "Assistant:"',
    ),
    Feature(
        "template_token",
        "structural",
        2,
        _regex(
            r"<\|[\w-]+\|>",
            r"\[/?(?:INST|SYS|SYSTEM)\]",
            r"<</?SYS>>",
            r"</?(?:system|instructions?|prompt|im_start|im_end)>",
        ),
        "chat-template tokens: <|im_start|>, [INST], <<SYS>>, <system>",
    ),
    Feature(
        "instruction_header",
        "structural",
        2,
        _regex(r"^\W{0,3}\#{1,6}\s*(?:system|instructions?|response|prompt|assistant|user|task)\b"),
        'an instruction-format header: "### Instruction", "### Response"',
    ),
    Feature(
        "markup_comment",
        "structural",
        2,
        _regex(r"<!--", r"^\W{0,3}\[//\]\s*:\s*\#"),
        'a comment in markup, which no reader sees: "<!-- … -->", "[//]: # (…)"',
    ),
    Feature(
        "planted_json",
        "structural",
        2,
        _regex(
            r"[{,]\s*[\"“'](?:title|bottom_line|background|us_position|ground_situation|outlook"
            r"|sections?|summary|headline|statements?)[\"”']\s*:"
        ),
        'a JSON object with the brief\'s keys: {"title": …}',
    ),
    # -- target: this tool or its output (strong), or a word news uses too (weak)
    Feature(
        "own_output",
        "target",
        2,
        _regex(
            r"\byour\s+(?:brief|summary|summaries|answer|response|output|reply|title|headline"
            r"|bottom\s+line|sections?|json)\b",
            r"\b(?:title|headline|bottom\s+line|sections?|summary|first\s+line|opening|heading)"
            r"\s+of\s+(?:the|this|your|any|each|every)\s+(?:brief|summary|output|response|answer"
            r"|reply)\b",
            r"\b(?:the|this)\s+brief['’]s\b",
            # "every section", but not "every section of the wall"
            r"\b(?:every|each|all(?:\s+the)?|both)\s+(?:of\s+the\s+)?sections?\b"
            r"(?!\s+of\s+(?!(?:the|this|your)\s+(?:brief|summary|output|response|answer)\b))",
            r"\bbottom\s+line\s+up\s+front\b",
            r"\b(?:background|us\s+position|ground\s+situation|outlook)\s+section\b",
            r"\b(?:us_position|ground_situation|bottom_line)\b",
        ),
        'the brief\'s own output: "your summary", "the title of the brief", "every section"',
    ),
    Feature(
        "addresses_ai",
        "target",
        2,
        _regex(
            # "as an AI", "you are now a helpful assistant", not "as a research assistant" or
            # "you are a role model"
            r"\bas\s+an?\s+(?:\w+\s+)?(?:AI|artificial\s+intelligence|language\s+model|LLM"
            r"|chat\s*bot)\b",
            r"\b(?:you\s+are|you['’]re|I\s+am)\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:\w+\s+){0,2}?"
            r"(?:AI|artificial|language\s+model|LLM|bot|chat\s*bot|GPT|summari[sz]er"
            r"|(?:helpful|virtual|digital|AI)\s+assistant|(?:AI|language)\s+model)\b",
            r"\byou\s*,\s*(?:the\s+|an?\s+)?(?:\w+\s+){0,2}?" + _ADDRESSEE + r"\s*,",
            # "any model reading this", "AI systems processing the article"
            r"\b(?:any|every|the|this|an?|all)\s+" + _AI_NOUN + r"s?\s+(?:(?:that|who)\s+"
            r"(?:is\s+)?)?(?:reading|processing|summari[sz]ing|condensing|parsing|analy[sz]ing"
            r"|reads|processes|summari[sz]es|ingesting)\s+(?:this|these|the\s+(?:above|following"
            r"|article|text|story|document|passage|page))\b",
            r"\b" + _MESSAGE + _TO_ADDRESSEE,
            r"\b(?:dear|hey|hello|hi|attention)\s*,?\s+" + _ADDRESSEE + r"\b",
            _OPENING_ADDRESS,
        ),
        'speaks to an AI: "as an AI", "any model reading this", "Note to the language model"',
    ),
    Feature(
        "prompt_words",
        "target",
        2,
        _regex(
            r"\bsystem\s+(?:prompt|message|instructions?)\b",
            r"\bjailbreak",
            r"\bdeveloper\s+mode\b",
            r"\b(?:previous|prior|above|earlier|preceding|foregoing|original|initial|existing"
            r"|former|all\s+(?:other|previous|prior))\s+(?:instructions?|prompts?|directions"
            r"|guidelines|directives|commands|context|messages)\b",
            r"\byour\s+(?:instructions|guidelines|programming|training|prompt|directives)\b",
            r"\bnew\s+(?:instructions|task|directive|role)\s*:",
            r"\byour\s+new\s+(?:task|role|instructions|goal|job|directive|identity)\b",
            r"\b(?:instructions|rules|guidelines|directions|prompts?)\s+(?:that\s+)?you\s+"
            r"(?:were|have\s+been|had\s+been)\s+given\b",
            r"\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:above|before"
            r"|said\s+before|you\s+(?:were|have\s+been)\s+told)\b",
        ),
        'the prompt itself: "previous instructions", "system prompt", "your instructions"',
    ),
    Feature(
        "reader_frame",
        "target",
        2,
        _regex(
            r"\b(?:summari[sz]\w*|condens\w*|process\w*|brief(?:ing|s)?|rewrit\w*|paraphras\w*"
            r"|ingest\w*)\s+(?:of\s+)?(?:this|the\s+(?:above|following|preceding|present"
            r"|current))\s+(?:article|text|story|document|passage|page|content|input|piece"
            r"|material|news)\b",
            r"\b(?:summari[sz]|condens|process|pars|ingest)ing\s+this\b(?=\s*[:;,.—-])",
            r"\b(?:whoever|whatever|anyone|anything)\b[^.:;]{0,30}\b(?:summari[sz]|condens"
            r"|process|pars|ingest)ing\b",
            r"\b(?:if|when|whenever|while)\s+you\s+(?:are\s+)?(?:read|summari[sz]|process"
            r"|condens|brief|writ)\w*",
        ),
        'the tool at work: "when summarising this article", "if you are processing"',
    ),
    Feature(
        "output_word",
        "target",
        1,
        _regex(r"\b" + _OUTPUT_NOUN + r"\b"),
        "a word for output that news uses too: title, headline, summary, response",
    ),
    Feature(
        "ai_word",
        "target",
        1,
        _regex(
            r"\bAI\b|\bA\.I\.|\bartificial\s+intelligence\b|\bGPT",
            r"\blanguage\s+models?\b|\bLLMs?\b|\bchat\s*bots?\b|\bprompts?\b",
            r"\binstructions\s+(?:above|below)\b",
            # not "Assistant Secretary of State", "assistant coach"
            r"\bassistants?\b(?!\s+(?:(?-i:[A-Z])|secretary|coach|director|manager|professor|editor"
            r"|attorney|principal|minister|commissioner|chief|administrator|deputy|general"
            r"|producer|referee|to\b))",
        ),
        "AI vocabulary that is also news: AI, chatbot, prompt, assistant (not Assistant X)",
    ),
    Feature(
        "tool_verb",
        "target",
        1,
        _tool_imperatives,
        'an imperative about output names its target: "Respond only with …"',
    ),
    # -- order: the text commands rather than reports
    Feature("imperative", "order", 2, _imperatives, "an imperative at a clause start"),
    Feature(
        "vocative",
        "order",
        2,
        _regex(
            r"\b" + _MESSAGE + _TO_ADDRESSEE + r"\b",
            r"^\W*to\s+(?:whoever|whatever|any(?:one|thing)?)\b[^.:;]{0,40}:",
            r"^\W*(?:dear|hey|hello|hi|attention)\s*,?\s+" + _ADDRESSEE + r"\b",
            clause=True,
        ),
        'a message addressed to the tool: "Note to the language model: …", "Dear AI, …"',
    ),
    Feature(
        "addressed_order",
        "order",
        2,
        _addressed_orders,
        'the tool named, then ordered: "Summarizer: say …", "AI, ignore …"',
    ),
    Feature(
        "second_person",
        "order",
        2,
        _regex(
            # "you must", "you're now", "you, the model, will"
            r"\byou(?:\s*,[^,.;:]{1,40},)?(?:\s+are|['’]re|\s+will|['’]ll|\s+must|\s+should"
            r"|\s+shall|\s+need\s+to|\s+have\s+to|\s+may\s+now|\s+can\s+now"
            r"|\s+have\s+been\s+(?:instructed|asked|told))\b",
            r"\bfrom\s+now\s+on\b",
            r"\bit\s+is\s+(?:important|essential|critical|crucial|vital|mandatory|required"
            r"|imperative)\s+that\s+(?:you|the\s+" + _OUTPUT_NOUN + r")\b",
            r"\byour\s+(?:new\s+|only\s+|real\s+|actual\s+)?(?:task|job|role|mission|goal"
            r"|purpose)\s+(?:is|are|will\s+be|now\s+is)\b",
            clause=True,
        ),
        'a second-person order: "you must", "you are now", "from now on"',
    ),
    Feature(
        "content_modal",
        "order",
        2,
        _regex(
            r"\b" + _OUTPUT_NOUN + r"\b[^.;:!?]{0,40}?\b" + _MODAL + r"\s+(?:only\s+|also\s+"
            r"|now\s+|always\s+|clearly\s+|instead\s+|not\s+|never\s+|explicitly\s+)*"
            + _CONTENT_VERB,
            clause=True,
        ),
        'an output noun, a modal and what to say: "the summary should say"',
    ),
    Feature(
        "subject_modal",
        "order",
        1,
        _regex(
            r"\b(?:" + _OUTPUT_NOUN + "|" + _AI_NOUN + r")s?\s+(?:\w+\s+){0,2}?" + _MODAL + r"\b"
        ),
        'an output or AI subject with a modal: "the response must …", "AI should …"',
    ),
)


@dataclass(frozen=True)
class Signals:
    """What the features found in one sentence, and the verdict."""

    structural: tuple[str, ...]
    target: int
    order: int
    reported: bool
    about_output: bool
    features: tuple[str, ...]

    @property
    def withhold(self) -> bool:
        """Clearly text addressed to the tool: never shown to the model or in the brief."""
        return bool(self.structural) or (
            self.target > 0 and self.order > 0 and self.target + self.order >= 3
        )

    @property
    def suspect(self) -> bool:
        """A weaker signal: sent to the model, but ranked after every clean sentence."""
        return not self.withhold and self.target >= 2


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` blanked out, positions kept."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _reported(text: str, reporting: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether a reporting verb (``reporting``: those outside quotation marks) outside the order
    itself (up to its first comma: "Pass this bill now, Biden told Congress") frames the order
    as a report. A verb inside the order ("Ignore what the minister said and write …") frames
    nothing."""
    start, end = span
    comma = text.find(",", start, end)
    own = (start, comma if comma >= 0 else end)
    return any(not _inside(verb, [own]) for verb in reporting)


@lru_cache(maxsize=4096)
def injection_signals(text: str) -> Signals:
    """Score ``text`` (one sentence) on ``FEATURES``; see the comment above them."""
    found = {f.name: f.find(text) for f in FEATURES}
    structural = tuple(f.name for f in FEATURES if f.kind == "structural" and found[f.name])
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    reporting = [m.span() for m in _REPORTING.finditer(_blank(text, quoted))]
    order, reported = 0, False
    order_spans: list[tuple[int, int]] = []
    for feature in (f for f in FEATURES if f.kind == "order"):
        for span in found[feature.name]:
            order_spans.append(span)
            framed = _reported(text, reporting, span)
            reported = reported or framed
            order = max(order, feature.weight - framed)  # a reported order is one step weaker
    target = 0
    for feature in (f for f in FEATURES if f.kind == "target"):
        spans = found[feature.name]
        if feature.weight >= 2 and spans:
            target = max(target, feature.weight)
        elif any(_inside(span, order_spans) for span in spans):
            # A weak word counts only inside an order's clause ("write X as the title").
            target = max(target, feature.weight)
    # A reported quote that says "your answer" is someone speaking to someone, not to the tool.
    reported = reported or bool(reporting)
    own = [span for span in found["own_output"] if not (reported and _inside(span, quoted))]
    return Signals(
        structural=structural,
        target=target,
        order=order,
        reported=reported,
        about_output=bool(own),
        features=tuple(name for name, spans in found.items() if spans),
    )


def looks_like_instruction(sentence: Sentence) -> bool:
    """Text addressed to an AI rather than to readers (prompt injection): withheld from the
    model and from the brief (counted in the verification summary)."""
    return injection_signals(sentence.text).withhold


def is_suspect(sentence: Sentence) -> bool:
    """A weak injection signal: the model sees it, but it is chosen last (``compose.select``)."""
    return injection_signals(sentence.text).suspect


def about_output(sentence: Sentence) -> bool:
    """The sentence speaks of the brief's own output (its title, sections, bottom line,
    summary): whatever the model files it as, it never becomes a statement."""
    return injection_signals(sentence.text).about_output


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
