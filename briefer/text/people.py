"""People a text names in full once and by surname after ("UN High Commissioner for Human Rights
Navi Pillay stated …" … "Pillay praised …"), and how the text introduces each: a statement
that opens on the surname alone means little to a reader the brief has not shown the person
to ("Hetherington last updated his Twitter account …").

A person is told from an organisation by the newswriter's habit itself: the full name once, the
surname alone after, and the first name never without the surname (so "Trump Administration" …
"the Administration" is no person: "Trump" stands alone too), and neither name is a word of the
language ("Neighboring Uganda" is no person). The introduction is the name with the title right
before it in the sentence that first gives it ("UN High Commissioner for Human Rights Navi
Pillay", "British photojournalist Tim Hetherington"); a heading gives the name alone ("Readout
of National Security Advisor Jake Sullivan's Call …"). A title set apart by commas ("Libya's
foreign minister, Abdul Ati al-Obeidi,") is left to the cited sentence: the name alone, as is a
title held for a time ("President-elect", "former"). A particle joined by a hyphen may drop
when the name repeats ("al-Obeidi" … "Obeidi"). A surname that is a word of the language too
("Trump", "Levy") needs more: a title before the whole name, or a use inside a sentence and a
title held for a time or a quotation the name speaks ("…," said Daniel Levy). Someone named
only by office and surname ("President Putin") is introduced by the office (``_titled``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefer.text.line_filters import is_heading_line
from briefer.text.quotes import quoted_spans
from briefer.text.sentences import Sentence
from briefer.text.words import (
    FUNCTION_WORDS,
    OFFICES,
    PREPOSITIONS,
    SPEECH,
    TIME_NOUNS,
    finite,
    parts_of_speech,
)

# A word as the runs read it (whether it is a name's: ``_is_name_word``).
_WORD = re.compile(r"[A-Za-z][\w’'.-]*")
# A surname's particles ("La Russa", "van Rij", "bin Salman"), and the suffixes after one ("Jr.",
# "Sr."), trimmed from a run's end like a particle.
_PARTICLES = frozenset("al el van von de der den da del di du la le bin ibn jr sr".split())
#: A run of name words, each with where it starts and ends in its text.
Run = list[tuple[str, int, int]]
#: The most words of a title before a name ("UN High Commissioner for Human Rights").
MAX_TITLE_WORDS = 7


def _initial(word: str) -> bool:
    """An initial: "R.", "J."."""
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def _connector(word: str) -> bool:
    """Between the words of a title: "Commissioner for Human Rights", "Secretary of the
    Treasury"; not "and", which joins two people ("Chris Hondros and Guy Martin")."""
    return word in PREPOSITIONS or word == "the"


# Words repeat across a text's sentences and the statements made of them: each is read once.
@lru_cache(maxsize=1 << 14)
def _is_name_word(word: str) -> bool:
    """A word of a name: capitalised with a lower-case letter after ("Pillay", "al-Obeidi",
    "O'Neil"), an initial ("R.") or a particle."""
    if _initial(word):
        return True
    bare = word.rstrip(".")
    if bare.lower() in _PARTICLES:
        return True
    # "al-Obeidi" and "Jean-Pierre", not "sub-Saharan"
    head, _, core = bare.rpartition("-")
    if head and not (head[0].isupper() or head.lower() in _PARTICLES):
        return False
    return len(core) > 1 and core[0].isupper() and any(c.islower() for c in core)


@lru_cache(maxsize=1 << 14)
def _bare(word: str) -> str:
    """A word without a possessive ending or the stop after it ("Pillay’s", "Somalia."); an
    initial keeps its stop ("R.")."""
    word = re.sub(r"[’']s$", "", word.rstrip(",;:"))
    return word if _initial(word) else word.rstrip(".")


def _role_word(word: str) -> bool:
    """A word of a title in lower case ("British photojournalist Tim Hetherington", "senior
    official"): a noun or adjective that is no verb's form ("killing", "wounded", "spoke")."""
    if not word.islower() or word in FUNCTION_WORDS or word.endswith(("ing", "ed")):
        return False
    if finite(word):  # "spoke", "met": a verb's form too
        return False
    return bool({"NOUN", "ADJ"} & parts_of_speech(word))


def _first_name(word: str) -> bool:
    """A word that may be a first name or an initial: none of the language's own words, not an
    acronym, not a surname's particle ("Until Iran", "Against Ukraine" are no names)."""
    if _initial(word):  # "J.", "A." (not the article)
        return True
    lower = word.rstrip(".").lower()
    return not (
        any(_common(part) for part in lower.split("-"))  # "President-Elect"
        or lower in FUNCTION_WORDS
        or _connector(lower)
        or word.isupper()  # an acronym
        or lower in _PARTICLES
    )


def _common(word: str) -> bool:
    """A word of the language, not only a name ("Neighboring", "Administration", "Steel")."""
    return bool(parts_of_speech(word.lower()))


@dataclass(frozen=True)
class Introduction:
    """How the text first names a person: the sentence and the words ("Navi Pillay", and with
    the title before them "UN High Commissioner for Human Rights Navi Pillay")."""

    #: the sentence that introduces them; None for the speaker of the whole text, whom its
    #: title or byline introduces (``speaker``)
    sentence: int | None
    name: str
    phrase: str
    #: the surname as the text writes it alone ("Pillay", "La Russa")
    surname: str


# A text's runs are read where the composer finds its people, where it introduces them in a
# statement and where the verifier looks for one it has not: once.
@lru_cache(maxsize=1 << 12)
def _runs(text: str) -> tuple[Run, ...]:
    """The runs of name words in ``text`` (outside quotation marks), each word with its span;
    words in a run are one space apart."""
    quoted = quoted_spans(text)
    runs: list[Run] = []
    current: Run = []
    for match in _WORD.finditer(text):
        word, start = _bare(match.group(0)), match.start()
        inside = any(a <= start < b for a, b in quoted)
        if not inside and _is_name_word(word):
            if current and text[current[-1][2] : start] != " ":
                runs.append(current)
                current = []
            current.append((word, start, start + len(word)))
            if word != match.group(0):  # "Kanyuka’s", "Pillay," end the run
                runs.append(current)
                current = []
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    # A particle in front or at the end belongs to no name ("de facto", "la"): trimmed.
    trimmed = []
    for run in runs:
        while run and run[0][0].lower() in _PARTICLES and run[0][0][0].islower():
            run = run[1:]
        while run and run[-1][0].lower() in _PARTICLES:
            run = run[:-1]
        if run:
            trimmed.append(run)
    return tuple(trimmed)


def introductions(sentences: Sequence[Sentence]) -> dict[str, Introduction]:
    """The people the text names in full (or by office, ``_titled``) and by surname alone, by
    surname as the text spells it alone ("Obeidi" for "Abdul Ati al-Obeidi", whose particle the
    text drops)."""
    runs = [(s, run) for s in sentences for run in _runs(s.text)]
    # Surnames the text uses alone: a run of one word, or of a particle and a word ("La Russa").
    alone: set[str] = set()
    for _, run in runs:
        words = [w for w, _, _ in run]
        if len(words) == 1 or (len(words) == 2 and words[0].lower() in _PARTICLES):
            alone.add(" ".join(words))
    # Surnames the text gives in full, after a first name: another person's, where a
    # particle-less form would be read as one ("al-Hassan" and "Ali Hassan").
    full = {run[-1][0] for _, run in runs if len(run) > 1}
    # Words used alone right after an acronym ("U.S. Steel"): a name's part, never a surname.
    after_acronym = {
        run[0][0]
        for s, run in runs
        if len(run) == 1 and any(w.isupper() for w in s.text[: run[0][1]].split()[-1:])
    }
    # Words used alone inside a sentence, where a capital says a name: a word of the language
    # that opens its sentences only ("People fled …", "Power was restored …") is no surname.
    named = {run[0][0] for s, run in runs if len(run) == 1 and s.text[: run[0][1]].strip(" “\"‘'(")}
    found: dict[str, Introduction] = {}
    for s, run in runs:
        words = [w for w, _, _ in run]
        for cut in range(len(words) - 1, 0, -1):
            surname = " ".join(words[cut:])
            # "Abdul Ati al-Obeidi" … "Obeidi": the text drops the particle when it repeats
            # the name; the reader knows whom it means, unless another person has that
            # surname in full ("Commander Ahmed al-Hassan" and "Minister Ali Hassan").
            written = surname
            if surname not in alone and (bare := without_particle(surname)) != surname:
                written = surname if bare in full else bare
            if written not in alone or written in found:
                continue
            first = words[cut - 1]
            # A first name, not a common word ("Neighboring Uganda", "Until Iran").
            if not _first_name(first):
                continue
            # A first name never stands without the surname ("Donald Trump", not "Trump
            # administration" … "Trump").
            if first in alone or _stands_apart(first, surname, runs):
                continue
            # The whole name: every first name and initial before the surname ("Anura Kumara
            # Dissanayake", "Joseph R. Biden").
            begin = cut - 1
            while begin > 0 and _first_name(words[begin - 1]):
                begin -= 1
            start = run[begin][1]
            # A heading's capitalised words are no title ("Readout of National Security Advisor
            # Jake Sullivan's Call with …"): the name alone.
            title = start if is_heading_line(s.text) else _title_start(s.text, start)
            # A surname that is a word of the language too only where a title introduces the
            # whole name ("President Donald J. Trump"; "Nippon Steel", "Updated June" are none).
            # (A title right before it, not a connector: "… Miller of the Woodrow Wilson
            # Center", "Kellie with NewsNation Now" are no titles.)
            before = s.text[title:start].split()
            # (A title held for a time shows a person too, though it is left out: "President-elect
            # Donald Trump"; and so does a quotation the name speaks: "…," said Daniel Levy of the
            # New America Foundation. Levy saw …)
            held = s.text[:start].split()[-1:]
            if (
                (not before or _connector(before[-1].lower()))
                and any(_common(w) for w in words[cut:] if w.lower() not in _PARTICLES)
                and not (
                    written in named
                    and (
                        (held and _office_compound(held[0]))
                        or (
                            written not in after_acronym
                            and _quoted_speaker(s.text, start, run[-1][2])
                        )
                    )
                )
            ):
                continue
            found[written] = Introduction(
                sentence=s.id,
                name=s.text[start : run[-1][2]],
                surname=written,
                phrase=s.text[title : run[-1][2]],
            )
            break
        else:
            # A family name first, the given name after it and never alone ("PRC President Xi
            # Jinping" … "Xi has invited …").
            if len(words) < 2:
                continue
            family, given = words[-2], words[-1]
            # Only as a titled person's name, as a family name first is rare: "The Comoran …",
            # "But Monday" are no names.
            start = run[-2][1]
            title = _title_start(s.text, start)
            if (
                family in alone
                and family not in found
                and title < start
                and not is_heading_line(s.text)
                and family.lower() not in FUNCTION_WORDS
                and given.lower() not in TIME_NOUNS
                and given not in alone
                and _first_name(given)
                and not _common(family)
                # the given name only ever after the family name, and the family name before
                # no other given name ("Premier Li Qiang" … "envoy Li Hui": which Li?)
                and not any(
                    (w == given and (k == 0 or other[k - 1] != family))
                    or (w == family and k + 1 < len(other) and other[k + 1] != given)
                    for other in ([w for w, _, _ in r] for _, r in runs)
                    for k, w in enumerate(other)
                )
            ):
                found[family] = Introduction(
                    sentence=s.id,
                    name=s.text[start : run[-1][2]],
                    surname=family,
                    phrase=s.text[title : run[-1][2]],
                )
    found.update(_titled(runs, alone - after_acronym, named, found))
    return found


def _titled(
    runs: Sequence[tuple[Sentence, Run]],
    alone: set[str],
    named: set[str],
    found: dict[str, Introduction],
) -> dict[str, Introduction]:
    """People a text names by office and surname and never by first name ("President Trump …"
    / "Trump upended …"): the office introduces them, as a title with the surname does in a
    brief. Where one surname follows two offices ("President Kim", "Minister Kim"), neither."""
    offices: dict[str, set[str]] = {}
    first: dict[str, tuple[Sentence, Run]] = {}
    for s, run in runs:
        words = [w for w, _, _ in run]
        surname = words[-1]
        if (
            len(words) < 2
            or words[-2] not in OFFICES
            or surname not in alone
            or surname in found
            # a word of the language only where a capital inside a sentence says a name
            # ("USAID Administrator Power" … "Power was restored …" is none)
            or (_common(surname) and surname not in named)
            or surname in OFFICES
            or surname.lower() in FUNCTION_WORDS
            or surname.lower() in TIME_NOUNS
            or is_heading_line(s.text)
        ):
            continue
        offices.setdefault(surname, set()).add(words[-2])
        first.setdefault(surname, (s, run))
    titled: dict[str, Introduction] = {}
    for surname, (s, run) in first.items():
        start = run[-1][1]
        title = _title_start(s.text, start)
        if len(offices[surname]) > 1 or title == start:  # two offices; a title held for a time
            continue
        titled[surname] = Introduction(
            sentence=s.id,
            name=s.text[run[-2][1] : run[-1][2]],
            surname=surname,
            phrase=s.text[title : run[-1][2]],
        )
    return titled


def _quoted_speaker(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start``–``end`` speaks the quotation that closes right before it,
    as a person does: "…," said Daniel Levy; "…," Daniel Levy said."""
    closing = {b for _, b in quoted_spans(text)}
    head = text[:start].rstrip()
    verb = head.rsplit(None, 1)[-1] if head else ""
    if verb.lower() in SPEECH:  # "…," said Daniel Levy
        return len(head[: len(head) - len(verb)].rstrip(" ,")) in closing
    after = text[end:].split()[:1]  # "…," Daniel Levy said
    return (
        bool(after)
        and after[0].strip(",.;:").lower() in SPEECH
        and len(head.rstrip(" ,")) in closing
    )


def without_particle(surname: str, *, cased: bool = True) -> str:
    """A surname without the particle joined to it by a hyphen ("al-Obeidi" → "Obeidi"), in
    the case it is written in; ``cased``: only where the rest is capitalised, as a name's is
    ("de-escalation" is none; a lower-cased name, as the checks read it, is passed with False)."""
    head, _, core = surname.partition("-")
    named = core[:1].isupper() or (not cased and bool(core))
    return core if head.lower() in _PARTICLES and " " not in head and named else surname


def _stands_apart(first: str, surname: str, runs: Sequence[tuple[Sentence, Run]]) -> bool:
    """Whether ``first`` is found in a run without ``surname`` after it."""
    for _, run in runs:
        words = [w for w, _, _ in run]
        for k, word in enumerate(words):
            if word == first and not " ".join(words[k + 1 :]).startswith(surname):
                return True
    return False


def _office_compound(word: str) -> bool:
    """A title joined by a hyphen ("Secretary-General", "President-elect", "Vice-President"),
    which is no name word for its lower-case part; not any compound ("Russian-backed")."""
    head, _, rest = word.partition("-")
    return bool(rest) and (
        head in OFFICES or head in ("Vice", "Deputy") or rest.lower() in ("elect", "designate")
    )


# Parts of a title held for a time only ("President-elect", "then-Senator", "ex-Minister"): the
# brief may print the name where the time differs ("… launched the DFC in 2020"), so the title
# is left out, as "former President …" is.
_PASSING = frozenset("elect designate then ex former".split())


def _passing(word: str) -> bool:
    return bool(_PASSING & set(word.lower().split("-")))


def _title_start(text: str, name_start: int) -> int:
    """Where the capitalised title before a name begins: the name words before it in its run
    and, across "for", "of" …, the run before that ("UN High Commissioner for Human Rights"),
    and the title's words in lower case ("British photojournalist"), without an opening word of
    time or a function word ("On Monday …", "The …")."""
    words = [(m.group(0), m.start()) for m in _WORD.finditer(text[:name_start])]
    start = name_start
    k = len(words) - 1
    right = ""  # the word taken just before, to the right of this one
    while k >= 0:
        word, at = words[k]
        if text[at + len(word) : start].strip(" ") or not (
            _is_name_word(word)
            or word.isupper()
            or (_office_compound(word) and not _passing(word))
            or _connector(word)
            # a title's word in lower case next to another, not across "with" ("Biden spoke
            # with Philippine President-Elect …")
            or (_role_word(word) and not _connector(right))
        ):
            break
        start, right = at, word
        k -= 1
    # Not on a connector, a function word, a word of time or a participle ("Speaking alongside
    # Guatemalan President …"). A title whose first word is then in lower case is left out
    # whole: a part of it may say the opposite ("one-time U.S. ally …", "former President …").
    while start < name_start and (match := _WORD.match(text, start)) is not None:
        lower = match.group(0).lower()
        skipped = _connector(lower) or lower in FUNCTION_WORDS or lower in TIME_NOUNS
        if match.group(0).islower() and not skipped:
            return name_start
        if not (skipped or lower.endswith("ing")):
            break
        start = match.end() + 1
    start = min(start, name_start)
    if any(_passing(w) for w in text[start:name_start].split()):  # "Former President …"
        return name_start
    # A title of more than a few words is a heading's, not a person's: the name alone.
    return start if len(text[start:name_start].split()) <= MAX_TITLE_WORDS else name_start


def introduce(
    text: str, shown: str, people: dict[str, Introduction]
) -> tuple[str, Introduction | None]:
    """``text`` with a person it names by surname alone named as the text introduces them,
    where ``shown`` (what the brief shows before it) does not name them in full; and the
    person's introduction. One person a statement: the first that is a verb's subject or owns
    something ("Pillay praised …", "Xi’s planned visit"), else the first named otherwise ("…
    according to the JX Fund’s Winterhager", "Trump and PRC President Xi Jinping"). A name that
    qualifies a noun ("the Biden administration") names no person acting, and quotations are
    left as they are."""
    found: list[tuple[bool, int, int, Introduction]] = []
    for run in _runs(text):
        words = [w for w, _, _ in run]
        person = people.get(" ".join(words))
        alone = len(words) == 1 or (len(words) == 2 and words[0].lower() in _PARTICLES)
        if person is None or not alone:
            continue
        if person.name in shown or person.name in text:
            continue
        start, end = run[0][1], run[-1][2]
        if not _qualifies_noun(text, end):
            found.append((_acts(text, end), start, end, person))
    if not found:
        return text, None
    _, start, end, person = next((f for f in found if f[0]), found[0])
    # After a title of the statement's own ("the JX Fund’s Winterhager", "defence minister
    # Brandt"), the name alone.
    before = text[:start].split()[-1:]
    titled = person.phrase[: len(person.phrase) - len(person.name)].lower().split()
    owned = re.search(r"[’']s\s*$", text[:start]) is not None or (
        bool(before) and before[0].lower() in titled
    )
    return text[:start] + (person.name if owned else person.phrase) + text[end:], person


def _acts(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` is a verb's subject ("Pillay praised", "La Russa
    further said") or owns what follows ("Xi’s planned visit")."""
    if re.match(r"[’']s\s", text[end:]) is not None:
        return True
    after = [w.strip(",;:") for w in text[end:].split()[:2]]
    if not after or not after[0].islower():
        return False
    return _verb(after[0]) or (
        len(after) == 2
        and "ADV" in parts_of_speech(after[0].lower())
        and after[1].islower()
        and _verb(after[1])
    )


def _verb(word: str) -> bool:
    """A finite verb, or a word the lexicon does not know that ends as a past does ("Trump
    upended U.S. policy")."""
    return finite(word) or (
        word.endswith("ed") and len(word) > 6 and not parts_of_speech(word.lower())
    )


def speaker(doc_speaker: str | None, intro: str) -> Introduction | None:
    """The text's own speaker as an introduction of the speaker's voice ("Biden: …" →
    "President Joe Biden: …"; ``cues.DocumentCues``), where the text introduces them."""
    words = intro.split()
    # Three words at least, as ``authors.VOICE`` reads a speaker of more than one word: an
    # office and a whole name ("Secretary Rubio" alone the checks would read as a claim's words).
    if not doc_speaker or len(words) < 3 or words[-1] != doc_speaker:
        return None
    return Introduction(
        sentence=None,
        name=f"{words[-2]} {doc_speaker}",
        phrase=f"{intro}:",
        surname=f"{doc_speaker}:",
    )


def unintroduced(text: str, shown: str, people: dict[str, Introduction]) -> str | None:
    """The first person ``text`` names by surname alone (or family name) whom neither it nor
    ``shown`` (what the brief shows before it) names in full: the reader cannot tell who they
    are ("Xi has invited President Trump …" with nothing before it saying "Xi Jinping")."""
    for run in _runs(text):
        words = [w for w, _, _ in run]
        person = people.get(" ".join(words))
        if person is None or person.name in text or person.name in shown:
            continue
        # A name that qualifies a noun names a government or an era, not the person acting
        # ("the Biden administration launched …", "the Okonjo government").
        if _qualifies_noun(text, run[-1][2]):
            continue
        return person.surname
    return None


def _qualifies_noun(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` stands before a noun it qualifies ("Biden
    administration"): a noun follows after a space, and no verb's form ("Biden said", "Biden
    on Monday", "Biden later said")."""
    if text[end : end + 1] != " ":
        return False
    after = re.sub(r"[’']s$", "", text[end:].split(None, 1)[0].rstrip(",;:."))
    return (
        after.islower()
        and after not in FUNCTION_WORDS
        and not _verb(after)
        and "NOUN" in parts_of_speech(after)
    )
