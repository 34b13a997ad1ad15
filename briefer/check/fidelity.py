"""Fidelity: whether a title, bottom line or statement says only what its cited sentences say.

The verifier (``verify.py``) checks what can be looked up: quotes, numbers, names. A reader is
misled first by what those checks cannot see (an analyst's reading of 15 held-out briefs: a
negation flipped in a title, an action that never happened, a plan put in the wrong mouth, a
statement cut before its object or stripped of its speaker). This module checks those, by
words and their dictionary forms (lemminflect's English lexicon, no model):

- **words**: every content word of the line is in its cited sentences in some form: the same
  lemma ("said" = "says", "seen" = "sees", "attacks" = "attacked"), or the lemma with a
  derivational ending ("condemnation" = "condemn" + "ation"); names also as demonyms and
  initials (``grounding.known``). There is no list of synonyms: a word the sources do not use is
  a word the check cannot judge, so it is reported.
- **negation**: a word that every cited occurrence negates ("has not seen", "refused to sign",
  "no casualties", "has yet to approve") is negated in the line too, and the line negates nothing
  its sources state plainly.
- **modality**: a verb that the cited sentences only plan, expect or allow ("will meet", "could
  face", "plans to send", "is expected to announce", "agreed to send") is not stated as done; a
  possibility ("may") is not made a certainty ("will").
- **actor**: the name in front of an action in the line is not the one the cited sentences put
  after it ("Ukraine's assault" for "Russia's assault on Ukraine").
- **form** (statements and bottom lines, not titles): a complete clause that stands alone: it has
  a finite verb (a report's list heading "Strait of Hormuz." has none), does not end on a word
  that needs more ("… underscore the fragile.", "… said in a press briefing,"), does not open on
  a pronoun or "this …" that points outside it ("He seeks to …", "This test …"), and speaks in
  the first person only with its speaker named ("Kirby: We abstained …").

Limits, measured on ``tests/data/fidelity_cases.jsonl`` (docs/grounding.md): an antonym or
another verb in the same place ("approved" for "rejected") is caught as a word the sources lack,
not as a flipped polarity; an actor is judged only where the cited sentence names one before or
after the same word; a definite reference whose antecedent shares no word with it ("closing the
gaps") is not resolved, only those ``references`` finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, takewhile

from briefer.check.grounding import known, number_values
from briefer.text.authors import unvoiced
from briefer.text.cues import first_verb, opens_a_phrase, speaks_first_person, title_case
from briefer.text.people import without_particle
from briefer.text.quotes import is_whole_quote, quotations, unquoted
from briefer.text.words import (
    AUXILIARIES,
    DETERMINERS,
    MODALS,
    ORDINAL,
    PREPOSITIONS,
    REPORTING,
    STOPWORDS,
    TIME_NOUNS,
    bare,
    finite,
    fold,
    keys,
    lemmas,
    lexicon,
    only_adjective,
    parts_of_speech,
    same_word,
    verb_forms,
)

# --- words ---------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?|[,;:()\[\]—–]|\s[-]\s|[.!?]")
_BOUNDARY = frozenset(",;:()[]—–-")

# --- tokens in clauses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    text: str
    clause: int
    initial: bool  # first word of its sentence
    # The bare word, read by every check: computed once, not per reading.
    word: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "word", fold(bare(self.text)))


_DOTTED = re.compile(r"\b((?:[A-Z]\.){2,})")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen col lt sen rep gov jr sr prof no vs etc maj capt sgt adm".split()
)


def tokens(text: str) -> list[Token]:
    return list(_tokens(text))


# The same lines and sentences are read by every check of every candidate: tokenised once.
@lru_cache(maxsize=1 << 13)
def _tokens(text: str) -> tuple[Token, ...]:
    # "U.S." is one word, "US", not two sentences.
    text = _DOTTED.sub(lambda m: m.group(1).replace(".", "") + " ", text)
    out: list[Token] = []
    clause, initial = 0, True
    for match in _TOKEN.finditer(text):
        piece = match.group(0).strip()
        if piece == "." and out and (len(out[-1].text) == 1 or out[-1].word in _ABBREVIATIONS):
            continue  # "S. Jaishankar", "Mr. Sullivan": no sentence ends here
        if piece in _BOUNDARY or piece in ".!?":
            clause += 1
            initial = initial or piece in ".!?"
            continue
        out.append(Token(piece, clause, initial))
        initial = False
    return tuple(out)


def _is_number(token: Token) -> bool:
    return token.text[0].isdigit() or bool(number_values(token.text))


def content(token: Token) -> bool:
    return token.word not in STOPWORDS and not _is_number(token) and len(token.word) > 1


# --- cues ----------------------------------------------------------------------------------------

_NEGATORS = frozenset(
    "not no never nor none nothing nobody nowhere neither without cannot unable".split()
)
#: Verbs that negate what follows them ("refused to sign", "denied involvement").
_NEGATIVE_VERBS = frozenset("deny refuse reject fail decline".split())

_POSSIBLE = frozenset(
    "may might could possible possibly potential potentially perhaps consider weigh".split()
)
_PLANNED = frozenset(
    """will would shall should must plan intend expect set aim seek hope want propose prepare
    schedule agree pledge promise vow threaten going""".split()
)
# Words a modal chain may run through before its verb ("could soon be sent", "is expected to").
_CHAIN = frozenset(
    "be been being have has had also soon now then still further again eventually likely not "
    "is are was were am".split()
)


def _negator(toks: Sequence[Token], i: int) -> bool:
    word = toks[i].word
    if word.endswith(("n't", "n’t")) or word in _NEGATORS:
        following = toks[i + 1].word if i + 1 < len(toks) else ""
        return not (word == "not" and following in ("only", "just"))
    following = toks[i + 1].word if i + 1 < len(toks) else ""
    if word == "yet":  # "has yet to approve"
        return following == "to"
    # "refused to sign", "failed to reach": the verb is negated; "rejected the accusations"
    # does not make the accusations untrue.
    return following == "to" and bool(lemmas(word) & _NEGATIVE_VERBS)


#: What a negation of a verb reaches past: auxiliaries and adverbs ("has not yet formally
#: approved", "refused to sign").
_NEGATION_CHAIN = frozenset(
    """be been being is are was were am have has had do does did to yet ever even also further
    immediately necessarily specifically formally publicly officially always currently fully
    directly explicitly so far any able willing prepared ready going""".split()
)
#: Negations of a noun phrase ("no civilian casualties", "without Chinese participation"):
#: they reach the next few words.
_NOUN_NEGATORS = frozenset("no none nothing neither nor without".split())
_NOUN_SCOPE = 3
_EXISTENTIAL = frozenset("see find have receive record detect observe get".split())


@lru_cache(maxsize=4096)
def _negated_positions(toks: tuple[Token, ...], extended: bool = True) -> frozenset[int]:
    out: set[int] = set()
    for i in range(len(toks)):
        if not _negator(toks, i):
            continue
        reach = _NOUN_SCOPE if toks[i].word in _NOUN_NEGATORS else 1
        taken = 0
        for j in range(i + 1, len(toks)):
            if toks[j].clause != toks[i].clause or taken >= reach:
                break
            if reach == 1 and toks[j].word in _NEGATION_CHAIN:
                continue
            if toks[j].word in STOPWORDS and toks[j].word not in _NEGATION_CHAIN:
                if reach <= 2 and toks[j].word in (
                    "the",
                    "a",
                    "an",
                    "its",
                    "their",
                    "his",
                    "her",
                    "any",
                ):
                    continue
                break
            out.add(j)
            taken += 1
            # "have not seen attacks", "found no evidence": what is not seen did not happen.
            if extended and reach == 1 and lemmas(toks[j].word) & _EXISTENTIAL:
                reach = 2
    return frozenset(out)


def negated(toks: Sequence[Token], i: int, *, extended: bool = True) -> bool:
    """Whether token ``i`` is what a negation applies to: the verb after "not", "never",
    "refused to", "has yet to"; the words after "no", "without"; ``extended``: also the object
    of a negated "see", "find", "have" (what was not seen did not happen)."""
    return i in _negated_positions(tuple(toks), extended)


def modality(toks: Sequence[Token], i: int, *, claim: bool = False) -> str | None:
    """ "possible" or "planned" when token ``i`` is the verb of a modal chain ("could soon face",
    "is expected to announce", "plans to send"); None when it is stated as done or true."""
    for j in range(i - 1, -1, -1):
        if toks[j].clause != toks[i].clause:
            return None
        word = toks[j].word
        forms = lemmas(word)
        if word in _POSSIBLE or forms & _POSSIBLE:
            return "possible"
        if word == "to":
            # "to" opens a plan only after a word of planning or a form of "be" ("agreed to
            # send", "is to visit") or a headline's subject ("Biden to visit"); after a noun it
            # gives a purpose ("a waiver to allow"), which is no modality.
            if not verb_forms(toks[i].word):
                return None
            if j == 0 or claim:
                # In the line checked, any "to" before a verb states no deed ("… Legislation to
                # Provide Funding").
                return modality(toks, j, claim=claim) or "planned"
            previous = toks[j - 1]
            kinds = lemmas(previous.word)
            if kinds & _POSSIBLE:
                return "possible"
            if previous.word in _PLANNED or kinds & (
                _PLANNED | {"be", "likely", "due", "ready", "poised"}
            ):
                return modality(toks, j) or "planned"
            if (previous.text[0].isupper() and j <= 2) or previous.clause != toks[j].clause:
                return "planned"  # a headline's "Biden to visit …"
            return None
        if word in _PLANNED or forms & _PLANNED:
            return "planned"
        # A chain runs through an adverb too ("ready to expeditiously negotiate").
        if word not in _CHAIN and parts_of_speech(word) != {"ADV"}:
            return None
    return None


# --- names ---------------------------------------------------------------------------------------


def _capitalised_words(*texts: str) -> set[str]:
    """Words the texts capitalise and never write in lower case: names, whatever their place in
    a title ("Russia's assault …" opens its sentence and is still a name). Each text is read
    once (a title's context is the whole source); the texts' words are those of the texts
    joined by spaces, as no word runs across a space."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        upper_here, lower_here = _cases(text)
        capitalised |= upper_here
        lower |= lower_here
    return capitalised - lower


@lru_cache(maxsize=256)  # whole sources among the keys: a few articles' worth
def _cases(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The text's capitalised words (not function words) and its lower-case ones."""
    toks = _tokens(text)
    lower = frozenset(t.word for t in toks if t.text.islower())
    # "al-Obeidi" is a name as "Obeidi" is
    upper = frozenset(
        t.word
        for t in toks
        if (t.text[0].isupper() or without_particle(t.text)[:1].isupper())
        and t.word not in STOPWORDS
    )
    return upper, lower


def _subject_names(toks: Sequence[Token], j: int, names: set[str]) -> set[str]:
    """Who does the verb at ``j``: the names before it in its clause, else the nearest name
    before the clause ("India—which helped"); after "by" in a passive ("was attacked by Iran")."""
    clause = toks[j].clause
    if any(t.word in _BE for t in toks[max(0, j - 2) : j] if t.clause == clause):
        by = next((k for k in range(j + 1, min(len(toks), j + 4)) if toks[k].word == "by"), None)
        agent: set[str] = set()
        for t in toks[by + 1 :] if by is not None else []:
            if t.clause != clause or t.word not in names:
                break
            agent.add(t.word)
        if agent:
            return agent
    found = {t.word for t in toks[:j] if t.clause == clause and t.word in names}
    if found:
        return found
    # A pronoun subject ("We call on …", "its military declined …") names nobody the check
    # can compare.
    if any(t.word in _PRONOUN_SUBJECTS for t in toks[:j] if t.clause == clause):
        return set()
    # A clause with no subject of its own ("Turkey, which has …, has offered"): the sentence's
    # opening names, and the nearest name before it.
    earlier = [t.word for t in toks[:j] if t.word in names]
    opening = {t.word for t in toks[:j] if t.clause == toks[0].clause and t.word in names}
    return opening | set(earlier[-1:])


_BE = frozenset("be is are was were been being".split())
#: Verbs whose two sides may trade places ("Modi met Sharif" = "Sharif met Modi").
_SYMMETRIC = frozenset(
    "meet talk speak negotiate clash fight border discuss exchange trade".split()
)
_PRONOUN_SUBJECTS = frozenset("i we you he she they it who which its their his her our my".split())


def _same_name(a: str, b: str) -> bool:
    # the names as the checks read them, lower-cased: "al-obeidi" is "obeidi"
    a, b = without_particle(a, cased=False), without_particle(b, cased=False)
    return a == b or known(a, {b}) or known(b, {a})


# --- the checks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    kind: str  # words, number, negation, modality, actor, relation, fragment, reference, speaker
    text: str

    def __str__(self) -> str:
        return self.text


def _occurrences(word: str, cited: Sequence[Sequence[Token]]) -> list[tuple[Sequence[Token], int]]:
    return [
        (toks, j)
        for toks in cited
        for j, t in enumerate(toks)
        if t.word and not _is_number(t) and same_word(word, t.word)
    ]


def meaning_problems(
    text: str,
    cited: Iterable[str],
    *,
    context: str = "",
    title: bool = False,
    names_checked: bool = False,
) -> list[Problem]:
    """What ``text`` says that its ``cited`` sentences do not: words, numbers, negation,
    modality, actor (the module's docstring). ``context``: more of the source that decides which
    words are names (its capitalised words), for a title whose every word is capitalised;
    ``names_checked``: a statement's names are the verifier's to check, not words to find."""
    cited = [c for c in cited if c.strip()]
    if not cited:
        return [Problem("words", "cites no sentence")]
    said = tokens(unvoiced(text))
    basis = [tokens(c) for c in cited]
    joined = " ".join(cited)
    names = _capitalised_words(context, joined)
    context_names = _capitalised_words(context) if context else set()
    cited_words = {t.word for toks in basis for t in toks}
    problems: list[Problem] = []
    if not names_checked:  # a statement's numbers, like its names, are the verifier's
        missing = sorted(number_values(text) - number_values(joined))
        problems += [
            Problem("number", f"number {n} is not in the cited sentences") for n in missing
        ]
        problems += _numbers_of_another_event(said, basis, cited, text)
    absent: list[str] = []
    for i, token in enumerate(said):
        if not content(token):
            continue
        if names_checked and token.text[0].isupper():
            # A statement's names are checked by the verifier, against the whole source.
            found = _occurrences(token.word, basis)
            if found:
                problems += _polarity(said, i, found) + _actor(said, i, found, names)
            continue
        found = _occurrences(token.word, basis)
        if not found:
            # "X said" names who speaks: an attribution, not a claim of the line's own; and a
            # reporting verb may stand for another where the cited sentence reports too.
            reports = [
                (toks, j)
                for toks in basis
                for j, t in enumerate(toks)
                if lemmas(t.word) & REPORTING
            ]
            silent = any(negated(toks, j) for toks, j in reports)  # "declined to comment"
            if not silent and (
                lemmas(token.word) & _SAYING or (lemmas(token.word) & REPORTING and reports)
            ):
                continue
            if token.word in _UNITS:  # "$5 million" = "5 million dollars": checked as a number
                continue
            # A name the context gives (the text's headline: "Statement from President Joe
            # Biden on Sudan") may name who speaks or acts.
            headline_name = token.text[0].isupper() and token.word in context_names
            if (
                not known(token.word, cited_words)
                and not headline_name
                and token.word not in absent
            ):
                absent.append(token.word)
            continue
        # A predicate (verb or adjective) the sources only ask about or suppose; a noun may
        # still be what an answer refers to ("… seen the counter-proposal? … not seen it").
        predicate = bool(verb_forms(token.word)) or only_adjective(token.word)
        if predicate and _asserted(said, i) and not any(_asserted(t, j) for t, j in found):
            problems.append(
                Problem(
                    "modality",
                    f"states as fact what the cited sentences only ask or suppose (“{token.word}”)",
                )
            )
        problems += _polarity(said, i, found)
        if not title or not token.text[0].isupper() or token.word not in names:
            problems += _modality(said, i, found) + _planned_thing(said, i, found)
        problems += _actor(said, i, found, names)
    problems += _possessors(said, basis, names)
    # The act's verb is a name only where the cited sentences capitalise it, not a title-case
    # headline, which capitalises every word ("Sanctions on Darknet Market …").
    headlines = [title_case(c) for c in cited]
    running = _capitalised_words(*(c for c, h in zip(cited, headlines, strict=True) if not h))
    problems += _joined_reason(said, basis, running, headlines)
    problems += speaker_problems(text, cited)
    if title and said and said[-1].word in _NEEDS_MORE:
        problems.append(Problem("fragment", f"ends on “{said[-1].text}”: cut before what it needs"))
    if absent:
        listed = ", ".join(f"“{w}”" for w in absent)
        problems.append(Problem("words", f"words not in the cited sentences: {listed}"))
    return _unique(problems)


#: Words that give an act its reason ("… for war crimes", "… over the abuses"); not those of
#: time or circumstance ("after the attack", "amid tensions"), which a headline may join.
_RELATIONS = frozenset("for over because".split())
#: Acts done to someone for a reason: with these, "for …" or "over …" gives the reason; with
#: others it gives a purpose, a beneficiary or a time ("a package for Ukraine", "meet for a
#: summit", "for the first time").
_REASONED = frozenset(
    """sanction designate condemn punish penalize fine blame accuse charge indict arrest detain
    criticize praise thank honor reward sue censure rebuke expel convict""".split()
)


def _joined_reason(
    said: Sequence[Token],
    basis: Sequence[Sequence[Token]],
    names: set[str],
    headlines: Sequence[bool],
) -> list[Problem]:
    """A reason the line gives its act from another cited sentence than the act's: no sentence
    relates the two ("US Designates Russian Oligarchs and Vessels for War Crimes" from a
    sentence on the designations and another on the invasion's war crimes). The reason's words
    before any preposition ("war crimes" of "war crimes in Ukraine") must stand in a cited
    sentence that holds the act: with one cited sentence too, where a word the text's headline
    lends ("… for Ransomware-Enabling Virtual Currency Exchange") would pass the words check."""
    verb = next(
        (
            k
            for k, t in enumerate(said)
            if t.word not in names and content(t) and lemmas(t.word) & _REASONED
        ),
        None,
    )
    if verb is None:
        return []
    problems: list[Problem] = []
    for k in range(verb + 1, len(said)):
        if said[k].word not in _RELATIONS or said[k].clause != said[verb].clause:
            continue
        clause = said[k].clause
        phrase = [
            t
            for t in takewhile(lambda t: t.word not in PREPOSITIONS, said[k + 1 :])
            if t.clause == clause
        ]
        words = [t for t in phrase if content(t)]
        if not words or any(t.word in TIME_NOUNS or _is_number(t) for t in phrase):
            continue
        together = any(
            _relates(toks, said[verb], words, headline)
            for toks, headline in zip(basis, headlines, strict=True)
        )
        if not together:
            tail = " ".join(t.text for t in phrase)
            problems.append(
                Problem(
                    "relation",
                    f"ties “{said[k].text} {tail}” to “{said[verb].text}”, which no cited "
                    "sentence relates",
                )
            )
    return problems


def _relates(toks: Sequence[Token], act: Token, reason: Sequence[Token], headline: bool) -> bool:
    """The sentence holds the act and the reason's words. A title-case headline must give them
    as its reason, after a word of relation that follows the act ("Sanctions … for …"), not as
    what the act is done to ("Sanctions on Darknet Market and Ransomware-Enabling Virtual
    Currency Exchange"); prose relates them in many ways ("involved in", "on charges of")."""
    acts = [k for k, t in enumerate(toks) if same_word(act.word, t.word)]
    at = [next((k for k, t in enumerate(toks) if same_word(w.word, t.word)), None) for w in reason]
    if not acts or None in at:
        return False
    if not headline:
        return True
    first = min(k for k in at if k is not None)
    return any(t.word in _RELATIONS for a in acts if a < first for t in toks[a + 1 : first])


_POSSESSIVES = frozenset("its their his her".split())


def _numbers_of_another_event(
    said: Sequence[Token], basis: Sequence[Sequence[Token]], cited: Sequence[str], text: str
) -> list[Problem]:
    """A line drawn from two sentences or more takes its numbers and dates from one that tells
    its first verb: "Sullivan spoke with Kurti on September 24" from "Sullivan spoke … today"
    and "… the attacks that took place on September 24" pins the attack's date on the call."""
    if len(basis) < 2:
        return []
    # The first content word in the past or the third person ("spoke", "says"): a base form
    # is too often a noun ("the death toll", "the attack").
    words = [t for t in said if content(t)]
    at = first_verb([t.text for t in words])
    if at is None:
        return []
    verb = words[at]
    stems = lemmas(verb.word)
    holders = [
        c
        for toks, c in zip(basis, cited, strict=True)
        if any(t.word == verb.word or lemmas(t.word) & stems for t in toks)
    ]
    if not holders:
        return []
    there = number_values(" ".join(holders))
    return [
        Problem("number", f"number {n} is said of another event than “{verb.text}”")
        for n in sorted(number_values(text) - there)
        if n in number_values(" ".join(cited))
    ]


def _possessors(
    said: Sequence[Token], basis: Sequence[Sequence[Token]], names: set[str]
) -> list[Problem]:
    """A name's possession the cited sentences do not give it: "China's Strategic Stability"
    where the stability is in a clause of Trump's and Xi's, "Ukraine's assault" for Russia's:
    every cited occurrence of the possessed noun stands in a clause that does not name the
    possessor."""
    problems = []
    for k, t in enumerate(said):
        if not t.text.endswith(("'s", "’s")) or t.word not in names:
            continue
        phrase = []
        for u in said[k + 1 : k + 4]:
            if u.clause != t.clause or not content(u) or u.word in names or finite(u.text):
                break
            phrase.append(u)
        if not phrase:
            continue
        head = phrase[-1]
        found = _occurrences(head.word, basis)
        if not found:
            continue  # a word the sources lack: the words check reports it
        owners = [
            {u.word for u in toks if u.clause == toks[j].clause and u.word in names}
            # "Pakistan did not respond, and its military declined": "its" is a name before
            | (
                {u.word for u in toks[:j] if u.word in names}
                if any(u.word in _POSSESSIVES for u in toks[max(0, j - 3) : j])
                else set()
            )
            for toks, j in found
        ]
        if not any(_same_name(t.word, owner) for group in owners for owner in group):
            problems.append(
                Problem(
                    "actor",
                    f"gives “{head.word}” to “{t.word}”; the cited sentences do not",
                )
            )
    return problems


def _polarity(
    said: Sequence[Token], i: int, found: list[tuple[Sequence[Token], int]]
) -> list[Problem]:
    word = said[i].word
    # What a sentence asserts, not what it asks or supposes ("Asked whether he had seen it, he
    # said he had not seen it" asserts "not seen").
    asserted = [(toks, j) for toks, j in found if _asserted(toks, j)] or found
    in_cited = [negated(toks, j) or _negator(toks, j) for toks, j in asserted]
    in_line = negated(said, i) or _negator(said, i)
    if all(in_cited) and not in_line:
        return [Problem("negation", f"drops the negation the cited sentences give “{word}”")]
    directly = negated(said, i, extended=False) or _negator(said, i)
    if directly and not any(in_cited):
        return [Problem("negation", f"negates “{word}”, which the cited sentences state plainly")]
    return []


_SUPPOSING = frozenset("whether if unless asked ask asking question".split())


def _asserted(toks: Sequence[Token], j: int) -> bool:
    """Token ``j`` is asserted, not asked or supposed: no "if", "whether" or "asked" before it in
    its sentence ("Rubio was asked if …, posing a threat comparable to …" asserts no threat)."""
    supposing = False
    for k in range(j):
        # A new clause that opens on its own subject ("Asked whether he had seen it, the
        # president said …") is asserted again; a participle ("…, posing a threat") is not.
        if k and toks[k].clause != toks[k - 1].clause and _opens_subject(toks[k]):
            supposing = False
        supposing = supposing or toks[k].word in _SUPPOSING
    if j and toks[j].clause != toks[j - 1].clause and _opens_subject(toks[j]):
        return True
    return not supposing


#: A statement that opens on a dash or an ellipsis goes on words cut before it (not "-5 °C").
_CUT_OPENING = re.compile(r"[“\"‘']?\s*(?:[—–]|-(?!\d)|…|\.\.\.)")
#: Words that open a relative clause: a noun after one is that clause's.
_RELATIVES = frozenset("that which who whom whose where".split())

_SUBJECT_OPENERS = frozenset("the a an this that these those he she they we i it some many".split())


def _opens_subject(token: Token) -> bool:
    return token.word in _SUBJECT_OPENERS or (token.text[0].isupper() and not token.initial)


def _modality(
    said: Sequence[Token], i: int, found: list[tuple[Sequence[Token], int]]
) -> list[Problem]:
    if not verb_forms(said[i].word):
        return []
    word = said[i].word
    in_cited = [modality(toks, j) for toks, j in found]
    in_line = modality(said, i, claim=True)
    if all(in_cited) and in_line is None:
        return [
            Problem(
                "modality",
                f"states as done what the cited sentences only {_verb(in_cited)} (“{word}”)",
            )
        ]
    if in_line == "planned" and all(m == "possible" for m in in_cited):
        return [
            Problem("modality", f"makes certain what the cited sentences call possible (“{word}”)")
        ]
    return []


def _thing_modality(toks: Sequence[Token], j: int, *, claim: bool = False) -> str | None:
    """Whether noun ``j`` is only planned or possible. In the line checked (``claim``): a modal or
    a word of planning anywhere in its clause ("New Tariffs Expected …", "… may be levied").
    In a cited sentence: the modality of the verb right before the new thing's phrase ("ready
    to negotiate a new framework", "may levy new tariffs"); none after a preposition ("urged
    talks on a new framework") or for another verb's object."""
    if claim:
        for k, t in enumerate(toks):
            if k == j or t.clause != toks[j].clause:
                continue
            kinds = {t.word} | lemmas(t.word)
            if t.word in MODALS or kinds & (_PLANNED | _POSSIBLE):
                return "planned" if kinds & _PLANNED else "possible"
            if k < j and verb_forms(t.word) and (found := modality(toks, k, claim=True)):
                return found
        return None
    start = _new_thing(toks, j)
    if not start:
        return None
    verb = toks[start - 1]
    if verb.clause != toks[j].clause or verb.word in PREPOSITIONS or not verb_forms(verb.word):
        return None
    return modality(toks, start - 1)


def _planned_thing(
    said: Sequence[Token], i: int, found: list[tuple[Sequence[Token], int]]
) -> list[Problem]:
    """A thing the line states as made or done ("Biden Announces New Arms Control Framework")
    that every cited sentence names only as a new thing a plan or a possibility would bring
    ("ready to negotiate a new arms control framework"). Nouns only: a verb's tense is
    ``_modality``'s."""
    if parts_of_speech(said[i].word) != {"NOUN"}:
        return []
    if _thing_modality(said, i, claim=True) is not None:
        return []
    # A noun after a preposition is no thing the line says was made ("Urges Talks on New …").
    if any(t.word in PREPOSITIONS for t in said[max(0, i - 4) : i] if t.clause == said[i].clause):
        return []
    in_cited = [_thing_modality(toks, j) for toks, j in found]
    if not all(in_cited):
        return []
    return [
        Problem(
            "modality",
            f"states as done what the cited sentences only {_verb(in_cited)} (“{said[i].text}”)",
        )
    ]


def _new_thing(toks: Sequence[Token], j: int) -> int | None:
    """Where the phrase of noun ``j`` opens, if it names a new thing ("a new arms control
    framework", "new tariffs"): a thing that exists ("revive a grain corridor", "the embassy")
    is none, nor a noun of a relative clause ("an embassy that protesters …")."""
    new = False
    start = j
    for k in range(j - 1, max(j - 6, -1), -1):
        word = toks[k].word
        if toks[k].clause != toks[j].clause or word in PREPOSITIONS or word in _RELATIVES:
            break
        if new and word not in ("a", "an"):
            break  # the phrase opens on "new" or on the article right before it
        if word in DETERMINERS and word not in ("a", "an"):
            break
        new = new or word == "new"
        start = k
        if word in ("a", "an"):
            break
    return start if new else None


def _verb(kinds: list[str | None]) -> str:
    return "call possible" if all(k == "possible" for k in kinds) else "plan or expect"


def headline_tense(title: str, headline: str, body: Iterable[str]) -> list[Problem]:
    """A title that states as done ("France, Italy, UK Send Advisers") what the text's headline
    says in headline style with a bare "-ing" ("… UK sending advisers", which may be under way
    or to come) and its body only plans ("will be sending", "would send"): the headline's words
    cover the title, so the check against them alone cannot see the tense change."""
    said = tokens(unvoiced(title))
    head = tokens(headline)
    sentences = [tokens(s) for s in body]
    problems: list[Problem] = []
    for i, token in enumerate(said):
        if token.word.endswith("ing") or not finite(token.word):
            continue
        if modality(said, i, claim=True) is not None:
            continue
        # a noun before its verb ("Iran Strikes Kill Dozens"), not the title's verb
        after = said[i + 1] if i + 1 < len(said) else None
        if after is not None and after.clause == token.clause and finite(after.word):
            continue
        in_head = _occurrences(token.word, [head])
        if not in_head or not all(_bare_progressive(toks, j) for toks, j in in_head):
            continue
        in_body = _occurrences(token.word, sentences)
        if in_body and all(modality(toks, j) for toks, j in in_body):
            problems.append(
                Problem(
                    "modality",
                    f"states as done what the text only plans (“{token.text}”; its headline: "
                    f"“{in_head[0][0][in_head[0][1]].text}”)",
                )
            )
    return problems


def _bare_progressive(toks: Sequence[Token], j: int) -> bool:
    """A headline's "-ing" after its subject, with no "be" and no finite verb before it in its
    clause ("UK sending advisers"); not a participle that opens its clause ("…, sending aid")."""
    if not toks[j].word.endswith("ing") or "VBG" not in verb_forms(toks[j].word):
        return False
    if j == 0 or toks[j - 1].clause != toks[j].clause or toks[j - 1].word in AUXILIARIES:
        return False
    return not any(finite(t.word) for t in toks[:j] if t.clause == toks[j].clause)


def _actor(
    said: Sequence[Token], i: int, found: list[tuple[Sequence[Token], int]], names: set[str]
) -> list[Problem]:
    """The line's subject does the verb at ``i`` (the first verb of its clause) in no cited
    occurrence, though the cited sentences name it elsewhere ("Pakistan launches strikes" for
    "India launched strikes … in Pakistan"; "Russia warned US" for "we did warn Russia")."""
    token = said[i]
    if token.word in names or not verb_forms(token.word) or lemmas(token.word) & _SYMMETRIC:
        return []
    earlier = [t for t in said[:i] if t.clause == token.clause]
    if any(t.word not in names and content(t) and verb_forms(t.word) for t in earlier):
        return []  # not the clause's first verb
    subject = {t.word for t in earlier if t.word in names}
    if not subject or not found:
        return []
    actor = sorted(subject)[0]
    # Where the cited word is only a noun, it says the act but not who does it ("I welcome the
    # announcement today of a continuation of the truce" is no "Biden Announces Extension …"),
    # unless the noun is the subject's ("Biden's announcement", "an announcement by Biden"). A
    # headline's "Statement by Press Secretary Jen Psaki on … SPR Announcement" names who states.
    acts = [(toks, j) for toks, j in found if verb_forms(toks[j].word)]
    nouns = [(toks, j) for toks, j in found if not verb_forms(toks[j].word)]
    if any(_owned_by(toks, j, subject, names) for toks, j in nouns):
        return []
    if not acts:
        return [
            Problem(
                "actor",
                f"makes “{actor}” the one who does “{token.word}”; the cited sentences say "
                "only that it was done",
            )
        ]
    found = acts
    wrong = False
    for toks, j in found:
        doers = _subject_names(toks, j, names)
        if any(_same_name(a, b) for a in subject for b in doers):
            return []
        # Another name does it, or a pronoun does it to the line's subject ("we did warn
        # Russia"); where nobody is named, the check cannot tell.
        after = {t.word for t in toks[j + 1 :] if t.word in names}
        pronoun = any(t.word in ("i", "we") for t in toks[:j] if t.clause == toks[j].clause)
        wrong = (
            wrong
            or bool(doers)
            or (pronoun and any(_same_name(a, b) for a in subject for b in after))
        )
    if not wrong:
        return []
    doers = _subject_names(found[0][0], found[0][1], names)
    given = f"; the cited sentences give “{sorted(doers)[0]}”" if doers else ""
    return [Problem("actor", f"makes “{actor}” the one who does “{token.word}”{given}")]


def _owned_by(toks: Sequence[Token], j: int, subject: set[str], names: set[str]) -> bool:
    """Whether the noun at ``j`` is the act of a name of ``subject``: its possessor ("Biden's
    announcement", "the Biden administration's decision"), the subject of the clause it is the
    object of ("Israel reached an agreement", "Biden issued a condemnation"), or its agent
    ("the approval of the contracts by Minister Sato"; not "… a ceasefire mediated by Egypt",
    whose agent is the participle's)."""
    clause = toks[j].clause
    window = [t for t in toks[max(0, j - 3) : j] if t.clause == clause]
    if any(t.text.endswith(("'s", "’s", "s'", "s’")) for t in window):
        owners = {t.word for t in window if t.text[:1].isupper()}
        return any(_same_name(a, b) for a in owners for b in subject)
    if any(_same_name(a, b) for a in _subject_names(toks, j, names) for b in subject):
        return True
    for k in range(j + 1, min(len(toks), j + 8)):
        t = toks[k]
        if t.clause != clause or (t.word.endswith(("ed", "ing")) and verb_forms(t.word)):
            return False
        if t.word == "by":
            agent = takewhile(
                lambda u: u.text[:1].isupper() or u.word == "the", toks[k + 1 : k + 8]
            )
            return any(_same_name(u.word, name) for u in agent for name in subject)
    return False


_SAYING = frozenset("say tell state".split())
#: A speaker's aside before the news, which a statement leaves out on purpose (``compose``).
_ASIDE_WORDS = frozenset(
    """i we you all think know saw seen heard as probably just would will also are aware may be
    note say add point out that""".split()
)
_ATTRIBUTION_TAIL = frozenset(
    """to in a an the on at by with of statement interview briefing press conference reporters
    release spokesman spokeswoman spokesperson official officials late earlier later today
    yesterday""".split()
)
_UNITS = frozenset("percent cent dollar dollars euro euros pound pounds usd".split())
#: A trailing attribution is short: ", Kirby said.", ", said X, a spokesman.", ", according to
#: the UN." — a longer last clause ("…, described by Mende as a display of …") says more.
_TRAILING_WORDS = 10


def _attributions(toks: Sequence[Token]) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentence's attribution: the words up to and including a
    reporting verb that opens it ("Rubio suggested …", "Experts assess that …"), or a short
    last clause holding one (", Kirby said.")."""
    spans = []
    last_clause = toks[-1].clause if toks else 0
    tail = [k for k, t in enumerate(toks) if t.clause == last_clause]
    for k, t in enumerate(toks):
        if not (lemmas(t.word) & REPORTING) or (t.text[0].isupper() and not t.initial):
            continue  # "the United States" reports nothing
        if t.clause == last_clause and k > 0 and len(tail) <= _TRAILING_WORDS and tail[0] > 0:
            # ", Kirby said.", ", said X", ", according to the UN", ", he told reporters":
            # what follows the verb names who or where, not a claim ("…, and we expect more").
            after = toks[k + 1 :]
            if all(u.text[0].isupper() or u.word in _ATTRIBUTION_TAIL for u in after):
                spans.append((tail[0], len(toks)))
        elif t.clause == toks[0].clause or all(u.clause == t.clause for u in toks[: k + 1]):
            spans.append((0, k + 1))
    return spans


def speaker_problems(text: str, cited: Sequence[str]) -> list[Problem]:
    """The cited sentence attributes its claim ("…, Kirby said"; "According to the UN, …"; "We
    believe that …") and the line keeps the claim but says nobody said it."""
    said = tokens(unvoiced(text))
    if _SPEAKER.match(text) or any(lemmas(t.word) & REPORTING for t in said):
        return []
    said_words = {t.word for t in said}
    for sentence in cited:
        toks = tokens(sentence)
        for start, end in _attributions(toks):
            rest = [t for k, t in enumerate(toks) if not start <= k < end and content(t)]
            speaker = [t for t in toks[start:end] if content(t) and not lemmas(t.word) & REPORTING]
            kept = sum(1 for t in rest if t.word in said_words)
            named = any(t.word in said_words for t in speaker)
            first = any(t.word in ("i", "we") for t in toks[start:end])
            if first and not speaker and all(t.word in _ASIDE_WORDS for t in toks[start:end]):
                continue  # a briefer's aside ("I think you all saw —"), not whose claim it is
            if rest and kept >= max(2, len(rest) // 2) and not named and (speaker or first):
                who = " ".join(t.text for t in toks[start:end])
                return [Problem("speaker", f"drops who says it (“{who}”)")]
    return []


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.text not in seen:
            seen.add(p.text)
            out.append(p)
    return out


# --- form ----------------------------------------------------------------------------------------

_NEEDS_MORE = frozenset(
    """the a an of to and or but for with in on at by from as than that which who whom whose
    whether if because while its their his her our my your this these those into over about
    against between among including such""".split()
)
# Not "former" or "latter": the pronouns come as "the former", and a statement that opens on
# "Former" names a former office holder ("Former Guatemalan President Jimmy Morales signed …").
# "You" too: a speaker's "You mentioned about APEC." addresses someone the brief does not show.
_POINTERS = frozenset(
    "he she it they him them his her its their this that these those which whose you".split()
)
# A connective before the subject ("However, this information …", "But he …").
_CONNECTIVE = re.compile(
    r"^(?:however|but|and|so|yet|still|meanwhile|moreover|instead|also|again|further|in\s+turn)"
    r"\b,?\s+",
    re.IGNORECASE,
)


def _main_clause(text: str) -> str:
    """The statement from its subject on: after an opening connective ("However, …") and an
    opening phrase of up to eight words with no verb of its own (``cues.opens_a_phrase``: "In
    2019, …", "Called the Lobito Corridor, …", "Earlier, …"). Whatever such a phrase holds, the
    subject after it is the statement's."""
    rest = _CONNECTIVE.sub("", text)
    phrase, comma, after = rest.partition(", ")
    # up to its comma, no quotation or bracket in it
    if not comma or not after or any(mark in phrase for mark in '“”"‘:;()'):
        return rest
    if not opens_a_phrase(phrase):
        return rest
    words = [t for t in tokens(phrase) if t.word]
    if len(words) > 8 or any(_verb_here(words, k) for k in range(1, len(words))):
        return rest
    return after


_INTRODUCES = re.compile(
    r"\b(?:the\s+following|as\s+follows|following\s+(?:\w+\s+)?(?:steps|measures|actions))\W*$",
    re.IGNORECASE,
)
# "This week, …", "That is why …" is still a pointer, but "It is important to …" is not.
_EXPLETIVE = re.compile(
    r"^It\s+(?:is|was|has\s+been|remains|will\s+be)\s+(?:\w+\s+){0,3}?(?:to|that|whether|unclear|not)\b"
)
_SPEAKER = re.compile(r"^[^\W\d_][\w’'.-]*(?:\s[^\W\d_][\w’'.-]*){0,7}:\s")


# A last part after a colon of one or two words: "…: Nothing."
_COLON_TAIL = re.compile(r":\s+((?:[\w’'-]+\s*){1,2})[.!]?[”\"’']?\s*$")
_NOTE = re.compile(r"^\W*(?:Notes?|Sources?|Table\s+\d+|Figure\s+\d+)\b[.:]", re.IGNORECASE)


def heading(sentence: str, *, as_written: bool = True) -> bool:
    """A line that is a heading or label, not a sentence: in title case, or (``as_written``: a
    source line, not a statement closed with a full stop) a few words with no full stop ("Safe
    third-country agreement", "sANCTIONS IMPLICATIONS")."""
    line = sentence.strip()
    words = [t for t in tokens(line) if t.word]
    if not words or line.endswith("?") or _NOTE.match(line):
        return bool(words)
    if as_written and line.count("; ") >= 2 and line[-1] not in ".!…\"”’'":
        return True  # a table's row: "May 14-15, 2026; Beijing, PRC; First presidential visit …"
    if as_written and line[-1] not in ".!…\"”’'" and len(words) <= 12:
        return True
    longer = [t for t in words if len(t.word) > 3 and not _is_number(t)]
    return (
        bool(longer)
        and all(t.text[0].isupper() for t in longer)
        and len(words) <= 12
        and not any(finite(t.text) and t.text.islower() for t in words)
    )


_PERSON_PRONOUNS = frozenset("he him his she her".split())

#: The most words of a statement that may leave out what its verb or adjective is said of.
ELIDED_MAX_WORDS = 7
ELIDED = "says of what only with the sentence before it"


def _elided(words: Sequence[Token]) -> str | None:
    """The last word of a short statement that ends on a denied verb or adjective, no noun or
    name after it, where the sentence before says what of ("Ukraine and Europe were not
    invited." to the talks, "Ukraine is not alone." in facing closure; "Nearly 1,000 people
    protested." says it all)."""
    if not 3 <= len(words) <= ELIDED_MAX_WORDS:
        return None
    denial = words[-2].word
    if not (denial in ("not", "never") or denial.endswith(("n't", "n’t"))):
        return None
    last = words[-1]
    # "… the gaps, Blinken said.": what was said comes before the attribution
    if not last.text.isalpha() or not last.text.islower() or lemmas(last.word) & REPORTING:
        return None
    kinds = parts_of_speech(last.word)
    return (
        last.text
        if kinds & {"VERB", "ADJ"} and not kinds & {"NOUN", "PROPN", "NUM", "PRON"}
        else None
    )


#: What a statement whose "later" says after what it does not say needs (``_after_what``).
AFTER_WHAT = "says after what only with the sentence before it"
# "DHS later modified the list …", "Later, …", "Seventy-seven years later, …": after an event
# the sentence before gives. Not "later this year", "no later than", "a later date".
_LATER = re.compile(
    r"^Later,|\b(?:[\w-]+\s+)?(?:hours?|days?|weeks?|months?|years?)\s+later\b"
    r"|\blater\s+(?P<verb>[a-z]+)\b"
)


def _after_what(text: str) -> str | None:
    """The "later" of a statement that says after what only with the sentence before it,
    outside quotations (a speaker's "we will talk later" is no reference). What someone said
    later stands as said ("Okonjo later said …")."""
    own = unquoted(text)
    if any(lemmas(t.word) & REPORTING for t in tokens(own) if t.word):
        return None
    for match in _LATER.finditer(own):
        # "a later date", "no later than", "at a later stage": an adjective, no reference
        if own[: match.start()].split()[-1:] in (["a"], ["the"], ["no"], ["any"]):
            continue
        if match.group("verb") is None:
            return match.group(0).strip().rstrip(",")
        if finite(match.group("verb")):
            return "later"
    return None


def _unnamed_person(words: Sequence[Token]) -> str | None:
    """A "he", "him", "she" or "her" with no name before it in the statement ("I told him
    that …"): whom it means is in a sentence the brief does not show."""
    for k, t in enumerate(words):
        if t.word in _PERSON_PRONOUNS:
            # A capitalised first word that is a function word ("The bill …") names nobody.
            if not any(
                u.text[0].isupper() and u.word != "i" and not (u.initial and u.word in STOPWORDS)
                for u in words[:k]
            ):
                return t.text
            return None
    return None


def _verb_here(words: Sequence[Token], k: int) -> bool:
    """Whether ``words[k]`` is a finite verb where it stands: not a name, not a preposition,
    not a noun after an article or possessive ("the course", "our state", "New Year’s
    address")."""
    t = words[k]
    return (
        finite(t.text)
        and not (t.text[0].isupper() and not t.initial)
        and t.word not in PREPOSITIONS
        and not (k > 0 and (words[k - 1].word in DETERMINERS or _possessive(words[k - 1])))
    )


def _possessive(t: Token) -> bool:
    """ "New Year’s", "Biden’s"; not "it’s", "that’s", "he’s" (a function word and a verb)."""
    stem, _, rest = t.text.replace("'", "’").rpartition("’")
    return bool(stem) and rest == "s" and stem.lower() not in STOPWORDS


def form_problems(
    text: str, cited: Sequence[str] = (), *, antecedent: str | None = None
) -> list[Problem]:
    """Whether ``text`` stands alone as a statement (the module's docstring); a statement that
    is one of its ``cited`` lines, a heading, is a heading. ``antecedent``: the sentence before
    it in the text, where the statement is printed right after it (``verify.follows``): an
    opening "They …" or "This election …" points where the text points it, and a quotation
    that names no speaker goes on the quotation that sentence attributes (``continues_quote``)."""
    voiced = bool(_SPEAKER.match(text))
    bare_text = unvoiced(text).strip()
    plain = bare_text.rstrip(".").strip()
    if any(heading(c) and plain.casefold() in c.casefold() for c in cited) or heading(
        bare_text, as_written=False
    ):
        return [Problem("fragment", "a heading or label, not a statement")]
    if bare_text.endswith("?"):
        return [Problem("fragment", "a question, not a statement")]
    if _CUT_OPENING.match(bare_text):
        # "SECRETARY BLINKEN: — after you finish.": the rest of words cut off before it
        return [Problem("fragment", "opens on a dash or an ellipsis: goes on words not shown")]
    if not voiced and is_whole_quote(bare_text) and not continues_quote(antecedent):
        # ""The military has taken control over most of the island."": whose words?
        return [Problem("speaker", "a quotation that does not say whose it is")]
    toks = tokens(bare_text)
    words = [t for t in toks if t.word]
    problems: list[Problem] = []
    if not words:
        return [Problem("fragment", "no words")]
    if not any(_verb_here(words, k) for k in range(len(words))):
        problems.append(Problem("fragment", "no finite verb: a heading or label, not a statement"))
    ending = bare_text.rstrip("”\"’')]").rstrip()
    last = words[-1]
    if ending.endswith((",", ":", ";")) or re.search(r"[,:;]\s*[.!?]$", ending):
        problems.append(Problem("fragment", "ends where a quotation or a clause should follow"))
    elif last.word in _NEEDS_MORE:
        problems.append(Problem("fragment", f"ends on “{last.text}”: cut before what it needs"))
    elif (
        len(words) >= 2
        and words[-2].word in DETERMINERS
        and last.text.islower()
        and only_adjective(last.text)
    ):
        problems.append(
            Problem("fragment", f"ends on “{words[-2].text} {last.text}”: cut before its noun")
        )
    if (tail := _COLON_TAIL.search(bare_text)) and not any(
        finite(t.text) for t in tokens(tail.group(1))
    ):
        # "I will go back to what I said at the very top: Nothing." — cut before its clause.
        problems.append(Problem("fragment", f"ends on “{tail.group(1).strip()}”, no clause"))
    if _INTRODUCES.search(bare_text.rstrip(".:")):
        problems.append(Problem("fragment", "introduces a list that it does not give"))
    main = _main_clause(bare_text)
    opening = tokens(main)
    first = opening[0] if opening else words[0]
    second = opening[1].word if len(opening) > 1 else ""
    # "None developed Ebola", "Neither attended": of whom? ("None of the 40 passengers …",
    # "Neither side …" say.)
    nobody = (
        first.word in ("none", "neither")
        and len(opening) > 1
        and opening[1].text.islower()
        and "NOUN" not in parts_of_speech(second)
        and finite(second)
    )
    # "Both companies stated …", "Both agreed …": which two? ("Both Kenya and Sudan …", "Both
    # chambers of Congress …" say.)
    both = (
        first.word == "both"
        and len(opening) > 1
        and opening[1].text.islower()
        and second not in STOPWORDS
        and (
            finite(second)
            if "NOUN" not in parts_of_speech(second)
            else not (len(opening) > 2 and opening[2].word == "of")
        )
    )
    # "You mentioned about APEC.": someone addressed; "You can't have a ceasefire while …" is
    # anyone.
    anyone = first.word == "you" and second in AUXILIARIES
    if (
        antecedent is None
        and ((first.word in _POINTERS and not anyone) or nobody or both)
        and second not in TIME_NOUNS
        and not (first.word == "it" and _EXPLETIVE.match(bare_text))
    ):
        problems.append(
            Problem(
                "reference", f"opens on “{first.text}”, which points to nothing in the statement"
            )
        )
    if answers(bare_text):
        problems.append(Problem("reference", "answers a question the statement does not give"))
    if antecedent is None and (elided := _elided(words)):
        problems.append(Problem("reference", f"ends on “{elided}”: {ELIDED}"))
    if antecedent is None and (later := _after_what(bare_text)):
        problems.append(Problem("reference", f"“{later}” {AFTER_WHAT}"))
    # "The President emphasized that … our national security": the speaker is named.
    # Not by "we" or "I" ("We urge the Government …", "We continue to urge …"): the speaker is
    # still unnamed.
    reported = any(
        lemmas(t.word) & REPORTING
        and t.text.islower()
        and not any(w.word in ("i", "we") for w in words[max(0, k - 3) : k])
        for k, t in enumerate(words)
    )
    # Names inside a quotation are not its speaker's: "“… for European capitals …,” he told
    # Reuters." names nobody "he" can be.
    # Nor are names in an opening phrase ("Called the Lobito Corridor, the project is the
    # centerpiece of his administration's strategy": whose?).
    outside = [t for t in tokens(unquoted(main)) if t.word]
    if antecedent is None and first.word not in _POINTERS and (pronoun := _unnamed_person(outside)):
        problems.append(Problem("reference", f"“{pronoun}” points to nobody the statement names"))
    if not voiced and not reported and speaks_first_person(bare_text):
        problems.append(Problem("speaker", "speaks in the first person with no speaker named"))
    return problems


# --- what a statement needs from the statements around it ---------------------------------------

_DEMONSTRATIVES = frozenset("this these those such".split())
_SUCH_HERE = frozenset("other any no first only".split())
_PLURAL_PRONOUNS = frozenset("they them their".split())
# "Yes, …", "No, I'm not able to confirm …": an answer to a question the statement does not give.
_ANSWER = re.compile(
    r"^(?:yes|no|yeah|nope|sure|correct|right|exactly|absolutely|well)\b\s*[,.—–-]", re.I
)


def references(text: str, previous: frozenset[str] = frozenset()) -> list[str]:
    """The phrases of a statement that point to something said before it, outside the statement:
    a noun after "this", "these" or "those" ("80,000 of these Afghans", "this initiative"), an
    opening "The …" with no more than a word or two before its verb ("The decision has stranded
    …"), an opening "Another" of no noun, a "they", "them" or "their" with nothing before it
    that it can mean, and a "the …" within the sentence whose noun the sentence before it in the
    text names (``previous``: the keys of its words) with nothing after it that says which
    ("… in an RPG attack in the city" after "… the besieged city of Misrata"). The brief keeps
    such a statement only where what it points to is shown before it (``compose``)."""
    bare_text = unvoiced(text).strip()
    words = [t for t in tokens(bare_text) if t.word]
    found: list[str] = []
    for k, t in enumerate(words[1:], start=1):
        after = words[k + 1] if k + 1 < len(words) else None
        if (
            t.word in _DEMONSTRATIVES
            and after is not None
            and after.text.isalpha()
            and after.clause == t.clause
            and after.word not in STOPWORDS
            and after.word not in TIME_NOUNS
            # "these measures", "such munitions": a noun, though also a verb form ("this
            # means" is none)
            and (not finite(after.text) or (t.word != "this" and _noun(after.word)))
            # "al-Qaeda and other such organizations", "the first such request": named here
            and not (t.word == "such" and words[k - 1].word in _SUCH_HERE)
            and not after.word.endswith("ing")  # "those receiving U.S. support"
            and (after.text.islower() or t.word != "this")  # "this Administration"
            # "after his victory, he wrote, “This victory …”": named in the statement itself
            and not any(keys(after.word) & keys(u.word) for u in words[:k])
        ):
            found.append(f"{t.text} {after.text}")
        # "… do its job with that in mind.", "Beyond that, …": a pronoun after a preposition,
        # at the clause's end or before another preposition, means what was said before.
        elif (
            t.word in ("this", "that")
            and words[k - 1].word in PREPOSITIONS
            # "pointed out that, under …": a particle's conjunction
            and words[k - 1].word not in ("out", "up", "down", "off")
            and (after is None or after.clause != t.clause or after.word in PREPOSITIONS)
        ):
            found.append(t.text)
    opening = [t for t in tokens(_main_clause(bare_text)) if t.word]
    if len(opening) >= 3 and opening[0].word == "the" and bare_text[:1] not in "\"“‘'":
        j = 1
        while (
            j < min(len(opening) - 1, 4) and opening[j].text.isalpha() and opening[j].text.islower()
        ):
            # "The targeted population encompasses …": a participle before the noun
            # "The compacts give …": a word right after "The" that a verb follows is the noun,
            # though the lexicon gives it as a verb too.
            # "The first time was …": a time noun after an ordinal too.
            if opening[j].word in _ADVERBS or (
                finite(opening[j].text)
                and not (j == 1 and (_before_noun(opening[j:]) or _noun_then_verb(opening[j:])))
                and not (j == 2 and _ordinal(opening[1].word) and opening[2].word in TIME_NOUNS)
            ):
                break
            j += 1
        verb = opening[j]
        if (
            # "The decision has …", "The targeted population …", not "The health ministry …"
            (j == 2 or (j == 3 and _modifier(opening[1].text)) or (j == 3 and _series(opening)))
            and not any(_is_number(t) for t in opening[1:j])  # "The two leaders", as named
            and verb.clause == opening[0].clause
            and verb.text.islower()
            and (finite(verb.text) or verb.word in _ADVERBS)
        ):
            found.append(" ".join(t.text for t in opening[:j]))
    for k, t in enumerate(words[:-2]):
        noun, verb = words[k + 1], words[k + 2]
        # "Now that that delegation may not be happening", "about that decision", "… – that trip
        # was shortened": "that" after "that", a preposition or a clause's break, before a
        # singular noun and its verb, is a determiner ("said that funding would" is not).
        if (
            t.word == "that"
            and k > 0
            and (
                words[k - 1].word in _BEFORE_DETERMINER
                or re.search(rf"[—–;]\s*that\s+{re.escape(noun.text)}\b", bare_text) is not None
            )
            and noun.word not in _IDIOMS
            and noun.text.isalpha()
            and noun.text.islower()
            and noun.clause == t.clause == verb.clause
            and noun.word not in STOPWORDS
            and noun.word not in TIME_NOUNS
            # a noun that is a verb's form too before an auxiliary ("that trip was")
            and (not finite(noun.text) or verb.word in AUXILIARIES)
            and _singular_noun(noun.word)
            and verb.text.islower()
            and (finite(verb.text) or verb.word in _ADVERBS)
        ):
            found.append(f"{t.text} {noun.text}")
    # "since that time", "by that point": a time the sentence before names ("This week" is now).
    found.extend(
        f"{t.text} {noun.text}"
        for k, (t, noun) in enumerate(pairwise(words[1:]), start=1)
        if t.word == "that"
        and words[k - 1].word in PREPOSITIONS
        and noun.word in TIME_NOUNS
        and noun.clause == t.clause
    )
    for k, t in enumerate(words[1:-1], start=1):
        noun = words[k + 1]
        after = words[k + 2] if k + 2 < len(words) else None
        if (
            previous
            and t.word == "the"
            and noun.text.isalpha()
            and noun.text.islower()
            and noun.word not in STOPWORDS
            and noun.word not in TIME_NOUNS
            and not finite(noun.text)
            and _noun(noun.word)
            and (after is None or after.clause != noun.clause or after.word not in _SPECIFIERS)
            and not (after is not None and after.clause == noun.clause and _noun(after.word))
            and keys(noun.word) & previous
            and not any(keys(noun.word) & keys(u.word) for u in words[:k])
        ):
            found.append(f"{t.text} {noun.text}")
    if (
        len(opening) >= 2
        and opening[0].word in ("another", "others")
        and (opening[1].word in STOPWORDS or opening[1].clause != opening[0].clause)
    ):
        found.append(opening[0].text)  # "Another with the group, …": another of whom?
    for k, t in enumerate(words[1:], start=1):
        if t.word in _PLURAL_PRONOUNS:
            earlier = words[:k]
            if not any(
                (u.text[0].isupper() and not u.initial and u.word != "i")
                or (u.text.islower() and u.word.endswith("s") and len(u.word) > 3)
                for u in earlier
            ):
                found.append(t.text)
            break
    return found


_ADVERBS = frozenset("also then later now still recently".split())


_BEFORE_DETERMINER = frozenset("that of about for with to on at from by in into over".split())
# "in that case", "to that end": no reference.
_IDIOMS = frozenset("case end regard respect point matter sense way extent".split())


# "the talks of …", "the city that …": what follows says which.
_SPECIFIERS = frozenset("of that which who whose where when".split())


def _noun(word: str) -> bool:
    found = parts_of_speech(word)
    return "NOUN" in found and "ADJ" not in found


def _can_be_noun(word: str) -> bool:
    return "NOUN" in parts_of_speech(word)


def _singular_noun(word: str) -> bool:
    """A noun in the singular: the lexicon gives it as a noun lemma of itself."""
    get_lemmas, _ = lexicon()
    found = get_lemmas(word)  # type: ignore[operator]
    return word in found.get("NOUN", ()) and "ADJ" not in found


def _modifier(word: str) -> bool:
    """An adjective or a participle (the lexicon gives "targeted" as VBD only), not a noun."""
    return only_adjective(word) or bool(verb_forms(word.lower()) & {"VBD", "VBN", "VBG"})


def _ordinal(word: str) -> bool:
    return ORDINAL.fullmatch(word) is not None or word in ("last", "next", "previous", "final")


def _series(opening: Sequence[Token]) -> bool:
    """ "The first time …", "The last day …": a time in a series the text counted before it
    ("… for the second time"); not "The first lady", "The next election"."""
    return _ordinal(opening[1].word) and opening[2].word in TIME_NOUNS


def _noun_then_verb(toks: Sequence[Token]) -> bool:
    """ "compacts give", "attacks killed": a noun (that is also a verb form), then its verb."""
    return (
        len(toks) >= 2
        and _noun(toks[0].word)
        and toks[1].text.isalpha()
        and toks[1].text.islower()
        and toks[1].clause == toks[0].clause
        and finite(toks[1].text)
    )


def _before_noun(toks: Sequence[Token]) -> bool:
    """ "targeted population encompasses": a word, then a noun, then a verb."""
    return (
        len(toks) >= 3
        and toks[1].text.isalpha()
        and toks[1].text.islower()
        and not finite(toks[1].text)
        and (finite(toks[2].text) or toks[2].word in _ADVERBS)
    )


@lru_cache(maxsize=1 << 13)
def word_keys(text: str) -> frozenset[str]:
    """The keys (``keys``) of every word of ``text``: what a reader has been shown."""
    return frozenset().union(*(keys(t.word) for t in tokens(text) if t.word))


def unshown(
    text: str,
    shown: frozenset[str],
    previous: frozenset[str] = frozenset(),
    *,
    headline: frozenset[str] = frozenset(),
) -> list[str]:
    """The statement's references (``references``) that name nothing in ``shown`` (the keys of
    what the reader has read before it). "They", "them", "their" and "these …" name nothing by a
    word: "80,000 of these Afghans" means the Afghans of the sentence before, not any Afghans."""
    found = references(text, previous)
    # Only a "the …" of the sentence before needs ``previous``: without it, the same list.
    own = references(text) if previous else found
    return [
        ref
        for ref in found
        if ref.split()[0].lower() in _PLURAL_PRONOUNS | _DEMONSTRATIVES
        or " " not in ref  # a pronoun ("with that in mind") names nothing by a word
        or not keys(ref.split()[-1]) & (shown if ref in own else headline)
    ]


def leans_on_antecedent(text: str) -> bool:
    """Whether the statement stands only right after the sentence before it in the text: it
    opens on a word that points outside it ("They joined …"), leaves out what it says of
    ("Ukraine and Europe were not invited.") or after what ("DHS later modified the list …"),
    names a person only as "he" or "she" ("“…,” he told Reuters."), or is a quotation that names
    no speaker."""
    return any(
        (
            p.kind == "reference"
            and (p.text.startswith("opens on") or p.text.endswith((ELIDED, AFTER_WHAT)))
        )
        or p.kind == "speaker"
        or (p.kind == "reference" and p.text.endswith("points to nobody the statement names"))
        for p in form_problems(text)
    )


#: Sentences of a text that name a thing for it to be the text's running subject ("the
#: outbreak", "the meeting"): a reader of the brief knows which without the sentence before.
RUNNING = 2


def running_keys(texts: Iterable[str]) -> frozenset[str]:
    """The keys of the words that ``RUNNING`` or more of ``texts`` name."""
    counts: dict[str, int] = {}
    for text in texts:
        for key in word_keys(text):
            counts[key] = counts.get(key, 0) + 1
    return frozenset(key for key, n in counts.items() if n >= RUNNING)


def unshown_open(text: str, shown: frozenset[str]) -> bool:
    """Whether a "the …" of the statement that says not which (``open_references``) names
    nothing in ``shown``."""
    return any(not keys(ref.split()[-1]) & shown for ref in open_references(text))


def continues_quote(antecedent: str | None) -> bool:
    """Whether a quotation right after ``antecedent`` goes on one that it attributes: it holds
    a quotation and a reporting verb outside it ("“The operation started …,” said Abdourahim
    Said Bakar, a government spokesman.")."""
    if not antecedent or not quotations(antecedent, single=False):
        return False
    return any(lemmas(t.word) & REPORTING for t in tokens(unquoted(antecedent)) if t.word)


def points_to_sentence_before(text: str, *, determiners: bool = False) -> bool:
    """Whether a reference of the statement names nothing by a word ("these deployments",
    "them"): only the sentence before it in the text shows what it means, so the statement
    goes where that sentence goes (``unshown``). ``determiners``: a "that …" or "another …"
    too ("… that trip was shortened"), as a lead must not hold (``headline``)."""
    pointing = _PLURAL_PRONOUNS | _DEMONSTRATIVES
    if determiners:
        pointing |= {"that", "another"}
    return any(
        ref.split()[0].lower() in pointing or " " not in ref  # a pronoun: "with that in mind"
        for ref in references(text)
    )


def answers(text: str) -> bool:
    """Whether a statement opens as an answer ("No, I'm not able to confirm …")."""
    return bool(_ANSWER.match(_CONNECTIVE.sub("", unvoiced(text).strip())))


# --- what the checks cannot judge ---------------------------------------------------------------

# "the world", "behind the scenes": a "the …" that needs nothing said before it.
_UNIQUE = frozenset("world public press past future moment scenes".split())


def open_references(text: str) -> list[str]:
    """A statement's "the …" of a common noun that nothing in it says which ("we're closing the
    gaps", "in the city"): the reader must know from what came before, which the checks cannot
    judge when the brief shows no word of it. A noun followed by what says which ("the talks
    in Doha", "the concerns expressed by …", "the challenges and risks that China poses", "the
    phrase “…”", "the health ministry") is no such reference, nor is one in a quotation, whose
    speaker the statement names."""
    words = [t for t in tokens(unquoted(unvoiced(text), f" {_QUOTE_MARK} ")) if t.word]
    found: list[str] = []
    for k, t in enumerate(words[:-1]):
        noun = words[k + 1]
        if (
            t.word == "the"
            and noun.text.isalpha()
            and noun.text.islower()
            and noun.word not in STOPWORDS | TIME_NOUNS | _UNIQUE
            and _noun(noun.word)
            and not _says_which(words, k + 2)
            and not any(keys(noun.word) & keys(u.word) for u in words[:k])
        ):
            found.append(f"{t.text} {noun.text}")
    return found


_QUOTE_MARK = "quotedwords"


def _says_which(words: Sequence[Token], k: int) -> bool:
    """Whether the words from ``k`` on, in the noun's clause, say which thing the noun before
    them is: a quotation, "of"/"that"/"who" …, a preposition not of time, a second noun, a
    participle before its phrase ("expressed by", "held in"), or "and" another noun that one of
    these follows."""
    if k >= len(words) or words[k].clause != words[k - 1].clause:
        return False
    after = words[k]
    following = words[k + 1 : k + 2]
    if after.word in ("and", "or") and following and _noun(following[0].word):
        return _says_which(words, k + 2)
    return (
        after.word == _QUOTE_MARK
        or after.word in _SPECIFIERS
        or (after.word in PREPOSITIONS and not _when(following))
        # "the health ministry", "the government forces", "the city council" (a noun the
        # lexicon also gives as an adjective), "the finance minister" (a singular noun takes
        # no plain verb form after it), not "the compacts give"
        or (
            _can_be_noun(after.word)
            and (
                not finite(after.text)
                or after.word.endswith("s")
                or (
                    _singular_noun(words[k - 1].word)
                    and not verb_forms(after.word) & {"VBD", "VBZ"}
                    and after.word not in AUXILIARIES
                )
            )
        )
        or bool(
            verb_forms(after.word) & {"VBN", "VBD", "VBG"}
            and following
            and following[0].word in PREPOSITIONS
        )
    )


def _when(words: Sequence[Token]) -> bool:
    """ "on Sunday", "in May", "in 2024": a time after the preposition says when, not which."""
    return bool(words) and (words[0].word in TIME_NOUNS or _is_number(words[0]))


# Words by which a text judges or weighs ("could mark a dramatic change", "will need strong
# relations", "suggesting the party remains …"): a view, which the checks cannot tell from fact.
# Not "may", "must", "should": they also grant or require ("OFAC may impose civil penalties"). Not
# a modal of a relative clause, which tells what kind of thing ("prior Orders that might block …").
_JUDGING = re.compile(
    r"(?<!\bthat\s)(?<!\bwhich\s)(?<!\bwho\s)"
    r"\b(?:could|might|would|will\s+need|(?:un)?likely|appears?\s+(?:to|\w+ed)\b|seems?"
    r"|probably|possibly|perhaps|arguably)\b(?!\s+(?:be\s+)?(?:heard|seen)\b)"
)
_MADE_CLEAR = re.compile(r"\bma(?:de|ke|kes|king)\s+(?:it\s+)?clear\b")


def own_judgement(text: str) -> str | None:
    """The word by which a statement judges or weighs in the text's own voice, if any: none when
    it names who speaks ("Kirby: …"), says who holds the view ("…, Kirby said", "Rubio
    suggested that …") or reports what someone said would happen ("announced it would …")."""
    plain = unvoiced(text)
    if plain != text:
        return None
    own = unquoted(plain)
    match = _JUDGING.search(own)
    if match is None:
        return None
    # "The US has made it clear that … Trump himself may …": the US's view, not the text's.
    if _MADE_CLEAR.search(own[: match.start()]):
        return None
    toks = [t for t in tokens(plain) if t.word]
    # "To maintain …, X will need …": an infinitive of purpose says nobody holds the view.
    if any(toks[start].word != "to" for start, _ in _attributions(toks)):
        return None
    before = [t for t in tokens(own[: match.start()]) if t.word]
    if any(
        lemmas(t.word) & REPORTING and (i == 0 or before[i - 1].word != "to")
        for i, t in enumerate(before)
    ):
        return None
    return match.group(0)


# --- citing a title or bottom line ---------------------------------------------------------------


def cover(text: str, candidates: Sequence[tuple[int, str]], limit: int = 3) -> list[int]:
    """The ids of the fewest candidate sentences (at most ``limit``) that hold the most of
    ``text``'s content words and numbers, in the order found; [] when none holds any."""
    wanted = [t.word for t in tokens(text) if content(t)]
    values = set(number_values(text))
    chosen: list[int] = []
    covered: set[int] = set()
    got: set[str] = set()
    pool = [(sid, word_keys(s), number_values(s)) for sid, s in candidates]
    wanted_keys = [keys(w) for w in wanted]
    for _ in range(limit):
        best, best_gain = None, 0
        for sid, have, nums in pool:
            if sid in chosen:
                continue
            hit = {k for k, w in enumerate(wanted_keys) if k not in covered and w & have}
            gain = len(hit) + 2 * len((values - got) & nums)
            if gain > best_gain:
                best, best_gain = (sid, hit, nums), gain
        if best is None:
            break
        chosen.append(best[0])
        covered |= best[1]
        got |= values & best[2]
    return chosen


def held(text: str, sentence: str) -> tuple[int, int]:
    """How many of ``text``'s content words ``sentence`` holds in some form, and of how many."""
    wanted = [keys(t.word) for t in tokens(text) if content(t)]
    have = word_keys(sentence)
    return sum(1 for w in wanted if w & have), len(wanted)
