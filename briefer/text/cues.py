"""Section cues that need no model: US actors, future and modal wording, earlier time.

The 1.5B model files sentences well by topic but rarely uses Background or Outlook, and files a
whole US statement under US Position, the other side's attacks included (measured on the dev and
held-out corpora). Its label is kept as the first opinion; these cues correct it where the
wording says otherwise:

- a sentence the model filed under Ground Situation about an earlier time → Background (even
  with a US subject: "In 2004, the United States … signed" is history); whose subject is a US
  actor → US Position; with future or modal wording → Outlook;
- a sentence filed under US Position whose subject is no US actor (and not a first-person
  sentence of a US government text, where "we" is the US) → decided again by the same cues,
  else Ground Situation. A US actor only as an object ("a framework … with Washington") does
  not make a US position;
- US actors are institutions and titles, the names the text introduces with a US title
  ("Press Secretary Karoline Leavitt" → "Leavitt noted …"), and, in a US government text, its
  own act as the subject ("The Order blocks …"). A former office holder is not one ("a former
  National Security Council chief"), nor is the US in what someone else is reported to say
  ("Gray told VOA that the U.S. … should");
- a sentence about the event the lead names as what set off the news ("…triggered by the April
  22 … attack" → "The attack, which killed 27, was claimed by …") → Background.

Measured on the dev corpus with the model's answers cached: placement 73 % → 84 % of recalled
facts (names with US titles 75 %, US subject required 77 %, earlier time first 80 %, a US
text's own act 84 %; former and reported 88 %, the lead's trigger 91 % and no empty section);
morning-dev unchanged or better (70 % → 72 %).

A cue alone over-fires (a fact sheet's counterfactual "would" is not an outlook), so cues only
move sentences the model filed in a neighbouring section and never move "other" or a model's
own Outlook; its Background only when the sentence tells the state now, in the present perfect or
the progressive, with no earlier time ("Nearly 10 million people have been displaced", "Cholera
is spreading" → Ground Situation; 91 → 93 % placed on dev, morning-dev unchanged). All rules are
word patterns, documented here, and a verb's form from the lexicon (words.verb_forms); no
part-of-speech tagging.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel

from briefer.text.authors import author, byline, introduction, office_before
from briefer.text.quotes import quoted_spans, unquoted
from briefer.text.words import (
    DETERMINERS,
    FUNCTION_WORDS,
    PREPOSITIONS,
    TIME_NOUNS,
    bare,
    is_name,
    lemmas,
    lexicon,
    parts_of_speech,
    verb_forms,
)

# US institutions and office holders, by title: names change, titles do not.
_US_ACTOR = re.compile(
    r"""\b(
        (the\s+)?United\s+States | U\.S\.(?!\w) | US(?=[\s’'-]) | USA\b | America\b | Americans?\b
      | Washington(?!\s+Post) | White\s+House | State\s+Department | Department\s+of\s+State
      | Pentagon | Treasury | Congress | Senate | House\s+of\s+Representatives
      | (?i:National\s+Security\s+(Adviser|Advisor|Council))
      | Secretary\s+of\s+(State|Defense|the\s+Treasury)
      | (US|U\.S\.|American)\s+(President|Secretary|envoy|officials?|ambassador|administration
            |forces|military|troops|government|Embassy|Navy|Army|diplomats?)
      | (Trump|Biden|Obama)\s+[Aa]dministration | the\s+[Aa]dministration
      | President\s+((Joe|Joseph)\s+(R\.\s+)?)?Biden | President\s+(Donald\s+(J\.\s+)?)?Trump
      | President\s+(Barack\s+)?Obama | Vice\s+President\s+(Kamala\s+)?Harris
      | Vice\s+President\s+(JD\s+|J\.D\.\s+)?Vance
      | Secretary\s+(Rubio|Blinken|Austin|Hegseth|Yellen|Bessent)
      | Press\s+Secretary | spokesperson\s+for\s+the\s+State\s+Department
    )""",
    re.VERBOSE,
)
# Future plans, deadlines, risks and warnings: what comes next. "may" only in lower case (the
# month is "May"); "would"/"could" are kept out of the strong set: a fact sheet's rationale uses
# them for counterfactuals.
_FUTURE_STRONG = re.compile(
    r"""\b(
        will | won[’']t | shall | plans?\s+to | planned | planning\s+to | intends?\s+to
      | aims?\s+to | (is|are)\s+set\s+to | (is|are)\s+expected\s+to | expects?\s+to | scheduled
      | upcoming | next\s+(week|month|year|round|step|steps|meeting|phase|session)
      | deadline | in\s+the\s+coming\s+(days|weeks|months) | later\s+this\s+(week|month|year)
      | tomorrow | stands?\s+ready | (is|are|was|were|stands?)\s+(ready|prepared)\s+to
      | is\s+likely\s+to
      | threaten(s|ed)?\s+to
      | warn(s|ed)?\s+(that|of) | could\s+face | may\s+(face|be|intervene|impose|take|soon)
    )\b""",
    re.VERBOSE,
)
_FUTURE_WEAK = re.compile(r"\b(would|could|may|might|continues?\s+to|seeks?\s+to)\b")
# Earlier time: explicit past markers. (Plain past tense is everywhere in news: not a cue.)
_PAST = re.compile(
    r"""\b(
        last\s+(week|month|year|spring|summer|autumn|fall|winter)
      | earlier\s+this\s+(week|month|year) | previously | ago | since\s+(the\s+)?(start|beginning)
      | since\s+(19|20)\d\d
      | for\s+(over\s+|more\s+than\s+|nearly\s+)?\d+\s+(long\s+)?(years|months)
      | had\s+(been|already) | decades? | history | historically | originally
      | was\s+founded | were\s+signed | was\s+signed | dates\s+back
    )\b""",
    re.VERBOSE | re.IGNORECASE,
)
# The state now: the present perfect ("have been displaced", "has spread"), the progressive
# ("is spreading"), "is now", or the day of the news ("Earlier today, Iran … launched"); the
# verb's form is the lexicon's (words.verb_forms).
_NOW = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|already\s+)?(?P<done>[a-z]+)\b"
    r"|\b(?:is|are)\s+(?:now\b|(?P<going>[a-z]+ing)\b)"
    r"|\b(?i:today|tonight)\b"
)


def _now(text: str) -> bool:
    """The sentence tells the state now (see ``_NOW``)."""
    for match in _NOW.finditer(text):
        done, going = match.group("done"), match.group("going")
        if done and verb_forms(done) & {"VBN", "VBD"}:  # a regular participle is VBD's form
            return True
        if going and "VBG" in verb_forms(going) and not future(text):
            return True  # "is spreading", not a plan: "is meeting them next week"
        if not (done or going):
            return True
    return False


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_FIRST_PERSON = re.compile(r"\b(I|we|We|our|Our|my|My|us|me)\b")
# A US government document speaks for the US in the first person (statements, readouts,
# fact sheets, briefings): "we" is then the United States.
_US_VOICE = re.compile(
    r"\b(White\s+House|Statement\s+(from|by)\s+(the\s+)?(President|Secretary|Press\s+Secretary)"
    r"|Readout|Fact\s+Sheet|Press\s+Briefing|Press\s+Gaggle|State\s+Department|Department\s+of"
    r"|Secretary\s+of\s+State|Office\s+of\s+the\s+Spokesperson|Department\s+Spokesperson)",
    re.IGNORECASE,
)


_PRONOUN_START = re.compile(
    r"^\W*(\w+\s+){0,3}?(he|she|they|his|her|their|it|its|this|these|the\s+(secretary|president"
    r"|spokesperson|envoy|official|administration|department))\b",
    re.IGNORECASE,
)


class DocumentCues(BaseModel):
    """What is known of the whole text: whether it speaks for the US, its latest year, and who
    speaks in it in the first person (its author, by surname)."""

    us_voice: bool = False
    latest_year: int | None = None
    speaker: str | None = None
    #: The capitalised words before the speaker's name where the title names them ("Vice
    #: President Kamala" in "Remarks by Vice President Kamala Harris"): the office a
    #: transcript's label "THE VICE PRESIDENT:" gives.
    speaker_office: str = ""
    #: The speaker as the text introduces them, office and whole name ("President Joe Biden",
    #: "Secretary of State Antony J. Blinken" from the byline "Antony J. Blinken, Secretary of
    #: State"): the brief names them so once, at their first statement.
    speaker_intro: str = ""
    #: Surnames the text introduces with a US title ("Press Secretary Karoline Leavitt"), so
    #: "Leavitt noted …" later in the text is a US actor too.
    us_names: frozenset[str] = frozenset()
    #: The events the lead says set off the news ("triggered by the April 22 … attack" →
    #: "attack"): a later "The attack, which …" tells what happened before, i.e. background.
    triggers: frozenset[str] = frozenset()


# A US actor, maybe a title after it, then a name: "White House Press Secretary Karoline
# Leavitt", "State Department spokesperson Tammy Bruce", "U.S. President Donald Trump".
_TITLE_WORDS = (
    r"(?:(?:Press\s+)?Secretary(?:\s+of\s+(?:State|Defense|the\s+Treasury))?|spokesperson"
    r"|spokeswoman|spokesman|Ambassador|ambassador|envoy|Special\s+Envoy|adviser|advisor"
    r"|Adviser|Advisor|official|President|Vice\s+President|Senator|Sen\.|Rep\.|Representative"
    r"|Director|Administrator|Deputy|Under\s+Secretary|Assistant\s+Secretary|General)"
)
# A person's name: a first name, maybe an initial, and one or two more names, on one line. A
# title may have a department's name before it ("Defense Secretary", "Army General").
_NAMED = re.compile(
    rf"(?:[ ]+(?:[A-Z][a-z]+[ ]+){{0,2}}?{_TITLE_WORDS})*[ ]+"
    r"(?P<name>[A-Z][a-z]+(?:[ ][A-Z]\.)?(?:[ ][A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})"
    # in running text, not a title line in title case: a lower-case word, a stop or a
    # possessive follows ("National Security Advisor Jake Sullivan’s Call with …")
    r"(?=[,.;:)]|[’']s\b|[ ]+[a-z(“\"])"
)
_NOT_NAMES = re.compile(
    rf"^(?:{_TITLE_WORDS}|Department|House|States|Council|Office|Agency|Command|Corps|Army"
    r"|Navy|Force|Forces|Guard|Service|Bureau|Committee|Group|Institute|Center|Strategies"
    r"|Assistance|Program|Act|Agreement|Security|National|Central|Military|Statement|Remarks"
    r"|Readout|Message|Ahead)$"
)


def title_case(line: str) -> bool:
    """A line in title case: every word but the function words capitalised."""
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", line) if w.lower() not in FUNCTION_WORDS]
    return len(words) > 2 and all(w[0].isupper() for w in words)


def us_names(text: str) -> frozenset[str]:
    """Surnames the text gives with a US title or institution in front of them. In a title line
    in title case a lower-case word ends no name ("… Announces New Aid for Sudan")."""
    found = set()
    for match in _US_ACTOR.finditer(text):
        named = _NAMED.match(text, match.end())
        line = text[text.rfind("\n", 0, match.start()) + 1 :].split("\n", 1)[0]
        if named and re.match(r"[ ]+[a-z]", text[named.end() :]) and title_case(line):
            continue
        if named:
            words = named.group("name").split()
            if not any(_NOT_NAMES.match(w) or _US_ACTOR.fullmatch(w) for w in words):
                found.add(words[-1])
    return frozenset(found)


# "…triggered by the April 22 Pahalgam terror attack in Jammu…": the event's phrase, up to a
# preposition or a stop; its last word is the event ("attack").
_TRIGGER = re.compile(
    r"\b(?:triggered|sparked|prompted|provoked|set\s+off|caused|precipitated)\s+by|in\s+the\s+wake"
    r"\s+of|in\s+(?:response|retaliation)\s+(?:to|for)"
)
_EVENT_PHRASE = re.compile(
    r"\s+(?:the|a|an|last\s+\w+[’']s)\s+(?P<phrase>(?:[\w’'-]+\s+){0,6}?[a-z][a-z-]+)"
    r"(?=\s+(?:in|on|at|of|by|that|which|near|against|and)\b|[,.;:]|$)"
)


def triggers(lead: str) -> frozenset[str]:
    """The events the lead names as what set off the news (their head nouns)."""
    found = set()
    for match in _TRIGGER.finditer(lead):
        phrase = _EVENT_PHRASE.match(lead, match.end())
        if phrase:
            found.add(phrase.group("phrase").split()[-1].lower())
    return frozenset(found)


# A title that names its author by office: "Remarks by President Biden on …", "President Biden
# Statement Ahead of …", "Secretary Blinken's Remarks …".
_OFFICE_AUTHOR = re.compile(
    r"\b(?:President|Vice\s+President|Secretary|Ambassador|Senator)\s+[A-Z][\w’'.-]+"
)
# What a US officer's text says of its own government: other governments have no
# "Administration", and a foreign leader's statement seldom names the United States first.
_US_SELF = re.compile(
    r"\b(?:my|our|this|the\s+\w+(?:-\w+)?)\s+Administration\b|\bthe\s+United\s+States\b"
)


def _us_officer_speaks(title: str, first_line: str, text: str) -> bool:
    """A first-person text by a US office-holder named in its title ("President Biden Statement
    Ahead of …"): its "we" is the US, as in a text from the White House."""
    line = next((t for t in (title, first_line) if author(t)), "")
    return bool(line and _OFFICE_AUTHOR.search(line) and _US_SELF.search(text))


def document_cues(title: str, text: str, date: str | None = None) -> DocumentCues:
    """What is known of the whole text; ``date`` (ISO, its publication date) counts among its
    years, so "in 2024" in a text of 2025 is earlier time."""
    head = " ".join([title, text[:400]])
    years = [int(y) for y in _YEAR.findall(text)]
    if date and _YEAR.match(date[:4]):
        years.append(int(date[:4]))
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    speaker = author(title) or author(first_line) or byline(text)
    return DocumentCues(
        us_voice=bool(_US_VOICE.search(head)) or _us_officer_speaks(title, first_line, text),
        latest_year=max(years, default=None),
        speaker=speaker,
        speaker_office=office_before(speaker, title) if speaker else "",
        speaker_intro=introduction(speaker, text, title, first_line) if speaker else "",
        us_names=us_names(f"{title}\n{text}"),
        triggers=triggers(first_line),
    )


# What the speaker holds ought to be, not what is: "The RSF must stop their assault …" in a
# president's statement is his demand, not a fact.
_DEONTIC = re.compile(r"\b(?:must|should|ought\s+to|needs?\s+to)\b")


def voiced(text: str, speaker: str | None, *, always: bool = False) -> str:
    """A first-person statement, or one saying what must or should be, with its speaker named
    ("Biden: I call on …", "Biden: The RSF must stop …"), so a reader of the brief can tell who
    speaks; unchanged when it already names them or is neither (quotations of others aside).
    ``always``: every line is voiced, as each line of one speaker's statement is their view
    ("Georgian citizens have a right to …" is Biden's, not the brief's)."""
    if not speaker or speaker.casefold() in text.casefold():
        return text
    own = unquoted(text)
    if not always and not speaks_first_person(text) and not _DEONTIC.search(own):
        return text
    return f"{speaker}: {text}"


# "a former National Security Council chief": who once held a US office speaks for himself.
_FORMER = re.compile(r"\b(?:former|ex-|retired)\s*(?:\w+\s+){0,1}$", re.IGNORECASE)
# A speech verb before the US actor: "Gray told VOA that the U.S. … should" is Gray's view.
_REPORTED = re.compile(
    r"\b(?:said|says|told|tells|argued|argues|warned|warns|noted|notes|added|believes|wrote"
    r"|writes|according\s+to)\b"
)


def _us_positions(text: str, doc: DocumentCues | None) -> list[int]:
    """Where US actors stand in ``text``: institutions and titles, and the text's US names."""
    found = [m.start() for m in _US_ACTOR.finditer(text)]
    for name in doc.us_names if doc else ():
        found += [m.start() for m in re.finditer(rf"\b{re.escape(name)}\b", text)]
    return sorted(at for at in found if not _FORMER.search(text[max(0, at - 20) : at]))


def us_actor(text: str, doc: DocumentCues | None = None) -> bool:
    return bool(_us_positions(text, doc))


# What a US government text calls its own act or itself: "The Order blocks …", "This action
# …", "The Department is designating …".
_INSTRUMENT = re.compile(
    r"^\W*(?:The|This|These|Today[’']s)\s+(?:Executive\s+)?(?:Order|Proclamation|Memorandum"
    r"|[Aa]ctions?|[Rr]ule|[Ss]anctions|[Dd]esignations?|[Dd]etermination|[Mm]easures?"
    r"|Administration|Department|Secretary|President|Embassy|Government)\b"
    # A readout's "The two leaders": the President is one of them.
    r"|^\W*(?:The|Both)\s+(?:two\s+)?leaders\b"
)


def _after_preposition(text: str, at: int) -> bool:
    """Whether the words before ``at`` end on a preposition, an article between them
    ("According to a U.S. congressional report, …")."""
    raw = text[:at].split()
    words = [bare(w) for w in raw]
    if words and words[-1] in ("a", "an", "the"):
        words.pop()
    # "Department of the Treasury": one name, not a preposition's object
    if len(words) >= 2 and words[-1] == "of" and raw[len(words) - 2][:1].isupper():
        return False
    return bool(words) and words[-1] in PREPOSITIONS


_SUBORDINATE = re.compile(
    r"^\W*(?:Since|After|When|Because|While|Although|Though|If|Before|Until|Once|Despite)\s"
)


def us_subject(text: str, doc: DocumentCues | None = None) -> bool:
    """A US actor among the sentence's first words: the sentence is about what the US did. In
    a US government text, its own act as the subject ("The Order blocks …") counts too."""
    if doc is not None and doc.us_voice and _INSTRUMENT.match(text):
        return True
    # "“We’ve mobilized more than $60 billion …,” national security adviser Jake Sullivan
    # told VOA": who speaks the opening quotation is the sentence's subject.
    spans = quoted_spans(text)
    if spans and not text[: spans[0][0]].strip() and (rest := text[spans[0][1] :].strip(" ,")):
        return us_subject(rest, doc)
    # A US actor after a preposition is its object ("Ukraine's ambassador to the United States,
    # …"), not the subject: the next one may be.
    # Nor is one inside a quotation: "Spector said, “Now that President Trump has …”" is his.
    found = [
        at
        for at in _us_positions(text, doc)
        if not _after_preposition(text, at) and not any(a < at < b for a, b in spans)
    ]
    if not found:
        return False
    head = text[: found[0]]
    # "Since the United States delivered justice to bin Laden 11 years ago, Zawahiri has been
    # …": a US actor in an opening subordinate clause is not the subject; the main clause is.
    if _SUBORDINATE.match(head) and (comma := text.find(", ", found[0])) > 0:
        return us_subject(text[comma + 2 :], doc)
    # "President Arévalo, after talks with Rubio, said …": the subject is the name before the
    # aside that the US actor stands in.
    if "," in head:
        first = head.split(",", 1)[0].split()
        if (
            first
            and all(word[:1].isupper() for word in first)
            and is_name(first[0])
            and not first[0].endswith("ly")  # "Finally, the Department of the Treasury …"
            and not _us_positions(" ".join(first), doc)
        ):
            return False
        # "At my direction, to support the defense of Israel, the U.S. military moved …":
        # past opening phrases, the subject is what follows them.
        *opening, lead = head.split(",")
        if all(opens_a_phrase(piece) for piece in opening):
            head = lead
            # "In Washington, Chinese Embassy spokesperson Liu Pengyu dismissed Rubio’s
            # remarks": a verb before the US actor makes it the object.
            if first_verb(head.split()) is not None:
                return False
    return len(head.split()) <= 6 and not _REPORTED.search(head)


# Where a government restates it stands: "supports", "stands with", "has long stood with",
# "continues to support", "remains committed" / "steadfast" / "a steadfast champion".
_STANCE = frozenset("support stand remain continue commit steadfast unwavering resolute".split())
# A change or a denial is news: "no longer supports", "now supports", "does not support".
_CHANGE = frozenset("no not never longer now newly n't".split())


@lru_cache(maxsize=1 << 12)  # the selection asks for each form of each sentence, every round
def standing_position(text: str) -> bool:
    """A sentence that restates where the US stands and reports no act ("The United States
    strongly supports Tunisia's democracy …", "… stands with the Sudanese people", "… has long
    stood with …", "… remains committed to …", "… continues to support …"): a US subject, its
    main verb "supports" or "stands" with whom, "remains" with a word of commitment, "continues
    to" support or stand, or "has" and an adverb before one of them; no time, date, number,
    plan, change or denial. "The United States congratulates …", "… welcomes today's …",
    "… continues to strike …", "… no longer supports …" and "… remains closed" are news."""
    raw = text.split()
    words = [w.lower().strip(".,;:!?()“”\"'‘’") for w in raw]
    if (
        any(c.isdigit() for c in text)
        or set(words) & TIME_NOUNS
        or future(text)
        or _now(text)  # "today", "has sent", "is sending"
        or _PAST.search(text)  # "last week", "previously"
        or not us_subject(text)
    ):
        return False
    k = first_verb(raw)
    # The verb of a clause about the subject is not the sentence's ("…, which supports
    # Georgia, condemned …").
    if k is None or {"which", "who"} & set(words[:k]) or _CHANGE & set(words[: k + 2]):
        return False
    # past adverbs: "strongly supports", "has long stood", "has always supported"
    after = [
        w
        for w in words[k + 1 : k + 6]
        if not (
            "ADV" in parts_of_speech(w)
            and not lemmas(w) & _STANCE
            and w not in FUNCTION_WORDS | PREPOSITIONS
        )
    ]
    verb = lemmas(words[k])
    if words[k] == "has":
        # "has long stood with", "has always supported": the perfect of a standing; a bare
        # "has supported" is the state now (``_now``, above)
        verb, after = lemmas(after[0]) if after else frozenset(), after[1:]
    elif "VBZ" not in verb_forms(words[k]):
        return False
    if verb & {"support"}:
        return True
    if verb & {"stand"}:
        return bool(after) and (after[0] in PREPOSITIONS or after[0] == "together")
    if verb & {"continue"}:
        return len(after) > 1 and after[0] == "to" and bool(lemmas(after[1]) & {"support", "stand"})
    if verb & {"remain"}:
        return any(lemmas(w) & _STANCE for w in after[:3])
    return False


def first_verb(words: Sequence[str]) -> int | None:
    """Where ``words`` have their first verb in the past or third person ("said", "dismissed",
    "is"): a clause's, where a base form may be a noun or an infinitive ("a visit", "to
    support"), and a word after a determiner is a noun ("his remarks")."""
    return next(
        (
            k
            for k, w in enumerate(words)
            if w.islower()
            and verb_forms(bare(w)) & {"VBD", "VBZ"}
            and not (k and bare(words[k - 1]).lower() in DETERMINERS)
        ),
        None,
    )


def opens_a_phrase(piece: str) -> bool:
    """Whether ``piece`` is an opening phrase before the subject: it opens on a preposition
    ("At my direction"), "to", a participle ("Speaking in Manila") or an adverb ("Finally"), as
    the lexicon gives them ("Beijing", "Italy" are names, not such words)."""
    words = piece.split()
    # "Retired U.S. diplomat Brooks Spector said": a clause, not a phrase
    if not words or first_verb(words[1:]) is not None:
        return False
    first = bare(words[0]).lower()
    forms = verb_forms(first)
    return (
        first in PREPOSITIONS
        or "ADV" in lexicon()[0](first)  # type: ignore[operator]
        or bool(forms & {"VBG", "VBN"})
        or (first.endswith("ed") and "VBD" in forms)
    )


def future(text: str, *, strong: bool = True) -> bool:
    if _FUTURE_STRONG.search(text):
        return True
    return not strong and bool(_FUTURE_WEAK.search(text))


def earlier(text: str, doc: DocumentCues) -> bool:
    if _PAST.search(text):
        return True
    years = [int(y) for y in _YEAR.findall(text)]
    return bool(years and doc.latest_year and max(years) < doc.latest_year)


def first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(text))


def speaks_first_person(text: str) -> bool:
    """First person outside quotations: the text's own speaker says "I" or "we"."""
    return first_person(unquoted(text))


# "The attack, …", "That deadly attack …": the noun a sentence opens on.
_DEFINITE_NOUN = re.compile(r"^\W*(?:The|That|This)\s+(?:[\w’'-]+\s+){0,2}?([a-z][a-z-]+)\b")


def _retells(text: str, doc: DocumentCues) -> bool:
    """The sentence is about the event the lead says set off the news ("The attack, …")."""
    match = _DEFINITE_NOUN.match(text)
    return bool(match and match.group(1) in doc.triggers)


# "Loss of control over these revenues would empower malign actors": what would follow.
_CONDITIONAL = re.compile(r"\b(?:would|could)\b", re.IGNORECASE)
# A third person as the subject: "He made videos … calling for attacks on … our allies" is
# about him, whatever "our" follows.
_OTHER_SUBJECT = re.compile(
    r"^\W*(?:(?:None|Some|All|One|Many|Most|Each)\s+of\s+)?(?:He|She|They|His|Her|Their)\b"
)
# "we", or "I" ("I’m", "I’ve"; not an initial or a numbering: "I.", "I-95").
_WE_SUBJECT = re.compile(r"^\W*(?:[\w’'-]+,?\s+){0,2}?(?:(?i:we)\b|(?P<i>I)\b(?![.-]))")


def _argues(text: str, doc: DocumentCues) -> bool:
    """In the US government's own text, "we" as the subject is the US acting, and what would
    follow if something happened, said with no named actor as subject, is the US's argument:
    not events on the ground."""
    if not doc.us_voice:
        return False
    # "Today we abstained on a U.N. Security Council resolution", "I've just spoken with Prime
    # Minister Netanyahu": the US acts through its speaker ("Tomorrow, I will convene …" is
    # what comes next).
    if (subject := _WE_SUBJECT.match(text)) and not (subject["i"] and future(text)):
        return True
    match = _CONDITIONAL.search(text)
    if not match or first_person(text):
        return False
    head = text[: match.start()].split()
    # The first word is capitalised anyway: a noun or gerund phrase ("Loss of control",
    # "Allowing attachment") is no actor, "Iran said the sanctions would …" is one.
    opening = bool(head) and (
        head[0].endswith("ing") or (len(head) > 1 and head[1] in ("of", "to", "in", "for"))
    )
    return not any(is_name(w) for w in head[1 if opening else 0 :])


def _after_us_actor(text: str, doc: DocumentCues, before: str | None) -> bool:
    """The sentence opens on a pronoun ("He traveled from Guatemala, where he announced …")
    whose actor, the subject of the sentence before, is a US actor."""
    return bool(
        before is not None
        and _PRONOUN_START.match(text)
        and (us_subject(before, doc) or (doc.us_voice and first_person(before)))
    )


def fuse(label: str, text: str, doc: DocumentCues, before: str | None = None) -> str:
    """The section for a sentence the model filed under ``label``, corrected by the cues.
    ``before``: the sentence before it, where a pronoun's actor is ("He also urged …")."""
    if label in ("ground_situation", "us_position") and _retells(text, doc):
        return "background"  # "The attack, which killed 27, was claimed by …"
    if label == "ground_situation":
        if earlier(text, doc):
            return "background"  # "In 2004, the United States … signed": history first
        if us_subject(text, doc) or _after_us_actor(text, doc, before) or _argues(text, doc):
            return "us_position"
        if future(text):
            return "outlook"
        return label
    if label == "background" and (_now(text) or us_subject(text, doc)) and not earlier(text, doc):
        # "Nearly 10 million people have been displaced" (the state now) or a US actor's act in
        # no earlier time: read as a Ground Situation sentence is (a US act is US Position)
        return fuse("ground_situation", text, doc, before)
    if label == "us_position" and not us_subject(text, doc):
        if (doc.us_voice and first_person(text) and not _OTHER_SUBJECT.match(text)) or _argues(
            text, doc
        ):
            return label  # "we" in a White House statement is the US
        if _after_us_actor(text, doc, before) or (before is None and _PRONOUN_START.match(text)):
            return label  # "He also urged Pakistan…": the actor is in the sentence before
        if future(text):
            return "outlook"
        if earlier(text, doc):
            return "background"
        return "ground_situation"
    return label
