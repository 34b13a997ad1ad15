"""Shorter forms of a statement: the sentence cut where its main clause ends.

A whole source sentence averages ~28 words, so a one-page brief holds few facts (issue 10). A
news sentence often carries its fact in the main clause and an attribution or gloss after it
("…de-escalate as quickly as possible,” adding that both Secretary Rubio and …"). A shorter form
is a prefix of the sentence ending at such a break, closed with a full stop: the words are the
source's own, in its order, so the statement stays grounded in its cited sentence and the
verifier checks it like any other. Whether the short or the whole form is kept is decided by the
ranking (facts per word): a tail full of names and numbers keeps the sentence whole.

Not cut: inside a quotation (an unbalanced quote would misquote), before ``MIN_HEAD`` words (the
head would not stand alone: "The attack, which …"), or when the tail is a few words only.

Two cutters, two jobs: ``shorter_forms`` offers the ranking every shorter form of a statement;
``main_clause`` fits a sentence into a word limit (a bottom line or lead over its cap), where
any clause break will do, a participle or "according to" after a comma included.
"""

from __future__ import annotations

import re

from briefer.models import word_count
from briefer.text.authors import unvoiced
from briefer.text.words import AUXILIARIES, DETERMINERS, bare, parts_of_speech, verb_forms

#: The shortest head that stands as a statement, and the shortest tail worth cutting.
MIN_HEAD = 8
MIN_TAIL = 5
#: A second verb or a dash needs a longer head: "In 2021, the administration fulfilled a
#: campaign promise and suspended the agreement" has its fact in the second verb, and a dash
#: in a transcript often follows a fragment ("And then to your first point —").
MIN_HEAD_WEAK = 12

# Where a dependent part of a sentence begins: an attribution or gloss after a comma (a
# participle, a relative clause, a purpose or time clause), a semicolon, a dash, or a second
# verb joined by "and" ("… and stressed the need for restraint").
_BREAK = re.compile(
    r"""(?:,(?P<quote>[”"])?\s+(?=(?:adding|saying|noting|stressing|emphasi[sz]ing|expressing|urging|calling
            |citing|describing|highlighting|underscoring|reiterating|insisting|arguing|warning
            |including|such\s+as|which|who|where|whose|in\s+order\s+to|as\s+part\s+of|amid
            |following|after|while|as|bringing|making|leaving
            |though|although|even\s+though|whereas|thereby
            |ensuring|allowing|prompting|sparking|marking|raising|signal(?:l)?ing|forcing
            |causing|putting|giving|setting|comprising)\b)
        | ;\s+ | (?P<dash>\s[—–]\s)
        | (?P<verb>\s+and\s+(?=(?:also\s+)?[a-z]+ed\b))
        # An appositive that ends the sentence ("…, according to #AfghanEvac, a coalition that
        # assists Afghans …"): who someone is, not what happened.
        | ,\s+(?=(?:a|an)\s+[a-z][^,;]*$)
    )""",
    re.VERBOSE,
)

# A dash in the text, spaced or not ("a “road map” —-drawn up by …"); an en dash only where
# spaced on one side ("2014–2016" is a range).
_DASH = re.compile(r"—|\s–|–\s")

# A relative clause opened mid-sentence ("The attack, which resulted in …, was claimed by"):
# the head would end inside it, without its verb.
_OPEN_CLAUSE = re.compile(r",\s+(?:which|who|whose|whom)\b")
# …closed when the main clause's verb follows it ("The attack, which resulted in the deaths of
# 27 people, was claimed by The Resistance Front"): the head has its verb.
_CLOSED_BY_VERB = re.compile(
    r",\s+(?:was|were|is|are|has|have|had|will|would|can|could|did|does|do|remains?|became)\b"
)


def _open_clause(clause: str) -> bool:
    match = _OPEN_CLAUSE.search(clause)
    return bool(match and not _CLOSED_BY_VERB.search(clause, match.end()))


# A head ending on a word that needs more ("…committed to the American people that, following
# the withdrawal, …") would stop mid-clause.
_DANGLING = frozenset(
    "that to of the a an and or but for with in on at by from as than whether if because while "
    "when where which who whom whose his her their its our my your this these those".split()
)


def inside_quote(head: str) -> bool:
    return head.count("“") > head.count("”") or head.count('"') % 2 == 1


# An opening phrase with no clause after it: "By the authority vested in me as President by
# the Constitution …" (a memorandum's formula, cut before its ", including …").
_ONLY_AN_OPENING = re.compile(
    r"^\W*(?:By|Under|Through|Pursuant\s+to|In|On|At|With|Since|During|After|Before|As|For|From|To)"
    r"\s[^,;:]*$"
)


# A clause that "that" or "whether" opens on its subject ("… skeptical that the two leaders",
# "… whether Russia"), cut before that subject's verb: it says nothing of them.
_SUBJECT_CLAUSE = re.compile(
    r"\b(?:that|whether)\s+(?=(?:the|a|an|his|her|their|its|our|this|these|those|he|she|they"
    r"|we|it|I|you|there|[A-Z][\w’'-]*)\b)"
)
# Contractions that are verbs ("we're", "they'll", "didn't"); "'s" may be a possessive.
_CONTRACTED = re.compile(r"[’'](?:re|ll|ve|d|m)$|n[’']t$")
_VERB_TAGS = frozenset("VB VBP VBD VBZ VBN VBG MD".split())


def _verbless_clause(clause: str) -> bool:
    """Whether ``clause`` ends in a "that …" clause that is only its subject: no word after
    "that" can be a verb ("… that the two leaders", not "… that the sanctions remain")."""
    opened = None
    for match in _SUBJECT_CLAUSE.finditer(clause):
        opened = match
    if opened is None:
        return False
    tail = clause[opened.end() :].split()
    for k, word in enumerate(tail):
        w = bare(word).lower()
        # An auxiliary is a verb whatever comes before it ("that this is …").
        if w in AUXILIARIES or _CONTRACTED.search(word.lower()):
            return False
        after_determiner = k > 0 and bare(tail[k - 1]).lower() in DETERMINERS
        if word[:1].islower() and not after_determiner and verb_forms(w) & _VERB_TAGS:
            return False
    return True


# A participle set off after the subject ("the outbreak, caused by Bundibugyo virus and
# concentrated in …, has become"): a head that ends inside it, before the main verb, says
# nothing of its subject.
_PARTICIPLE = re.compile(r",\s+[a-z]+ed\s+by\b")


def _inside_participle(clause: str) -> bool:
    """Whether ``clause`` ends inside a participle set off by a comma ("…, caused by …") with
    no verb of the main clause before it: a word only a verb can be, or an auxiliary (an
    "-ed" opening aside: "First reported in May 2026, …")."""
    opened = None
    for match in _PARTICIPLE.finditer(clause):
        opened = match
    if opened is None or "," in clause[opened.end() :]:
        return False
    words = clause[: opened.start()].split()
    for k, word in enumerate(words):
        w = bare(word).lower()
        if word[:1].islower() and (w in AUXILIARIES or _CONTRACTED.search(w)):  # not "May 2026"
            return False
        opening = k == 0 or (k == 1 and words[0][:1].isupper())
        if (
            word[:1].islower()
            and not (opening and w.endswith("ed"))
            and parts_of_speech(w) == {"VERB"}
            and verb_forms(w) & _VERB_TAGS
        ):
            return False
    return True


def stands_alone(head: str) -> bool:
    """Whether the start of a sentence, up to a cut, is a clause of its own: not ending on a
    word that needs more ("… the American people that"), not inside a relative clause or
    before the verb of a "that" clause's subject, and not only an opening phrase."""
    clause = unvoiced(head)
    words = clause.split()
    return bool(
        words
        and not _open_clause(clause)
        and words[-1].casefold().strip("“”\"'") not in _DANGLING
        and not _ONLY_AN_OPENING.match(clause)
        and not _verbless_clause(clause)
        and not _inside_participle(clause)
    )


# A condition the sentence's claim holds under ("…, including courts and tribunals, as
# appropriate", "unless …"): a cut before it would state the claim without it. (Not every
# "if": "asked if …", "… if DRC ultimately …" in a clause of its own.)
_CONDITION = re.compile(
    r"\b(?:unless|provided\s+that|(?:as|if|where|when)\s+(?:appropriate|needed|necessary"
    r"|required|applicable|warranted|possible))\b",
    re.IGNORECASE,
)


def _last_condition(text: str) -> int:
    """Where the sentence's last condition (``_CONDITION``) begins; -1 where it has none: no cut
    at or before it."""
    return max((m.start() for m in _CONDITION.finditer(text)), default=-1)


def shorter_forms(text: str) -> list[str]:
    """The sentence's prefixes that end where a dependent part begins, shortest first, each
    closed with a full stop; [] when none stands alone."""
    forms: list[str] = []
    total = word_count(text)
    condition = _last_condition(text)
    for match in _BREAK.finditer(text):
        head = text[: match.start()].rstrip(" ,;:—–")
        if condition >= match.start():
            continue
        quote = match.group("quote") or ""
        # Counted without a speaker's label ("Biden: …"), which is no part of the clause.
        size = word_count(unvoiced(head))
        if (
            size < (MIN_HEAD_WEAK if match.group("verb") or match.group("dash") else MIN_HEAD)
            or total - size < MIN_TAIL
            or inside_quote(head + quote)
            # A dash that closes an aside the head opened ("Through diplomacy – in coordination
            # with our Allies – we have developed …"): the head has no verb of its own.
            # So does any break inside an aside a dash opened ("… Islands — the Marshall
            # Islands, which lie north of the equator, and Palau — in exchange for …").
            or len(_DASH.findall(head)) % 2 == 1
            # Nor at one that opens an aside a later dash closes: the sentence goes on after it
            # ("… access to three Pacific Islands — the Marshall Islands, … — in exchange for
            # economic aid" is not given for nothing).
            or (match.group("dash") and len(_DASH.findall(text, match.end())) % 2 == 1)
            # A cut inside brackets leaves them open ("… (A fact sheet added the phrase …".).
            or head.count("(") != head.count(")")
            or not stands_alone(head)
        ):
            continue
        # A quotation that ends the head keeps its closing mark, the full stop after it, so
        # the quoted words stay exactly the source's: "…as possible”."
        forms.append(head.rstrip(".!?") + quote + ".")
    return forms


# Where a long sentence's main clause ends and a dependent one begins: cut there, the main
# clause is a whole sentence ("…drawdown of $550 million, in order to …" → "…$550 million.").
_CLAUSE_BREAK = re.compile(
    r"(?:,\s+(?:in\s+order\s+to|which|who|bringing|including|while|as|after|following|"
    r"according\s+to|amid|and\s+(?:the|he|she|they|it|we|to)"
    # Any participle after a comma ("…pursuant to E.O. 14024, targeting …"): a bottom line the
    # length cap cut ends better there than nowhere (the lead then stands in). Not a word that
    # only looks like one, nor an adjective opening a list's next item ("…, ongoing talks").
    r"|(?!(?:some|no|any|every)thing\b|(?:on|up|out)\w+ing\b|(?:existing|remaining|growing"
    r"|increasing|emerging|leading|continuing|rising|pressing|lasting)\b)[a-z]{3,}ing)\b"
    r"|;\s|\s[—–]\s)"
)


def main_clause(sentence: str, max_words: int, min_words: int) -> str:
    """The longest head of ``sentence`` within ``max_words`` that ends at a clause break (here
    or where ``shorter_forms`` cuts), stands alone and holds at least ``min_words``; else ''."""
    heads = [form for form in shorter_forms(sentence) if word_count(form) <= max_words]
    condition = _last_condition(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        head = sentence[: match.start()].rstrip(" ,;")
        if word_count(head) > max_words:
            break
        if condition >= match.start():
            continue
        if stands_alone(head) and not inside_quote(head):
            heads.append(head + ".")
    fit = [h for h in heads if word_count(h) >= min_words]
    return max(fit, key=word_count, default="")
