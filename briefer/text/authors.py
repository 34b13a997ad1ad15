"""Who speaks a first-person document: its author as the title names them ("Statement from
President Joe Biden on Sudan") or a byline under it ("Antony J. Blinken, Secretary of State"),
how the text introduces them (office and whole name), and the speaker a statement is voiced
with ("Biden: …")."""

from __future__ import annotations

import re

from briefer.text.line_filters import without_speaker
from briefer.text.words import OFFICES, PREPOSITIONS, verb_forms

# Who speaks in a first-person document: "Statement from President Joe Biden on Sudan",
# "Press Gaggle by … Advisor John Kirby", "Remarks by Secretary Rubio at …".
_AUTHOR = re.compile(
    r"\b(?:Statement|Remarks|Message|Gaggle|Briefing|Op-?Ed|Letter|Testimony|Address|Interview)"
    r"\b.*?\b(?:from|by|of|with)\s+(?P<who>.+?)(?:\s+(?:on|at|to|before|regarding|in|for)\s+.*)?$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^[A-Z][\w’'.-]*$")
# A byline under the title: "Antony J. Blinken, Secretary of State", "Ned Price, Department
# Spokesperson", or a readout's "The below is attributable to Spokesperson Ned Price:".
_BYLINE = re.compile(
    r"^(?P<who>(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]*[a-z][\w’'-]*),\s+(?:the\s+)?"
    r"(?:(?:Department|Deputy|Acting|Principal|Senior)\s+)?(?:Secretary|Spokesperson"
    r"|Ambassador|Under\s+Secretary|Assistant\s+Secretary|Administrator|Special\s+Envoy"
    r"|Press\s+Secretary|Minister|President|Director|Senator|Representative)\b"
    r"|attributable\s+to\s+(?P<office>Spokesperson|Secretary)?\s*(?P<quoted>(?:[A-Z][\w’'.-]*\s+)"
    r"{0,3}[A-Z][\w’'-]+):?$"
)

# "President Biden Statement Ahead of …": the speaker named before the kind of document.
_AUTHOR_FIRST = re.compile(
    r"^(?:President|Vice\s+President|Secretary|Ambassador|Senator)\s+(?P<who>[A-Z][\w’'-]+)\s+"
    r"(?:Statement|Remarks|Message)\b"
)


def author(title: str) -> str | None:
    """The surname of who speaks in a titled first-person document, if the title says."""
    first = _AUTHOR_FIRST.match(title.strip())
    if first:
        return first.group("who")
    who = _author_phrase(title)
    names = [w for w in who.split() if _NAME_WORD.match(w)]
    return names[-1].strip(",.") if names else None


def _author_phrase(title: str) -> str:
    """Who the title says speaks, as it says it ("President Joe Biden" in "Statement from
    President Joe Biden on Sudan", "Secretary of State Antony J. Blinken" in "Op-Ed by
    Secretary of State Antony J. Blinken in …"); "" where it names nobody."""
    match = _AUTHOR.search(title.strip())
    if not match or match.group("who")[:1].islower() or match.group("who")[:1].isdigit():
        return ""
    # The name ends before what the statement does: "President Biden Extending the Pause on
    # …", "President Biden Marking the Anniversary of …".
    words = match.group("who").split()
    # Not the first word ("Acting Secretary Su", "Managing Director …"), the last ("Secretary
    # Manning") or one right after an office ("Senator Browning Jr."): a name or an office's.
    for k in range(1, len(words) - 1):
        if _participle(words[k]) and words[k - 1] not in OFFICES:
            return " ".join(words[:k])
    return " ".join(words).strip()


def _participle(word: str) -> bool:
    """An "-ing" word the lexicon gives as a participle ("Extending", "Marking")."""
    return word.endswith("ing") and "VBG" in verb_forms(word.lower())


def byline(text: str) -> str | None:
    """The surname in a byline among the text's first lines, if there is one."""
    found = _byline(text)
    return found[0].split()[-1].strip(",.:") if found else None


def _byline(text: str) -> tuple[str, str] | None:
    """The whole name in a byline among the text's first lines and the office it gives
    ("Antony J. Blinken", "Secretary of State"; "Ned Price", "Spokesperson")."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()][:6]
    for line in lines:
        match = _BYLINE.search(line)
        if match and len(line.split()) <= 12:
            if match.group("who"):
                office = line[match.end("who") :].strip(" ,:").removeprefix("the ")
                return match.group("who"), office
            return match.group("quoted"), match.group("office") or ""
    return None


def office_before(speaker: str, line: str) -> str:
    """The capitalised words right before the speaker's name in ``line`` ("President Joe" in
    "Statement from President Joe Biden on Sudan"); "" where none are."""
    named = re.search(rf"\b((?:[A-Z][\w’'.-]*\s+)*){re.escape(speaker)}\b", line)
    return named.group(1).strip() if named else ""


def introduction(speaker: str, text: str, title: str, first_line: str) -> str:
    """The speaker with office and whole name, as the byline gives them ("Antony J. Blinken,
    Secretary of State" → "Secretary of State Antony J. Blinken") or the title or first line
    ("President Joe Biden" in "Statement from President Joe Biden on Sudan";
    ``DocumentCues.speaker_intro``); "" where none of them does, or names two people ("Joint
    Statement by Secretary Blinken and Foreign Minister Wang Yi")."""
    by = _byline(text)
    if by and by[0].endswith(speaker):
        # capitalised words, a preposition or "the" between them ("Special Envoy for Sudan")
        words = by[1].split(",")[0].split()
        joins = PREPOSITIONS | {"the"}
        if 0 < len(words) <= 6 and all(w[0].isupper() or w in joins for w in words):
            return f"{' '.join(words)} {by[0]}"
    for line in (title, first_line):
        who = _author_phrase(line)
        words = who.split()
        # a capitalised word right before the surname: a first name, an initial or an office
        if (
            who.endswith(f" {speaker}")
            and " and " not in who
            and "," not in who
            and words[-2][0].isupper()
        ):
            return who
    return ""


def voice_in(voice: str, source: str) -> bool:
    """Whether ``source`` gives a speaker's voice of several words as the brief prints it:
    word for word ("President Joe Biden"), as a transcript's turn label ("FOREIGN MINISTER
    LUTUNDULA:"), or as a byline's name and office ("Secretary of State Antony J. Blinken" from
    "Antony J. Blinken, Secretary of State")."""
    plain = " ".join(source.split())
    if voice in plain or _turn_label(voice, source):
        return True
    words = voice.split()
    return any(
        f"{' '.join(words[k:])}, {' '.join(words[:k])}" in plain for k in range(1, len(words))
    )


def _turn_label(voice: str, source: str) -> bool:
    """The source gives the voice as a whole turn label of its own at a line's start
    ("FOREIGN MINISTER LUTUNDULA: …"), not as the tail of a longer one ("DEPUTY PRIME
    MINISTER KULEBA:" gives no "Prime Minister Kuleba")."""
    label = re.escape(voice.upper()).replace(r"\ ", r"\s+")
    return re.search(rf"(?m)^\s*{label}:", source) is not None


#: "Kirby: …", "President Joe Biden: …": the speaker a statement is voiced with, by surname or
#: introduced (``DocumentCues.speaker_intro``): three words or more in title case, initials,
#: and "of", "the", "for" between them ("Secretary of State Antony J. Blinken"), none a
#: possessive (a headline's "China's Strategic Stability: …" is no speaker).
VOICE = re.compile(
    r"^(?P<name>(?:(?:[A-Z][a-z][\w.-]*|(?:[A-Z]\.)+)\s+(?:(?:of|for|the)\s+)*){2,9}[A-Z][\w’'-]+"
    r"|[A-Z][\w’'-]+):\s+"
)


def unvoiced(text: str) -> str:
    """A statement without the speaker it is voiced with ("Kirby: …") or a transcript label."""
    return VOICE.sub("", without_speaker(text), count=1)
