"""Title and bottom line: the model's, checked against the sentences they cite and mended where
the grammar's length cap cut them (``headline``); where refused, the text's own headline, the
sentence the model's line drew on (``_news_sentence``) or the lead sentence (``_lead``) stands
in."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from briefer.brief.model_answer import BOTTOM_LINE_MAX_CHARS, TITLE_MAX_CHARS, Filed
from briefer.brief.shorten import main_clause, shorter_forms
from briefer.brief.statements import Pick, statement
from briefer.check import fidelity
from briefer.check.grounding import (
    names,
    numbers,
    title_unsupported,
    unsourced_words,
    unsupported_terms,
)
from briefer.models import Basis, Form, Ref, word_count
from briefer.text.authors import unvoiced
from briefer.text.cues import speaks_first_person, standing_position, voiced
from briefer.text.instructions import about_output, is_suspect
from briefer.text.line_filters import without_speaker
from briefer.text.quotes import quoted_phrases
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.turns import non_answer, vocatives
from briefer.text.words import AUXILIARIES, TIME_NOUNS

TITLE_MAX_WORDS = 16
#: The text's own headline stands in for a refused title up to this many words: its publisher's
#: words, longer than a title the model writes, beat a lead sentence cut to fit.
OWN_TITLE_MAX_WORDS = 24
BOTTOM_LINE_MAX_WORDS = 50
#: Words the title and bottom line are expected to take, when choosing sentences before them.
HEADLINE_WORDS = 50
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")
#: A lead sentence is a whole sentence of at least this many words (not a title or header).
LEAD_MIN_WORDS = 8
#: How many sentences after the lead the opening runs, at least, and its share of the text: a
#: single text's bottom line rests on at least one of them, as a text gives its news first (a
#: statement may open on a paragraph of context: "I call on the belligerents …" is the eighth
#: sentence of 22).
OPENING_SENTENCES = 5
OPENING_SHARE = 1 / 3


def _opening_end(lead: Sentence, sentences: list[Sentence]) -> int:
    """The id of the opening's last sentence (``OPENING_SENTENCES``, ``OPENING_SHARE``)."""
    return lead.id + max(OPENING_SENTENCES, round(len(sentences) * OPENING_SHARE))


def _main_clause(sentence: str, max_words: int) -> str:
    """A sentence over ``max_words`` cut at its last clause break within the limit
    (``shorten.main_clause``), if what is left holds a third of the limit; else ''. (Half the
    limit threw away a model's 52-word bottom line whose 20-word main clause was the news, for
    the text's opening sentence: morning-dev stories one empty section fewer, dev unchanged.)"""
    return main_clause(sentence, max_words, max(LEAD_MIN_WORDS, max_words // 3))


def _whole_sentences(text: str, max_words: int) -> str:
    """The first whole sentences of ``text`` within ``max_words``: never a sentence cut off
    mid-clause (by the grammar's length cap or by the limit). A first sentence over the limit
    gives its main clause (``_main_clause``); empty when that fails too."""
    out: list[str] = []
    # The splitter, not a split at every full stop: "Antony J. Blinken" is one sentence.
    for piece in (s.text for s in split_sentences(text.strip())):
        if not _ENDS_SENTENCE.search(piece):
            break
        if word_count(" ".join([*out, piece])) > max_words:
            if not out:
                out.append(_main_clause(piece, max_words))
            break
        out.append(piece)
    return " ".join(out).strip()


#: A title or bottom line this close to its grammar cap was cut there, mid-word or mid-clause
#: (the model then closes it with a full stop at the cap: "…and individuals of other.").
_AT_CAP = 3
# Words a cut title must not end on: "…, Secretary Austin, and National".
_DANGLING = frozenset("a an the and or of to with for in on at by from as".split())


def _uncut(bottom_line: str, max_words: int = BOTTOM_LINE_MAX_WORDS) -> str:
    """The bottom line without the sentence the grammar's length cap cut off ('' when that was
    the only one)."""
    if len(bottom_line) < BOTTOM_LINE_MAX_CHARS - _AT_CAP:
        return bottom_line
    pieces = [s.text for s in split_sentences(bottom_line.strip())]
    if len(pieces) > 1:
        return " ".join(pieces[:-1])
    # One sentence, cut: its main clause, where one ends before the cut.
    return _main_clause(pieces[0] if pieces else "", max_words)


#: The bottom line's share of a short page: a 46-word bottom line on a 150-word page left room
#: for three statements (morning-dev singles strict recall 0.708 → 0.750, dev 0.763 → 0.779;
#: the same at 0.15; 0.25 changed nothing).
BOTTOM_LINE_SHARE = 0.2
BOTTOM_LINE_MIN_WORDS = 25
#: A bottom line that takes this many sentences to cover is a synthesis, refused for one.
SYNTHESIS_SENTENCES = 3


def bottom_line_words(limit: int) -> int:
    """The bottom line's word cap on a page of ``limit`` words: a fifth of it, from 25 to 50."""
    return min(BOTTOM_LINE_MAX_WORDS, max(BOTTOM_LINE_MIN_WORDS, round(limit * BOTTOM_LINE_SHARE)))


def _uncut_title(title: str) -> str:
    """The title within ``TITLE_MAX_WORDS``; one the cap cut loses its last, partial word and
    any dangling connective ("…Secretary Austin, and National Sec." → "…Secretary Austin")."""
    words = title.split()
    cut = len(title) >= TITLE_MAX_CHARS - _AT_CAP or len(words) > TITLE_MAX_WORDS
    if not cut:
        return title
    words = words[: min(len(words) - 1, TITLE_MAX_WORDS)]
    # Best end at a pause (a comma or colon) that leaves a title of some length.
    pauses = [i for i, w in enumerate(words) if w[-1] in ",;:" and i >= 5]
    if pauses:
        words = words[: pauses[-1] + 1]
    while words and words[-1].casefold().strip(",;:") in _DANGLING:
        words.pop()
    if words and words[-1].casefold() in AUXILIARIES:
        # "… as Mudavadi says 1,200 lorries will": the clause lost its verb; the title ends
        # before it, at its connective, where one leaves a title of some length.
        words.pop()
        links = [i for i, w in enumerate(words) if w.casefold() in _DANGLING and i >= 5]
        words = words[: links[-1]] if links else words
        while words and words[-1].casefold().strip(",;:") in _DANGLING:
            words.pop()
    if words:
        words[-1] = words[-1].rstrip(",;:")
    return " ".join(words) or title


def _lead(
    sentences: list[Sentence],
    max_words: int = BOTTOM_LINE_MAX_WORDS,
    asked: set[int] | frozenset[int] = frozenset(),
    voices: dict[int, str | None] | None = None,
) -> Pick:
    """The first whole sentence of the text that can stand as a bottom line (a title line or a
    header is not one, nor a sentence over ``max_words``, nor a line of a questioner or
    moderator in ``asked``); a first-person line is voiced with its speaker (``voices``)."""
    # A transcript opens with housekeeping ("Sorry, we're running a little late"): there a
    # first-person line leads only when it states a fact (a name or number: "Today we abstained
    # on a U.N. Security Council resolution …", the briefer's opening line), and otherwise only
    # when no other line fits.
    transcript = _transcript(sentences)
    first_fit: Pick | None = None
    for sentence in sentences:
        if sentence.id in asked:
            continue
        text = _standalone(sentence, max_words)
        if not text:
            continue
        voice = (voices or {}).get(sentence.id)
        if standing_position(text):
            # Where the US stands is the statement's opening courtesy, not its news: it leads
            # only when nothing else fits.
            first_fit = first_fit or Pick(sentence, voiced(text, voice, always=transcript))
            continue
        if not transcript:
            return Pick(sentence, voiced(text, voice))
        if non_answer(text) or _ROOM.search(text):
            continue
        if not speaks_first_person(text):
            # a transcript's line is its speaker's, "I" or not
            return Pick(sentence, voiced(text, voice, always=True))
        if names(text) - vocatives(text) or numbers(text):
            return Pick(sentence, voiced(text, voice))
        first_fit = first_fit or Pick(sentence, voiced(text, voice))
    return first_fit or Pick(sentences[0], statement(sentences[0]))


def _transcript(sentences: list[Sentence]) -> bool:
    """Whether any sentence opens a turn with a speaker's label ("MR. KIRBY: …", "Q …")."""
    return any(without_speaker(s.text) != s.text.strip() for s in sentences)


def _standalone(sentence: Sentence, max_words: int) -> str:
    """The sentence's statement as a bottom line that stands alone ('' when it cannot): a whole
    sentence of some length, a long one cut to its main clause, not opening on or pointing to
    what only the sentence before says, not a fragment."""
    text = statement(sentence)
    if not _ENDS_SENTENCE.search(text) or word_count(text) < LEAD_MIN_WORDS:
        return ""
    # A long sentence still leads with its main clause.
    if word_count(text) > max_words:
        text = _main_clause(text, max_words)
    if not text or _DANGLING_START.match(text):
        return ""
    # "We were supposed to continue them during a trip …", "… that trip was shortened":
    # what "them" are, or which trip, only the sentence before says.
    if fidelity.points_to_sentence_before(text, determiners=True):
        return ""
    # Nor a fragment ("But a very strong shared agenda … that we’ll be working on.").
    if any(p.kind == "fragment" for p in fidelity.form_problems(text)):
        return ""
    return text


# A line that runs the room, not the news: "Good afternoon, everyone, and welcome to the White
# House.", "Thanks for joining us on the call.", "… and then I'll take your questions."
_ROOM = re.compile(
    r"\b(?:good\s+(?:morning|afternoon|evening)|welcome\s+(?:to|back|everyone|everybody|all)\b"
    r"|thanks?\s+(?:you\s+)?(?:all\s+)?for"
    r"|joining|take\s+(?:some|your|a\s+few|any)\s+questions|running\s+(?:a\s+little\s+)?late"
    r"|at\s+the\s+top)\b",
    re.IGNORECASE,
)


def _is_title_like(bottom_line: str, sentences: list[Sentence]) -> bool:
    """A bottom line that is the document's own title or header line, not a finding."""
    key = bottom_line.rstrip(".").casefold()
    return any(
        not _ENDS_SENTENCE.search(s.text) and s.text.rstrip(".").casefold() == key
        for s in sentences[:3]
    )


def _planted(text: str, suspects: list[Sentence]) -> bool:
    """Whether ``text`` (title or bottom line) repeats a quoted phrase of a suspect sentence:
    what a planted sentence asks the brief to say ("the title must be 'X'")."""
    for sentence in suspects:
        for quoted in quoted_phrases(sentence.text, max_len=80):
            phrase = " ".join(quoted.split())
            if phrase and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE):
                return True
    return False


# A bottom line that opens on a word pointing elsewhere ("That's how the deal is structured")
# leaves the reader asking what "that" is: the brief's first sentence must stand alone.
# "This week, …" says when, not what it points back to; "The two countries have reached …",
# "Both leaders …" count what only the sentences before name ("Both India and Pakistan", "Both
# the United States and Japan", "Both in Gaza and …" name it).
_DANGLING_START = re.compile(
    r"^\W*(?:That|Those|It|He|She|They|Its|His|Her|Their|(?:This|These)(?!\s+(?i:"
    + "|".join(sorted(TIME_NOUNS))
    + r")s?\b)|(?:The\s+(?:two|three|four)|Both(?!\s+(?:the|in|of|at|on|for)\b))(?=\s+[a-z]))\b"
)

# A bottom line that describes the text instead of saying what happened ("The article discusses
# a series of meetings …") tells the reader nothing the title did not.
_ABOUT_THE_TEXT = re.compile(
    r"^\W*(?:The|This)\s+(?:\w+\s+)?(?:article|text|report|document|transcript|statement|readout"
    r"|brief|piece|story|gaggle|briefing|fact\s+sheet)\s+(?:discusses|describes|covers|reports\s+on"
    r"|is\s+about|highlights|outlines|details|provides|summari[sz]es|focuses|examines|explores"
    r"|addresses|presents|contains)\b",
    re.IGNORECASE,
)

#: A bottom line with this many content words the source has in no form says something of its
#: own (12 of the dev corpus: "…highlights the ongoing challenges … and the potential for further
#: migration restrictions", six such words); a paraphrase has up to two ("swift", "Chinese").
UNSOURCED_WORDS = 3


_COURTESY = "rests only on where the US stands, not on the news"
_PAST_OPENING = "rests on no sentence of the text's opening, where its news is"


class Headline(NamedTuple):
    """Title and bottom line, each with what it rests on (``Basis``: cited sentence ids of the
    sentences given, how it relates to them, why the model's own line was replaced)."""

    title: str
    bottom_line: str
    title_basis: Basis
    bottom_line_basis: Basis


def _basis(cites: list[int], form: Form, replaced: str | None = None) -> Basis:
    return Basis(cites=[Ref(source=1, sentence=c) for c in cites], form=form, replaced=replaced)


def _why(problems: list[str]) -> str:
    return "; ".join(problems)


def headline(
    filed: Filed,
    sentences: list[Sentence],
    lead_order: list[Sentence] | None = None,
    context: str = "",
    asked: set[int] | frozenset[int] = frozenset(),
    voices: dict[int, str | None] | None = None,
    max_words: int = BOTTOM_LINE_MAX_WORDS,
    own_title: str | None = None,
) -> Headline:
    """Title and bottom line, bounded, each saying only what the sentences it cites say.

    The model's title and bottom line are cited (``fidelity.cover``: the fewest sentences that
    hold their words) and checked against those sentences (``fidelity``: every content word in
    some form, numbers, negation, modality, actor, attribution; a bottom line also stands alone
    as a clause). Either is also refused when it has a name or number the clean content
    sentences lack, or repeats a phrase quoted by a suspect sentence; the bottom line when it
    describes the text or is its title line. A refused title gives way to ``own_title`` (the
    text's own headline), else to the lead sentence (or its main clause); a refused bottom line
    to the model's own main clause where that passes, else (a single text, refused for its
    words) to the text's sentence the line drew on (``_news_sentence``), else to the lead: the
    first fit sentence of ``lead_order`` (default: the text's order; a story puts its newest
    source first).
    ``context``: more of the source that names may come from, such as its title line."""
    suspects = [s for s in sentences if is_suspect(s) or about_output(s)]
    flagged = {s.id for s in suspects}
    trusted = [s for s in sentences if s.id not in flagged] or sentences
    by_id = {s.id: s for s in trusted}
    text = " ".join([context, *(s.text for s in trusted)])
    lead = _lead(
        [s for s in (lead_order or trusted) if s.id not in flagged] or trusted,
        asked=asked,
        voices=voices,
        max_words=max_words,
    )
    end = _opening_end(lead.sentence, trusted)
    pool = [(s.id, s.text) for s in trusted]

    @cache  # the bottom line is judged to refuse it and again for its basis
    def judged(line: str, *, title: bool) -> tuple[list[int], list[str]]:
        # Title and bottom line may rest on the text's own headline too (id 0 here: it is no
        # numbered sentence; the verifier reads the sources' titles beside the cited sentences).
        cites = fidelity.cover(line, pool + ([(0, context)] if context else []))
        cited = [by_id[c].text if c else context for c in cites]
        # A title's words are told from names by the whole text; a bottom line may take a name
        # from the text's headline.
        problems = [
            str(p)
            for p in fidelity.meaning_problems(
                line, cited, context=text if title else context, title=title
            )
        ]
        if cites and all(c and standing_position(by_id[c].text) for c in cites):
            problems.append(_COURTESY)
        if not title:
            problems += [str(p) for p in fidelity.form_problems(line)]
        elif context:
            body = (s.text for s in trusted)
            problems += [str(p) for p in fidelity.headline_tense(line, context, body)]
        return [c for c in cites if c], problems

    # --- title
    title = _uncut_title(filed.title)
    if title_unsupported(title, text):
        why = "has words, names or numbers the source does not: " + ", ".join(
            title_unsupported(title, text)
        )
    elif _planted(title, suspects):
        why = "repeats a phrase of an instruction-like sentence"
    else:
        cites, problems = judged(title, title=True)
        why = _why(problems) if problems else ""
    if not why:
        title_basis = _basis(cites, "paraphrase")
    elif own_title and word_count(own_title) <= OWN_TITLE_MAX_WORDS:
        title, title_basis = own_title, _basis([], "headline", why)
    else:
        title, title_form = _title_from(lead.text)
        title_basis = _basis([lead.sentence.id], title_form, why)

    # --- bottom line
    def refused(bottom_line: str) -> str:
        if not bottom_line:
            return "empty"
        if terms := unsupported_terms(bottom_line, text):
            return "names or numbers not in the source: " + ", ".join(terms)
        if len(words := unsourced_words(bottom_line, text)) >= UNSOURCED_WORDS:
            return "words not in the source: " + ", ".join(words)
        if _planted(bottom_line, suspects):
            return "repeats a phrase of an instruction-like sentence"
        if _is_title_like(bottom_line, sentences):
            return "the text's title line, not a finding"
        if _DANGLING_START.match(bottom_line):
            return "opens on a word that points elsewhere"
        if _ABOUT_THE_TEXT.match(bottom_line):
            return "describes the text instead of the news"
        cites, problems = judged(bottom_line, title=False)
        # A detail from deep in the text is not its news ("… committed $50 million to CEPI",
        # sentence 149 of a report on an outbreak); a story's sources each open on their own.
        if lead_order is None and cites and min(cites) > end:
            return _PAST_OPENING
        if len(cites) >= SYNTHESIS_SENTENCES:
            # One finding, not a blend the checks cannot hold to one event ("… not associated
            # with … parties, leading to a rejection of …" joined a fact to a reading of it).
            return f"joins {len(cites)} sentences into one line"
        return _why(problems)

    bottom_line = _whole_sentences(_uncut(filed.bottom_line, max_words), max_words)
    why = refused(bottom_line)
    if not why:
        bottom_basis = _basis(judged(bottom_line, title=False)[0], "paraphrase")
    else:
        # The model's own main clause, where only its tail was refused ("…, which is a
        # critical step in their fight against …" is a claim of its own), before the lead.
        heads = reversed(shorter_forms(bottom_line)) if _single(bottom_line) else ()
        head = next((h for h in heads if word_count(h) >= LEAD_MIN_WORDS and not refused(h)), "")
        # Where the line was refused for the sentences it rests on, not for its words, those
        # sentences are not the news either; a story's newest source leads, as before.
        misplaced = _COURTESY in why or why == _PAST_OPENING
        news = (
            None
            if head or misplaced or lead_order is not None
            else _news_sentence(
                filed.bottom_line,
                [s for s in trusted if s.id not in asked],
                end,
                lead.sentence.id,
                voices or {},
                max_words,
            )
        )
        if head:
            bottom_line = head
            bottom_basis = _basis(judged(head, title=False)[0], "paraphrase", why)
        elif news:
            # The model's line said where the news is; the text's own sentence, whole, says it.
            bottom_line = news.text
            bottom_basis = _basis([news.sentence.id], "verbatim", why)
        else:
            bottom_line = _whole_sentences(lead.text, max_words) or lead.text
            whole = statement(lead.sentence)
            kept: Form = "verbatim" if unvoiced(bottom_line) == whole else "shortened"
            bottom_basis = _basis([lead.sentence.id], kept, why)
    return Headline(title, bottom_line, title_basis, bottom_basis)


#: The share of the content words of a refused model bottom line's first sentence, and the
#: fewest words, that the sentence it drew on must hold to stand in for it: the sentence then
#: says what the model took for the news, not a word or two of it.
NEWS_HELD = 1 / 3
NEWS_MIN_WORDS = 4


def _news_sentence(
    line: str,
    sentences: list[Sentence],
    end: int,
    lead: int,
    voices: dict[int, str | None],
    max_words: int,
) -> Pick | None:
    """The sentence of ``sentences`` that the first sentence of the model's refused bottom line
    ``line`` draws on most (``fidelity.cover`` over the statements), voiced, as a bottom line:
    where it lies in the opening (up to id ``end``), stands alone whole within ``max_words``,
    holds ``NEWS_HELD`` and ``NEWS_MIN_WORDS`` of that first sentence's content words, is
    spoken by the lead's speaker, and the first sentence does not draw on the ``lead`` too;
    None otherwise."""
    # The line's first sentence is its claim; what follows it is the model's gloss.
    first = next((s.text for s in split_sentences(line.strip())), "")
    if not first:
        return None
    pool = [(s.id, statement(s)) for s in sentences]
    cites = fidelity.cover(first, pool)
    # Past the opening, the sentence it drew on is a detail (the opening rule). Where the line
    # draws on the lead too among the opening's sentences, the lead says the news (a release
    # that opens on it: "Today, … OFAC imposed sanctions on …"); the model's line added to it.
    if (
        not cites
        or cites[0] > end
        or lead in fidelity.cover(first, [p for p in pool if p[0] <= end])
    ):
        return None
    sentence = next(s for s in sentences if s.id == cites[0])
    # Another speaker's line is theirs, not the text's news (a counterpart in a transcript).
    if voices.get(sentence.id) != voices.get(lead):
        return None
    text = _standalone(sentence, max_words)
    hits, wanted = fidelity.held(first, text)
    if (
        not text
        # whole: a main clause cut to the cap may end a list at its first item
        or text != statement(sentence)
        or hits < max(NEWS_MIN_WORDS, NEWS_HELD * wanted)
        or standing_position(text)
        or non_answer(text)
        or (_transcript(sentences) and _ROOM.search(text))
    ):
        return None
    text = voiced(text, voices.get(sentence.id))
    return Pick(sentence, text) if word_count(text) <= max_words else None


def _title_from(lead: str) -> tuple[str, Form]:
    """A title from the lead sentence: whole when it fits, else its shortest main clause that
    fits, else its first words marked as cut."""
    whole = unvoiced(lead).rstrip(".")
    if word_count(whole) <= TITLE_MAX_WORDS:
        return whole, "verbatim"
    fits = [
        f.rstrip(".") for f in shorter_forms(unvoiced(lead)) if word_count(f) <= TITLE_MAX_WORDS
    ]
    if fits:
        return fits[-1], "shortened"
    words = whole.split()
    return " ".join(words[:TITLE_MAX_WORDS]) + "…", "shortened"


def _single(text: str) -> bool:
    """One sentence (a short form of a longer text would drop whole sentences)."""
    return len(split_sentences(text.strip())) == 1
