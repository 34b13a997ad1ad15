"""Who speaks each line of a transcript: its turns' labels ("MR. KIRBY:", "THE PRESIDENT:",
"Q"), a name cased as the text spells it, an office as the document's speaker holds it; which of
a briefer's lines give no fact (``non_answer``) and whom a line addresses (``vocatives``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefer.text.authors import unvoiced
from briefer.text.cues import DocumentCues
from briefer.text.line_filters import without_speaker
from briefer.text.sentences import Sentence
from briefer.text.words import OFFICES

# A transcript turn: "MR. KIRBY:", "SECRETARY BLINKEN:", "AMBASSADOR THOMAS-GREENFIELD:", "THE
# VICE PRESIDENT:": the label's last word is the name (or the office), the words before it
# (up to two) a title, given names or the office's first words.
_TURN = re.compile(
    r"^(?:(?:MR|MS|MRS|DR|SECRETARY|AMBASSADOR|GENERAL|ADMIRAL|SENATOR|PRESIDENT)\.?\s+)?"
    r"(?P<before>(?:[A-Z][A-Z’'.-]+\s+){0,2})(?P<name>[A-Z][A-Z’'-]+):"
)
# Turns that speak for nobody the brief can name, a memorandum's header labels, and the kind
# of document a title line opens on ("FACT SHEET: President Biden Announces …"), with a note's
# heading.
_NOT_SPEAKERS = frozenset(
    {"MODERATOR", "OPERATOR", "Q", "QUESTION", "STAFF", "PARTICIPANT"}
    | {"SUBJECT", "TO", "FROM", "RE", "DATE", "CC", "ATTENTION", "MEMORANDUM"}
    | {"SHEET", "READOUT", "STATEMENT", "RELEASE", "ADVISORY", "UPDATE", "NOTICE", "NOTE"}
)


def _cased(name: str) -> str:
    """A name in capitals as a name is written: each part of it capitalised ("JEAN-PIERRE" →
    "Jean-Pierre", "O’BRIEN" → "O’Brien")."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), name)


def turn_speaker(text: str) -> str | None:
    """The speaker a transcript line names ("MR. KIRBY: …" → "Kirby"), if any."""
    match = _TURN.match(text)
    if not match or match.group("name") in _NOT_SPEAKERS:
        return None
    return _cased(match.group("name"))


def person_turn(text: str) -> bool:
    """Whether the line opens a turn whose label names a person right after a title or office
    ("MR. KIRBY:", "FOREIGN MINISTER LUTUNDULA:", "GENERAL RYDER:") or is an office ("THE
    PRESIDENT:"); not a fact sheet's heading in capitals ("PUTTING AMERICA FIRST:", "PRESIDENT
    DOE DELIVERS RESULTS:")."""
    match = _TURN.match(text)
    if not match or match.group("name") in _NOT_SPEAKERS:
        return False
    words = [_cased(w.strip(".")) for w in match.group(0).rstrip(":").split()]
    return words[-1] in OFFICES or (len(words) > 1 and words[-2] in OFFICES | _TITLES)


#: Titles a turn's label gives a person by ("MR. KIRBY:", "ADMIRAL KIRBY:").
_TITLES = frozenset({"Mr", "Ms", "Mrs", "Dr", "General", "Gen", "Admiral", "Adm"})


def _office(text: str) -> str:
    """The office a turn's label gives (a label of ``words.OFFICES`` gives an office, not a name:
    the document's named speaker holds it) ("THE VICE PRESIDENT:" → "Vice President"), or ''."""
    match = _TURN.match(text)
    if not match or _cased(match.group("name")) not in OFFICES:
        return ""
    words = [_cased(w) for w in (match.group("before") + match.group("name")).split()]
    return " ".join(words[1:] if words[0] == "The" else words)


def _holds(office: str, doc: DocumentCues) -> bool:
    """Whether the document's speaker holds ``office``: the title names them with it ("THE VICE
    PRESIDENT:" in "Remarks by Vice President Harris"); a one-word office ("THE SECRETARY:")
    also where the title gives them no office ("THE PRESIDENT:" is not the Vice President)."""
    held = doc.speaker_office
    if held == office or held.startswith(office + " "):
        return True
    return " " not in office and not OFFICES & set(held.split())


def turn_introductions(text: str) -> dict[str, str]:
    """Each transcript speaker's office and name as their turn's label gives them ("FOREIGN
    MINISTER MOMEN:" → "Foreign Minister Momen"), by surname: the one thing that says who a
    counterpart is whose whole name only the title gives. Only a label of three words or more
    that holds an office (``words.OFFICES``: "SECRETARY BLINKEN:" or "MR. KIRBY:" says no more
    than the surname, "NOTE TO EDITORS:" names nobody), and no surname that two labels give
    differently (two speakers named Lee)."""
    labels: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = _TURN.match(line.strip())
        if not match or match.group("name") in _NOT_SPEAKERS:
            continue
        words = [_cased(w) for w in match.group(0).rstrip(":").split()]
        if len(words) >= 3 and words[0] != "The" and OFFICES & set(words[:-1]):
            phrase = " ".join(w.lower() if w.lower() in _JOINS else w for w in words)
            labels.setdefault(_cased(match.group("name")), set()).add(phrase)
    return {name: next(iter(found)) for name, found in labels.items() if len(found) == 1}


#: Words an office's name joins its parts with ("Secretary of State"), in lower case.
_JOINS = frozenset("of the for and".split())


def speakers(sentences: Sequence[Sentence], doc: DocumentCues) -> dict[int, str | None]:
    """Who speaks each sentence: the document's author until a transcript turn names someone
    ("MR. KIRBY:"), then that speaker until the next turn (an answer runs over paragraphs). A
    questioner's or moderator's turn speaks for nobody the brief can name. A name is spelt as
    the text spells it where it does ("MS. JEAN-PIERRE:" → "Jean-Pierre")."""
    out: dict[int, str | None] = {}
    current = doc.speaker
    known = {n.casefold(): n for n in (*doc.us_names, doc.speaker or "") if n}
    for sentence in sentences:
        text = sentence.text.strip()
        if without_speaker(text) != text:  # a turn starts: a label, "Q", "MODERATOR:"
            current = turn_speaker(text)
            office = _office(text)
            if office:  # "THE PRESIDENT:" in "Remarks by President Biden"
                current = doc.speaker if doc.speaker and _holds(office, doc) else None
            elif current:
                current = known.get(current.casefold(), current)
        out[sentence.id] = current
    return out


_QUESTIONERS = frozenset({"Q", "QUESTION", "REPORTER", "MODERATOR", "OPERATOR", "PARTICIPANT"})


def asked(sentences: Sequence[Sentence]) -> set[int]:
    """Ids of the sentences a questioner speaks in a transcript ("Q Thanks, John. On a
    different topic: …"): a reporter's premise or aside, not what the briefer said."""
    out: set[int] = set()
    current = ""
    for sentence in sentences:
        text = sentence.text.strip()
        if without_speaker(text) != text:  # a turn starts: "Q …", "MODERATOR: …", "MR. KIRBY: …"
            current = re.split(r"[:\s]", text, maxsplit=1)[0].strip(".").upper()
        if current in _QUESTIONERS:
            out.add(sentence.id)
    return out


# A briefer's answer that gives no fact: declining, deferring, or managing the room. Press
# briefings are full of them, and a name in them ("Let me take that question, Josh") made them
# look dense.
_NON_ANSWER = re.compile(
    r"""\b(
        (I[’']ll|I\s+will|I[’']d|I\s+would|let\s+me)\s+(let|leave\s+it\s+to)\s+(the\s+)?[\w\s]{1,30}?
            \s+(speak|talk|comment|characterize|answer)
      | (I[’']m|I\s+am|we[’']re|we\s+are)\s+not\s+going\s+to\s+(get\s+ahead|speculate|comment
            |go\s+into|get\s+into|talk\s+about|characterize|read\s+out|preview|negotiate|detail)
      | I\s+(won[’']t|will\s+not|can[’']t|cannot)\s+(get\s+ahead|speculate|comment|go\s+into
            |get\s+into|characterize|preview|confirm)
      | I\s+(don[’']t|do\s+not)\s+have\s+(anything|any\s+(more|further|additional|updates?
            |specifics|details)|more|an\s+update|a\s+(readout|comment)|specifics)
      | (get|come)\s+back\s+to\s+you | take\s+that\s+question | (I[’']d|I\s+would|I[’']ll|I\s+will)
            \s+refer\s+you | refer\s+you\s+to
      | (can|should|will|would)\s+(best\s+)?speak\s+(to|for)\s+(their|its|his|her|that|this)\b
      | ^\W*(that|it)[’']?s\s+(really\s+)?(between\s+\w+\s+and\b|up\s+to\s+(him|her|them|the)\b)
      | I[’']m\s+afraid\s+I[’']m\s+going\s+to | not\s+going\s+to\s+be\s+able\s+to\s+(say|comment
            |go|get|talk)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Courtesy, or a bare "No."/"Yes." — not "No connection to Ukraine." (a fact) nor "Thanks to
# these deployments, we helped Israel …" (a cause).
_ONLY_COURTESY = re.compile(
    r"^\W*(?:(?:thanks?|thank\s+you|okay|ok|sure|yeah|right|great|good)\b"
    r"(?:[\s,]+[\w’'.]+){0,3}[.!]?$"
    r"|(?:yes|no|nothing)(?:[\s,]+(?:yes|no|sir|ma[’']am|thanks))*[.!]?$"
    r"|(?:and\s+)?(?:thanks\s+for|thank\s+you\s+(?:for|to))\b)",
    re.IGNORECASE,
)


def non_answer(text: str) -> bool:
    """A line that declines, defers or only manages the room ("I'll let the Israelis speak to
    that.", "Let me take that question and get back to you.", "Nothing."): no fact for a brief."""
    bare = unvoiced(text)
    return bool(_NON_ANSWER.search(bare) or _ONLY_COURTESY.match(bare))


# A name used to address someone ("Yeah, David, …", "…, Josh."): who is spoken to, not a fact.
_VOCATIVE = re.compile(
    r"(?:^\W*(?:yeah|yes|no|well|look|so|okay|ok|sure|thanks|thank\s+you|again),\s+"
    r"(?P<lead>[A-Z][a-z]+)(?=,)"
    r"|,\s+(?P<tail>[A-Z][a-z]+)(?=[.?!]\W*$))",
    re.IGNORECASE,
)


def vocatives(text: str) -> set[str]:
    """Names the sentence addresses rather than reports (lower-cased)."""
    bare = unvoiced(text)
    return {
        (m.group("lead") or m.group("tail")).lower()
        for m in _VOCATIVE.finditer(bare)
        if (m.group("lead") or m.group("tail"))[:1].isupper()
    }
