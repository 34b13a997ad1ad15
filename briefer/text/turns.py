"""Who speaks each line of a transcript: its turns' labels ("MR. KIRBY:", "THE PRESIDENT:",
"Q"), a name cased as the text spells it, an office as the document's speaker holds it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefer.text.cues import DocumentCues
from briefer.text.line_filters import without_speaker
from briefer.text.sentences import Sentence

# A transcript turn: "MR. KIRBY:", "SECRETARY BLINKEN:", "AMBASSADOR THOMAS-GREENFIELD:", "THE
# VICE PRESIDENT:": the label's last word is the name (or the office), the words before it
# (up to two) a title, given names or the office's first words.
_TURN = re.compile(
    r"^(?:(?:MR|MS|MRS|DR|SECRETARY|AMBASSADOR|GENERAL|ADMIRAL|SENATOR|PRESIDENT)\.?\s+)?"
    r"(?P<before>(?:[A-Z][A-Z’'.-]+\s+){0,2})(?P<name>[A-Z][A-Z’'-]+):"
)
# Turns that speak for nobody the brief can name, and a memorandum's header labels.
_NOT_SPEAKERS = frozenset(
    {"MODERATOR", "OPERATOR", "Q", "QUESTION", "STAFF", "PARTICIPANT"}
    | {"SUBJECT", "TO", "FROM", "RE", "DATE", "CC", "ATTENTION", "MEMORANDUM"}
)
# Labels that give an office, not a name: the document's named speaker holds it.
_TITLES = frozenset(
    {"President", "Secretary", "Ambassador", "Chairman", "Chair", "Minister", "Spokesperson"}
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


def _office(text: str) -> str:
    """The office a turn's label gives ("THE VICE PRESIDENT:" → "Vice President"), or ''."""
    match = _TURN.match(text)
    if not match or _cased(match.group("name")) not in _TITLES:
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
    return " " not in office and not _TITLES & set(held.split())


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
