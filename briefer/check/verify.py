"""The verifier: checks every statement of a brief against the source sentences it cites. No model.

For each statement, against its cited sentences (and, failing that, the whole source):

- the cited sentence ids exist;
- every quoted span ("…", “…”, ‘…’) appears verbatim in the source, quote style and whitespace
  aside, and in the cited sentences;
- every number appears in the cited sentences. Numbers are compared as values
  (``grounding.number_values``): "1,000" = "1000", "twenty-seven" = "27", "two hundred" = "200",
  "1.5 million" = "$1.5m" = "1500000", "40%" = "40 percent", "three-quarters" = "75"; dates by
  their parts, so "April 22" = "22 April";
- every name (capitalised word, any script) appears in the source, and in the cited sentences.
  Names match without case, possessive or accents, as demonyms ("Ukraine" = "Ukrainian") and as
  initials ("US" = "United States"); see ``grounding``. Against the cited sentences a month is
  not checked (its day is), nor a capitalised first word that the source never capitalises
  mid-sentence (it may be a common word: "Despite");
- attribution: when a cited sentence reports what someone said (said, claimed, according to…) and
  the statement has no reporting word or attribution word ("claims", "allegedly", "the poll
  found") at all, the statement has turned a claim into a fact;
- negation: the word a negation applies to in a cited sentence ("did not attend" → "attend";
  cues: not, no, never, n't, nor, none, nothing, without, cannot, unable, denied, refused,
  declined to, failed to) occurs in the statement with no negation shortly before it
  ("attended"), or the reverse;
- swapped actors: the nearest names before and after the same word of one clause, in the
  statement and in a cited sentence, in reverse order ("India accused Pakistan" → "Pakistan
  accused India"; a "by" after the word reads as a passive; symmetric verbs such as "met" are
  skipped).

Status: **supported** (all checks pass), **partly supported** (attribution dropped, or a number,
name or quote that is in the source but not in the cited sentences), **unsupported** (no valid
citation; a quote, number or name not in the source at all; a negation flip; swapped actors).

Which reporting words count (no part-of-speech tagger, so written rules): a capitalised word
inside a sentence is part of a name ("United States"); "so-called", and "called" before a name or
"off", are not reporting; "reports", "claims", "notes", "states", "calls" after a determiner,
possessive, number or "weekly", or before "of"/"on", are nouns ("the reports", "member states");
"states" and "notes" are verbs only before "that", punctuation or a quote; "added" and
"maintained" likewise ("added 200 jobs" is not a report); "announced" only before "that", a
pronoun or punctuation ("announced a ban" states an act); "according" only before "to".

Limits (heuristics, documented on purpose; ``tests/data/verify_cases.jsonl`` measures them):

- not caught: invented detail in lower-case words ("with roadside bombs", "criminal"), a changed
  modality ("may" → "will") or tense; a negation by antonym or prefix ("approved" → "rejected",
  "unlawful" → "lawful"); a role swap that is not a plain reversal around one shared word
  ("X recaptured Y from Z" → "Z recaptured Y from X"); a changed number that equals another
  number of the cited sentences ("2.4 … from 2.8" → "2.8"; "four" → "five" beside "5 p.m."); an
  attribution kept for one claim but dropped for another in the same statement; the right speaker
  of an attribution;
- caught only as partly supported: a wrong name, number or quote taken from elsewhere in the
  source ("Rubio spoke with Jaishankar" when the cited sentence says Munir);
- false alarms: a place standing for its government ("Kyiv", "Brussels") when the source does
  not name it (unsupported); context resolved from outside the cited sentences ("both sides" →
  "India and Pakistan", "the fund" → "the IMF": partly supported);
- "one" is not read as a number (too often a pronoun), nor are spelled ordinals ("second"),
  "half", or vague plurals ("hundreds"); negation and swap checks need cited sentences, so the
  bottom line gets the quote, number and name checks only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel

from briefer.check import fidelity, grounding
from briefer.check.grounding import bare_words, known, same_name
from briefer.check.scoring import normalise
from briefer.errors import ConfigError
from briefer.models import (
    SECTIONS,
    Article,
    Basis,
    Brief,
    Form,
    Statement,
    Status,
    VerificationSummary,
)
from briefer.text.authors import VOICE, unvoiced, voice_in
from briefer.text.people import Introduction, introductions, unintroduced
from briefer.text.quotes import MARKS as QUOTE_MARKS
from briefer.text.quotes import quotations
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.words import (
    MONTHS,
    SPEECH,
    STOPWORDS,
    VERIFY_FILLER,
    bare,
    fold,
    is_name,
    keys,
    name_of,
)
from briefer.text.words import stem as word_stem

# --- tokens --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_][\w'’ʼ-]*|[^\w\s]")
_CLAUSE_END = frozenset(".!?;:,()[]—–")
# A full stop after these does not end a sentence ("Mr. Sharif", "U.S. officials").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen col lt sen rep gov jr sr prof no vs etc maj capt sgt adm".split()
)


class _Token(NamedTuple):
    text: str
    word: str  # bare (lower case, no possessive, no accents); "" for punctuation
    initial: bool  # the first word of a sentence
    clause: int  # clauses end at , ; : ( ) dashes and sentence ends


def _tokenise(text: str) -> list[_Token]:
    return list(_tokens_of(text))


# A cited sentence is read again for every form of it that selection tries: tokenised once.
@lru_cache(maxsize=1 << 12)
def _tokens_of(text: str) -> tuple[_Token, ...]:
    out: list[_Token] = []
    clause, initial, previous = 0, True, ""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if not token[0].isalnum():
            if token in _CLAUSE_END:
                clause += 1
                if token in ".!?" and not (len(previous) == 1 or previous in _ABBREVIATIONS):
                    initial = True
            out.append(_Token(token, "", False, clause))
            continue
        word = bare(token)
        out.append(_Token(token, word, initial, clause))
        initial, previous = False, word
    return tuple(out)


def _name(token: _Token) -> bool:
    return bool(token.word) and not token.text[0].isdigit() and is_name(token.text)


# --- attribution ---------------------------------------------------------------------------------

# In a statement these also keep a claim a claim: "Pakistan's claim that…", "allegedly", "the
# poll found".
_ATTRIBUTION_NOUNS = frozenset(
    "claim claims allegation allegations accusation accusations assertion assertions "
    "purportedly supposedly apparently found finds showed shows".split()
)
_NOUN_OR_VERB = frozenset(["reports", "claims", "notes", "states", "calls"])
_DETERMINERS = frozenset(
    "the a an these those this that such some many several any no its his her their our your my "
    "other both all media news press recent earlier latest initial unconfirmed conflicting "
    "local official diplomatic written new further daily weekly monthly annual".split()
)
_PUNCTUATION_AFTER = frozenset([",", ".", ":", ";", *QUOTE_MARKS])
_ANNOUNCED_CLAIM = frozenset("that it he she they we its his her their".split())


def _reporting(tokens: list[_Token], i: int) -> bool:
    """Whether token ``i`` reports speech, by the written rules in the module's docstring."""
    token = tokens[i]
    word = token.word
    if word not in SPEECH or (token.text[0].isupper() and not token.initial):
        return False
    before = tokens[i - 1] if i else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    next_text = after.text if after else "."
    next_word = after.word if after else ""
    if word in _NOUN_OR_VERB and (
        next_word in ("of", "on", "about", "from")
        or (
            before is not None
            and (
                before.word in _DETERMINERS
                or before.text[:1].isdigit()
                or before.text.lower().endswith(("'s", "’s", "s'", "s’"))
            )
        )
    ):
        return False
    if word in ("states", "notes"):
        return next_word == "that" or next_text in _PUNCTUATION_AFTER
    if word in ("called", "calls"):
        return not (
            next_text[:1].isupper() or next_word in ("off", "up", "in", "out", "back", "away")
        )
    if word in ("added", "maintained"):
        return next_word == "that" or next_text in _PUNCTUATION_AFTER
    if word in ("announced", "announces"):
        # "announced that…", "announced it had…" report; "announced a ban", "announced by"
        # and "announced on May 10" state an act.
        return next_word in _ANNOUNCED_CLAIM or next_text in _PUNCTUATION_AFTER
    if word == "according":
        return next_word == "to"
    return True


def _reporting_words(tokens: list[_Token]) -> set[str]:
    return {t.word for i, t in enumerate(tokens) if t.word and _reporting(tokens, i)}


def _attributed(tokens: list[_Token]) -> bool:
    return bool(_reporting_words(tokens)) or any(t.word in _ATTRIBUTION_NOUNS for t in tokens)


# --- negation ------------------------------------------------------------------------------------

# Cues that flip a predicate. Denials count; "declined"/"failed" only before "to" ("exports
# declined 5%" is not a negation).
_NEGATORS = frozenset(
    "not no never nor neither none nobody nothing nowhere without cannot unable denied denies "
    "deny denying refused refuses refuse refusing".split()
)
# Words that carry no claim, skipped when looking for the word a negation applies to ("did not
# immediately attend") and for what one name does to another.
_FUNCTION_WORDS = (STOPWORDS | VERIFY_FILLER) - _NEGATORS
_NEGATORS_BEFORE_TO = frozenset("declined declines failed fails".split())
# Words that also make an occurrence negative when judging the other side, so a paraphrase by
# one of them is not a flip ("rejected" for "did not accept").
_NEGATIVE = frozenset(
    "rejected rejects rejecting dismissed dismisses disputed disputes refuted rebuffed ruled "
    "halted stopped suspended ended lack lacked lacking absent".split()
)
_WINDOW = 6  # a cue negates a word at most this many words after it, in the same clause


def _cue(tokens: list[_Token], i: int) -> bool:
    word = tokens[i].word
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if word in _NEGATORS_BEFORE_TO:
        return following is not None and following.word == "to"
    if word.endswith(("n't", "n’t")):
        return True
    if word not in _NEGATORS:
        return False
    if word == "not" and following is not None and following.word in ("only", "just", "least"):
        return False
    # "No. 10" is a number, not a negation.
    return not (word == "no" and following is not None and following.text == ".")


def _negated(tokens: list[_Token], i: int) -> bool:
    """Whether a cue (or a negative verb) stands shortly before word ``i`` in its clause."""
    seen = 0
    for j in range(i - 1, -1, -1):
        if tokens[j].clause != tokens[i].clause or seen >= _WINDOW:
            return False
        if not tokens[j].word:
            continue
        seen += 1
        if _cue(tokens, j) or tokens[j].word in _NEGATIVE:
            return True
    return False


def _scopes(tokens: list[_Token]) -> list[tuple[str, str]]:
    """(cue, stem of the word it negates) for every cue: "did not attend" → ("not", "attend")."""
    found = []
    for i, token in enumerate(tokens):
        if not token.word or not _cue(tokens, i):
            continue
        for later in tokens[i + 1 : i + 1 + 2 * _WINDOW]:
            if later.clause != token.clause:
                break
            if later.word and later.word not in _FUNCTION_WORDS and not later.text[0].isdigit():
                if later.word not in _NEGATORS:
                    found.append((token.text.lower(), word_stem(later.word)))
                break
    return found


def _polarity(tokens: list[_Token], stem: str) -> list[bool]:
    """For every occurrence of ``stem``: is it negated?"""
    return [
        _negated(tokens, i) for i, t in enumerate(tokens) if t.word and word_stem(t.word) == stem
    ]


def _negation_problems(statement: list[_Token], cited: list[_Token]) -> list[str]:
    problems = []
    for cue, stem in _scopes(cited):
        in_cited, in_statement = _polarity(cited, stem), _polarity(statement, stem)
        if all(in_cited) and in_statement and not any(in_statement):
            problems.append(f"drops the negation of the cited sentence (“{cue}” … {stem})")
    for cue, stem in _scopes(statement):
        in_cited, in_statement = _polarity(cited, stem), _polarity(statement, stem)
        if all(in_statement) and in_cited and not any(in_cited):
            problems.append(f"adds a negation the cited sentences lack (“{cue}” … {stem})")
    return problems


# --- swapped actors ------------------------------------------------------------------------------

# Verbs whose two sides may trade places without changing the meaning.
_SYMMETRIC = frozenset(
    word_stem(w)
    for w in "met meet meets meeting talks talked talk spoke speak speaks negotiated "
    "negotiate clashed clash fought fight border borders bordering versus vs".split()
)


def _roles(tokens: list[_Token]) -> dict[str, set[tuple[str, str]]]:
    """For every content word between two names of one clause: (name before, name after), the
    nearest ones; a "by" between the word and the later name (passive) swaps them."""
    roles: dict[str, set[tuple[str, str]]] = {}
    start = 0
    while start < len(tokens):
        end = start
        while end < len(tokens) and tokens[end].clause == tokens[start].clause:
            end += 1
        clause = [t for t in tokens[start:end] if t.word]
        start = end
        # The nearest name before and after each word, found in two passes, not per word.
        named = [_name(t) for t in clause]
        before_at: list[int | None] = []
        last: int | None = None
        for k, is_named in enumerate(named):
            before_at.append(last)
            if is_named:
                last = k
        after_at: list[int | None] = [None] * len(clause)
        last = None
        for k in range(len(clause) - 1, -1, -1):
            after_at[k] = last
            if named[k]:
                last = k
        for i, token in enumerate(clause):
            if named[i] or token.word in _FUNCTION_WORDS or token.text[0].isdigit():
                continue
            before, after = before_at[i], after_at[i]
            if before is None or after is None:
                continue
            pair = (clause[before].word, clause[after].word)
            if any(t.word == "by" for t in clause[i + 1 : after]):
                pair = (pair[1], pair[0])
            roles.setdefault(word_stem(token.word), set()).add(pair)
    return roles


def _swap_problems(statement: list[_Token], cited: list[_Token]) -> list[str]:
    said, cited_roles = _roles(statement), _roles(cited)
    problems = []
    for verb, pairs in sorted(said.items()):
        if verb in _SYMMETRIC or verb not in cited_roles:
            continue
        for first, second in sorted(pairs):
            if same_name(first, second):
                continue
            kept = any(_pair_is(p, first, second) for p in cited_roles[verb])
            if not kept and any(_pair_is(p, second, first) for p in cited_roles[verb]):
                problems.append(f"swaps the roles of “{first}” and “{second}” ({verb}…)")
    return problems


def _pair_is(pair: tuple[str, str], first: str, second: str) -> bool:
    return same_name(pair[0], first) and same_name(pair[1], second)


# --- the checks ----------------------------------------------------------------------------------


class Check(BaseModel):
    status: Status
    problems: list[str]
    form: Form | None = None


def number_values(text: str) -> set[str]:
    """Every number of ``text`` as a digit string (see ``grounding.number_values``)."""
    return set(grounding.number_values(text))


def quotes(text: str) -> list[str]:
    """What ``text`` quotes: in double quotes, and in ‘…’ whose closing mark is not an
    apostrophe ("‘Pakistan’s strikes’"); straight single quotes are too often apostrophes."""
    return [q.strip() for q in quotations(text, min_len=2, single=True) if q.strip()]


class _Facts(NamedTuple):
    words: set[str]
    normalised: str
    capitalised: set[str]  # words capitalised inside a sentence somewhere: names for sure


@lru_cache(maxsize=64)
def _facts(text: str) -> _Facts:
    """What the checks need of a source, computed once per source, not once per statement."""
    capitalised = {t.word for t in _tokenise(text) if _name(t) and not t.initial}
    return _Facts(bare_words(text), normalise(text), capitalised)


def _names(tokens: list[_Token]) -> dict[str, bool]:
    """Names of a statement, each with whether it only ever starts a sentence ("Despite …")."""
    found: dict[str, bool] = {}
    for token in tokens:
        if _name(token):
            name = name_of(token.text)
            found[name] = found.get(name, True) and token.initial
    return found


_SPEAKER_PREFIX = re.compile(r"^(?P<name>[^\W\d_][\w’'.-]*):\s+(?=\S)")


def check_statement(
    text: str,
    cited: Iterable[Sentence],
    source: str,
    *,
    needs_citation: bool = True,
    source_name: str = "the source",
    antecedent: str | None = None,
) -> Check:
    """Check one statement against its cited sentences and the whole source.

    ``source_name`` names ``source`` in the problems: "the stored sentences" when only the
    sentences saved with a brief stand in for the article.
    """
    cited = list(cited)
    problems: list[str] = []
    unsupported = False
    as_printed = text
    # "Biden: I call on …": the speaker named in front of a first-person statement comes from
    # the text's title or transcript turn, not from the cited sentence; it must be in the source.
    if (prefix := _SPEAKER_PREFIX.match(text)) is not None:
        speaker, text = prefix.group("name"), text[prefix.end() :]
        if not known(speaker.casefold(), _facts(source).words):
            problems.append(f"speaker “{speaker}” is not in {source_name}")
            unsupported = True
    elif (prefix := VOICE.match(text)) is not None:
        # "President Joe Biden: …", "Secretary of State Antony J. Blinken: …": the speaker as
        # the text's title or byline introduces them, word for word
        speaker, text = prefix.group("name"), text[prefix.end() :]
        if not voice_in(speaker, source):
            problems.append(f"speaker “{speaker}” is not in {source_name}")
            unsupported = True
    if needs_citation and not cited:
        problems.append("no valid citation")
        unsupported = True
    basis = " ".join(s.text for s in cited) if cited else source
    whole, near = _facts(source), _facts(basis)
    for quote in quotes(text):
        if normalise(quote) not in whole.normalised:
            problems.append(f"quote not in {source_name}: “{quote}”")
            unsupported = True
        elif normalise(quote) not in near.normalised:
            problems.append(f"quote is not in the cited sentences: “{quote}”")
    in_basis, in_source = grounding.number_values(basis), grounding.number_values(source)
    for value in sorted(grounding.number_values(text) - in_basis):
        if value in in_source:
            problems.append(f"number {value} is not in the cited sentences")
        else:
            problems.append(f"number {value} is not in {source_name}")
            unsupported = True
    tokens = _tokenise(text)
    for name, initial in sorted(_names(tokens).items()):
        if not known(name, whole.words):
            problems.append(f"name “{name}” is not in {source_name}")
            unsupported = True
        elif (
            not known(name, near.words)
            and (not initial or fold(name) in whole.capitalised)
            and name not in MONTHS
        ):
            # A sentence-initial capital may be a common word ("Despite"): only a word the
            # source capitalises mid-sentence is surely a name. A month goes with its day,
            # which the number check already reports.
            problems.append(f"name “{name}” is not in the cited sentences")
    form: Form | None = None
    if cited:
        cited_tokens = [t for s in cited for t in _tokenise(s.text)]
        if not _attributed(tokens):
            # Only a sentence whose claim the statement keeps gives it an attribution to keep:
            # not the sentence cited for who "He" is ("La Russa believes …" / "He did not
            # elaborate …" → "La Russa did not elaborate …").
            claimed = {t.word for t in tokens if t.word and t.word not in STOPWORDS}
            verbs = set()
            for s in cited:
                own = _tokenise(s.text)
                kept = claimed & {t.word for t in own if t.word and t.text[:1].islower()}
                if len(cited) == 1 or len(kept) >= 2:
                    verbs |= _reporting_words(own)
            if verbs:
                problems.append(f"drops the attribution of the cited sentence ({sorted(verbs)[0]})")
        flips = _negation_problems(tokens, cited_tokens) + _swap_problems(tokens, cited_tokens)
        problems += flips
        unsupported = unsupported or bool(flips)
        texts = [s.text for s in cited]
        form = wording(text, texts)
        # A paraphrase is held to every word and to the meaning checks; the source's own words
        # (whole or shortened) to whether they still stand alone and keep their speaker.
        found = fidelity.form_problems(as_printed, texts, antecedent=antecedent)
        if form == "paraphrase":
            found += fidelity.meaning_problems(as_printed, texts, names_checked=True)
        else:
            found += fidelity.speaker_problems(as_printed, texts)
        for problem in found:
            if flips and problem.kind in ("negation", "actor"):
                continue  # the same flip, found above in other words
            problems.append(problem.text)
            unsupported = unsupported or problem.kind in _FALSE
    status: Status = "unsupported" if unsupported else ("partial" if problems else "supported")
    return Check(status=status, problems=problems, form=form)


#: Problems that make a line say something false, not only something unchecked.
_FALSE = frozenset({"negation", "modality", "actor", "number"})
_WORDS = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORDS.findall(text)]


def wording(text: str, cited: Iterable[str]) -> Form:
    """How a line relates to its cited sentences: one of them ``verbatim`` (its words in order
    to its end: a dateline, a speaker's label, a leading connective may go), or all of them in
    turn (a quotation printed with the sentence that attributes it); ``shortened`` (its words in
    order with some left out), else a ``paraphrase``."""
    said = _words(unvoiced(text))
    cited = list(cited)
    if len(cited) > 1 and said == [w for sentence in cited for w in _words(sentence)]:
        return "verbatim"
    best: Form = "paraphrase"
    for sentence in cited:
        words = _words(sentence)
        for start in range(len(words) - len(said) + 1):
            if words[start : start + len(said)] == said:
                if start + len(said) == len(words):
                    return "verbatim"
                best = "shortened"
        if best == "paraphrase" and _in_order(said, words):
            best = "shortened"
    return best


def _in_order(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return bool(part) and all(word in it for word in part)


class SourceText(NamedTuple):
    """What one source of a brief is checked against: its numbered sentences and its text.

    ``name`` words the problems: "the stored sentences" when a saved brief's cited sentences
    stand in for an article that was not given (a fact may then be in the article after all).
    """

    sentences: list[Sentence]
    text: str
    name: str = "the source"


def with_title(title: str | None, text: str) -> str:
    """The text with its title in front where it does not open on it already (a page's
    metadata may hold the title apart): what the checks read, as a first-person statement's
    speaker comes from its title ("Statement from President Joe Biden on …")."""
    if title and title not in text[: len(title) + 500]:
        return f"{title}\n\n{text}"
    return text


def verify_brief(brief: Brief, sentences: list[Sentence], source: str) -> Brief:
    """The brief with every statement's status and problems set, and its summary."""
    return verify_against(brief, [SourceText(sentences, source)])


def verify_against(brief: Brief, sources: list[SourceText]) -> Brief:
    """``verify_brief`` for a brief of several sources: a statement is checked against the
    source it cites (``Statement.source``, 1-based), its ``also`` citations must exist; the
    bottom line is checked against all of them."""
    sections: dict[str, list[Statement]] = {}
    counts = {"supported": 0, "partial": 0, "unsupported": 0}
    forms = {"verbatim": 0, "shortened": 0, "paraphrase": 0}
    for name, _ in SECTIONS:
        checked = [
            _checked(
                statement,
                sources,
                antecedent=_antecedent(previous, statement, sources),
            )
            for previous, statement in zip(
                [None, *brief.section(name)], brief.section(name), strict=False
            )
        ]
        for statement in checked:
            counts[statement.status or "unsupported"] += 1
            forms[statement.form or "paraphrase"] += 1
        sections[name] = checked
    whole = "\n\n".join(source.text for source in sources)
    source_name = sources[0].name if sources else "the source"
    if brief.bottom_line_basis is None:
        # A brief saved before bottom lines cited their sentences: the whole source stands in.
        bottom = check_statement(
            brief.bottom_line, [], whole, needs_citation=False, source_name=source_name
        )
    else:
        bottom = _checked_line(brief.bottom_line, brief.bottom_line_basis, sources, brief)
    title = (
        _checked_line(brief.title, brief.title_basis, sources, brief, title=True)
        if brief.title_basis is not None
        else None
    )
    total = sum(counts.values())
    summary = VerificationSummary(
        statements=total,
        supported=counts["supported"],
        partial=counts["partial"],
        unsupported=counts["unsupported"],
        dropped=len(brief.dropped),
        supported_share=round(counts["supported"] / total, 4) if total else 1.0,
        verbatim=forms["verbatim"],
        shortened=forms["shortened"],
        paraphrased=forms["paraphrase"],
        title=title.status if title else None,
        title_problems=title.problems if title else [],
        bottom_line=bottom.status,
        bottom_line_problems=bottom.problems,
        withheld_sentences=brief.verification.withheld_sentences if brief.verification else 0,
        unjudged=unjudged(
            brief.model_copy(update=sections),
            multi_source=len(sources) > 1,
            people=[introductions(source.sentences) for source in sources],
        ),
    )
    return brief.model_copy(update={**sections, "verification": summary})


def follows(previous: Statement | None, statement: Statement) -> bool:
    """Whether ``statement`` comes right after the statement that cites the sentence before
    its own in the same source: it reads as the text reads it."""
    return (
        previous is not None
        and previous.source == statement.source
        and bool(statement.cites)
        and min(statement.cites) - 1 in previous.cites
    )


def _antecedent(
    previous: Statement | None, statement: Statement, sources: list[SourceText]
) -> str | None:
    """The source's sentence before the statement's own, where the statement follows the
    statement citing it (``follows``)."""
    if previous is None or not follows(previous, statement):
        return None
    if not 1 <= statement.source <= len(sources):
        return None
    wanted = min(statement.cites) - 1
    return next((s.text for s in sources[statement.source - 1].sentences if s.id == wanted), None)


def unjudged(
    brief: Brief,
    *,
    multi_source: bool = False,
    people: list[dict[str, Introduction]] | None = None,
) -> list[str]:
    """The statements that pass the checks but hold what they cannot judge, each named with
    why: a "the …" whose noun nothing the brief shows before it names, unless the statement
    follows the sentence before it in the text (``fidelity.open_references``), a judgement in
    the text's own voice (``fidelity.own_judgement``), and a person named by surname alone
    before the brief shows who they are (``people``: each source's, ``text.people``)."""
    found: list[str] = []
    shown = fidelity.word_keys(f"{brief.title} {brief.bottom_line}")
    read = f"{brief.title} {brief.bottom_line}"
    for name, _ in SECTIONS:
        previous: Statement | None = None
        for statement in brief.section(name):
            why = [
                f"a reference, “{ref}”"
                for ref in (
                    [] if follows(previous, statement) else fidelity.open_references(statement.text)
                )
                if not keys(ref.split()[-1]) & shown
            ][:1]
            if judging := fidelity.own_judgement(statement.text):
                why.append(f"a judgement, “{judging}”")
            known = (
                people[statement.source - 1] if people and statement.source <= len(people) else {}
            )
            if who := unintroduced(statement.text, read, known):
                why.append(f"a person the brief has not introduced, “{who}”")
            read += f" {statement.text}"
            if why and statement.status == "supported":
                ids = ",".join(str(i) for i in statement.cites)
                label = f"[{statement.source}:{ids}]" if multi_source else f"[{ids}]"
                found.append(f"{label} {' and '.join(why)}")
            shown |= fidelity.word_keys(statement.text)
            previous = statement
    return found


def line_problems(
    text: str, texts: list[str], *, context: str = "", title: bool = False
) -> tuple[Form, list[fidelity.Problem]]:
    """A title's or bottom line's form against ``texts`` (the sentences it cites, the sources'
    headlines) and what is wrong with it: a paraphrase must pass every meaning check
    (``fidelity``); a bottom line must stand alone as a statement too."""
    form = wording(text, texts)
    found = (
        fidelity.meaning_problems(text, texts, title=title, context=context)
        if form == "paraphrase"
        else []
    )
    if not title:
        found += fidelity.form_problems(text, texts)
    return form, found


def _checked_line(
    text: str, basis: Basis, sources: list[SourceText], brief: Brief, *, title: bool = False
) -> Check:
    """A title or bottom line against the sentences its basis cites: the source's own headline
    must be one of its titles; the source's words must be there; a paraphrase must pass every
    meaning check (``fidelity``)."""
    if basis.form == "headline":
        titles = {" ".join((s.title or "").split()) for s in brief.sources}
        ok = " ".join(text.split()) in titles
        return Check(
            status="supported" if ok else "unsupported",
            problems=[] if ok else ["is not the source's headline"],
            form="headline",
        )
    cited: list[Sentence] = []
    problems: list[str] = []
    for ref in basis.cites:
        found = [
            s
            for s in (sources[ref.source - 1].sentences if 1 <= ref.source <= len(sources) else [])
            if s.id == ref.sentence
        ]
        if not found:
            problems.append(f"cites sentence {ref}, which does not exist")
        cited += found
    # Title and bottom line may also rest on the source's headline, no numbered sentence.
    headlines = [s.title for s in brief.sources if s.title]
    texts = [s.text for s in cited] + headlines
    if not texts:
        return Check(status="unsupported", problems=[*problems, "cites no sentence"])
    context = " ".join(s.title or "" for s in brief.sources)
    form, found_problems = line_problems(text, texts, context=context, title=title)
    problems += [p.text for p in found_problems]
    false = any(p.kind in _FALSE for p in found_problems) or any("exist" in p for p in problems)
    status: Status = "unsupported" if false else ("partial" if problems else "supported")
    return Check(status=status, problems=problems, form=form)


def _checked(
    statement: Statement, sources: list[SourceText], *, antecedent: str | None = None
) -> Statement:
    if not 1 <= statement.source <= len(sources):
        problems = [f"cites source {statement.source}, which the brief does not have"]
        return statement.model_copy(update={"status": "unsupported", "problems": problems})
    source = sources[statement.source - 1]
    by_id = {s.id: s for s in source.sentences}
    valid = [by_id[i] for i in statement.cites if i in by_id]
    missing = [str(i) for i in statement.cites if i not in by_id]
    # Another source stating the same fact (a story's brief) must cite a sentence it has.
    missing += [
        str(ref)
        for ref in statement.also
        if not 1 <= ref.source <= len(sources)
        or ref.sentence not in {s.id for s in sources[ref.source - 1].sentences}
    ]
    result = check_statement(
        statement.text,
        valid,
        source.text,
        source_name=source.name,
        antecedent=antecedent,
    )
    problems = [f"cites sentence {i}, which does not exist" for i in missing]
    problems += result.problems
    status: Status = "unsupported" if missing else result.status
    return statement.model_copy(
        update={"status": status, "problems": problems, "form": result.form}
    )


def verify_sources(brief: Brief, articles: list[Article]) -> Brief:
    """Re-check a saved brief against its source articles, given in the brief's order."""
    if len(articles) != len(brief.sources):
        raise ConfigError(
            f"the brief has {len(brief.sources)} source(s) but {len(articles)} were given",
            hint="give the source files in the order of the brief's Sources list",
        )
    return verify_against(brief, [SourceText(split_sentences(a.text), a.text) for a in articles])


def apply_policy(brief: Brief, policy: str) -> Brief:
    """``flag``: keep and mark; ``drop``: move unsupported statements to ``dropped``."""
    if policy != "drop":
        return brief
    kept: dict[str, list[Statement]] = {}
    dropped = list(brief.dropped)
    for name, _ in SECTIONS:
        kept[name] = [s for s in brief.section(name) if s.status != "unsupported"]
        dropped += [
            s.model_copy(update={"section": name})
            for s in brief.section(name)
            if s.status == "unsupported"
        ]
    summary = brief.verification
    if summary is not None:
        removed = len(dropped) - len(brief.dropped)
        statements = summary.statements - removed
        summary = summary.model_copy(
            update={
                "dropped": len(dropped),
                "unsupported": summary.unsupported - removed,
                "statements": statements,
                "supported_share": round(summary.supported / statements, 4) if statements else 1.0,
            }
        )
    return brief.model_copy(update={**kept, "dropped": dropped, "verification": summary})


def unsupported(brief: Brief) -> list[tuple[str, Statement]]:
    return [
        (name, s) for name, _ in SECTIONS for s in brief.section(name) if s.status == "unsupported"
    ]
