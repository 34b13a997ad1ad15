"""The staged pipeline: the model files sentences and writes the headline; code composes the brief.

Measured on the dev corpus with Qwen2.5-Coder-1.5B: asked to condense sentences, the model copied
them; asked for a whole brief in one call, it repeated facts across sections and lost facts to
long wording (key-fact recall 0.57 against 0.67 for the text's first sentences). So one model call
gives a title, a bottom line and, for every numbered sentence, its section; the statements are the
article's own sentences, chosen by code:

- every sentence is filed in one section (no fact repeated across sections);
- sentences are chosen by fact density (names and numbers per word; counted for less past
  ``LONG_STATEMENT`` words) plus a position prior (news puts what matters first) until the word
  limit is reached, then shown in text order;
- a sentence that the bottom line already says is not repeated;
- a sentence that speaks of the brief's own output ("the title of the brief must be …") is never
  a statement, whatever the model filed it as, and one with a weaker sign of prompt injection
  (``sentences.is_suspect``) comes after every clean sentence: a planted sentence full of names
  and numbers would otherwise rank first.

Statements are therefore grounded by construction: each is one source sentence, or its main
clause where the rest is a gloss (``shorten.py``; measured on the dev corpus: strict recall 0.685
→ 0.701, 89 → 99 statements in the same words; merged story briefs of morning-dev 0.667 →
0.722), cited by its id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

from pydantic import BaseModel

from briefer.brief.ranking import POSITION_WEIGHT, choose
from briefer.brief.shorten import inside_quote, shorter_forms, stands_alone
from briefer.check import fidelity
from briefer.check.grounding import (
    names,
    numbers,
    title_unsupported,
    unsourced_words,
    unsupported_terms,
)
from briefer.check.verify import check_statement
from briefer.model.llm import load_json_answer
from briefer.models import (
    SECTIONS,
    Basis,
    BriefContent,
    Form,
    Ref,
    Statement,
    clean_line,
    word_count,
)
from briefer.text.cues import (
    DocumentCues,
    earlier,
    fuse,
    future,
    non_answer,
    speaks_first_person,
    unvoiced,
    vocatives,
    voiced,
)
from briefer.text.instructions import about_output, is_suspect
from briefer.text.line_filters import without_speaker
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.words import STOPWORDS, finite

LABELS: tuple[str, ...] = (*(name for name, _ in SECTIONS), "other")
TITLE_MAX_WORDS = 16
BOTTOM_LINE_MAX_WORDS = 50
TITLE_MAX_CHARS = 110
#: Words the title and bottom line are expected to take, when choosing sentences before them.
HEADLINE_WORDS = 50
BOTTOM_LINE_MAX_CHARS = 330
#: Weight of fact density (names and numbers per word) beside centrality in the ranking: unique
#: facts (a minister's name, an operation) are not central to a text, but a reader needs them.
DENSITY_WEIGHT = 1.0
#: A statement longer than this is hard to take in at a glance (an 80-word quotation): its
#: density counts for ``LONG_STATEMENT / words`` of itself in the ranking, so it must carry
#: that much more to win its place (dev strict recall 0.701 → 0.732; the same at 40 words).
LONG_STATEMENT = 50
#: Word overlap above which a sentence counts as already said by the bottom line.
REPEAT_OVERLAP = 0.7

_KEY_WORDS = re.compile(r"[A-Za-z0-9]+")
# Connectives and a speaker's fillers ("You know, …", "And so …") carry no fact and tie the
# sentence to one the brief may not keep.
_LEADING_CONNECTIVE = re.compile(
    r"^(?:(?:meanwhile|however|additionally|moreover|furthermore|in\s+addition|in\s+turn|also"
    r"|you\s+know|look|well|now|again|I\s+mean|listen|okay|ok|yeah|and\s+so|so|and|but),\s+"
    r"|(?:and|but|so)\s+(?!(?:far|much|many|long|that|to|on)\b)"
    r"|yet,?\s+(?!(?:again|another|more|still|to|so|far|is|was|are|were)\b)"
    # A briefer's asides: "As you know, …", "I would just note that …", "I think you all saw — …"
    # ("As I said" stays: the verifier reads its "said" as the sentence's attribution).
    r"|as\s+(?:I|you|we)\s+(?:saw|know|heard),\s+"
    r"|I\s+(?:would\s+|will\s+|just\s+|also\s+)*(?:note|say|add|point\s+out)\s+that\s+"
    r"|I\s+think\s+you\s+(?:all\s+)?(?:probably\s+)?(?:are\s+aware|saw|know|heard|have\s+seen)"
    r"(?:\s+that)?\s*(?:[—–-]\s*)?(?=\w))+",
    re.IGNORECASE,
)


class Filed(BaseModel):
    """The model's answer: headline, and the section of each sentence id."""

    title: str
    bottom_line: str
    sections: dict[int, str]


class Pick(NamedTuple):
    """A sentence the brief keeps and its statement as printed."""

    sentence: Sentence
    text: str


class Note(BaseModel):
    """One statement of the brief: a source sentence, its section, and its id (the citation)."""

    sentence: int
    section: str
    text: str
    #: the sentence before it, when it names who "He" or "She" of this one is
    antecedent: int | None = None


def key(sentence: Sentence) -> str:
    """``S3 The attack which resulted``: the id plus first words keeps a small model on track
    (with bare ids it cycled through the labels in order)."""
    words = _KEY_WORDS.findall(sentence.text)[:5]
    return " ".join([f"S{sentence.id}", *words])


def schema(
    sentences: list[Sentence], *, bounded: bool = False, headline: bool = True
) -> dict[str, Any]:
    """The answer's JSON schema: title and bottom line (``headline``), then a section for each
    sentence. ``bounded`` caps title and bottom line length (for grammars: the small model wrote
    170-word bottom lines when asked for 40 words)."""
    label = {"type": "string", "enum": list(LABELS)}
    title: dict[str, Any] = {"type": "string"}
    bottom: dict[str, Any] = {"type": "string"}
    if bounded:
        title["maxLength"] = TITLE_MAX_CHARS
        bottom["maxLength"] = BOTTOM_LINE_MAX_CHARS
    props: dict[str, Any] = {"title": title, "bottom_line": bottom} if headline else {}
    props.update({key(s): label for s in sentences})
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


HEADLINE_TOKENS = 200  # bound on title + bottom line (the grammar caps them at 440 characters)
ENTRY_TOKENS = 20  # bound on one sentence's entry: key of id and first words, and its label
EXPECTED_ENTRY_TOKENS = 13  # measured: ~13 tokens an entry, ~90 for the headline
EXPECTED_HEADLINE_TOKENS = 90


def max_tokens(sentences: list[Sentence], *, headline: bool = True) -> int:
    return HEADLINE_TOKENS * headline + 30 + ENTRY_TOKENS * len(sentences)


def expected_tokens(sentences: list[Sentence], *, headline: bool = True) -> int:
    return EXPECTED_HEADLINE_TOKENS * headline + 10 + EXPECTED_ENTRY_TOKENS * len(sentences)


def parse(content: str | None, sentences: list[Sentence], *, headline: bool = True) -> Filed:
    data = load_json_answer(content)
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    missing = [k for k in ("title", "bottom_line") if not clean_line(data.get(k, ""))]
    if missing and headline:
        raise ValueError(f"{' and '.join(missing)} missing or empty")
    by_id: dict[int, str] = {}
    for name, value in data.items():
        match = re.match(r"S(\d+)\b", str(name))
        if match and value in LABELS:
            by_id[int(match.group(1))] = value
    known = {s.id for s in sentences}
    sections = {i: label for i, label in by_id.items() if i in known}
    if not sections:
        raise ValueError("no sentence was filed; give a section for every sentence id")
    return Filed(
        title=clean_line(data.get("title", "")),
        bottom_line=clean_line(data.get("bottom_line", "")),
        sections=sections,
    )


def parse_headline(content: str | None) -> tuple[str, str]:
    data = load_json_answer(content)
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    title, bottom = clean_line(data.get("title", "")), clean_line(data.get("bottom_line", ""))
    if not title or not bottom:
        raise ValueError("title or bottom_line missing or empty")
    return title, bottom


def sections_of(
    filed: Filed, sentences: list[Sentence], doc: DocumentCues | None = None
) -> dict[int, str]:
    """Each sentence's section: the model's label corrected by the wording cues (``cues.py``),
    then Background and Outlook given their best-cued candidate when the model left them empty
    and the cues find material for them."""
    if doc is None:
        return dict(filed.sections)
    said = {s.id: statement(s) for s in sentences}
    # The sentence before each: who "he" or "they" is, when a sentence starts so.
    before = {b.id: said[a.id] for a, b in pairwise(sentences)}
    labels = {
        sid: fuse(label, said[sid], doc, before.get(sid)) if sid in said else label
        for sid, label in filed.sections.items()
    }
    cued: dict[str, Callable[[str], bool]] = {
        "outlook": future,
        "background": lambda t: earlier(t, doc),
    }
    for section, has_cue in cued.items():
        if any(label == section for label in labels.values()):
            continue
        counts = Counter(labels.values())
        for sentence in sentences:  # text order: the first cued sentence, as news leads
            label = labels.get(sentence.id, "other")
            # Never empty a section to fill another.
            if (
                label not in ("other", section)
                and counts[label] >= 2
                and not about_output(sentence)
                and has_cue(said[sentence.id])
            ):
                labels[sentence.id] = section
                break
    return labels


def select(
    filed: Filed,
    sentences: list[Sentence],
    budget: int,
    bottom_line: str = "",
    labels: dict[int, str] | None = None,
    text: Callable[[Sentence], str] | None = None,
    *,
    groups: dict[int, int] | None = None,
    group_seeds: int = 1,
    covers: dict[int, frozenset[int]] | None = None,
    positions: dict[int, float] | None = None,
    same: Callable[[int, int], bool] | None = None,
    asked: set[int] | frozenset[int] = frozenset(),
    news_only: bool = False,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[Pick]:
    """The sentences the brief keeps, in text order, each with its text as printed: whole,
    or a shorter form ending where its main clause ends (``shorten``) that the verifier supports
    as well as the whole. Candidates are filed in a section (``labels``, default the model's),
    not about the brief's own output, not repeating the bottom line; each section's best
    candidate comes first, then the rest by coverage (``ranking.choose``) within ``budget``
    words counted on ``text`` (the statement as printed, a speaker's name included); suspect
    sentences only after every clean one. A story passes each sentence's source (``groups``:
    every source gets its best candidate), its place in its own source (``positions``) and
    which sentences state one fact (``same``, by sentence id), and ``news_only``: past the
    seeds, a candidate must name someone or something, or give a number, that the bottom line
    and the statements chosen before it do not (sources on one story restate each other).
    ``exclude``: sentences the brief cannot show (``in_context``)."""
    labels = filed.sections if labels is None else labels
    # Printed statements come voiced ("Kirby: We …") where the text names a speaker; a
    # first-person line still without one says nobody knows who speaks it.
    voiced_text = text is not None
    text = text or statement
    candidates = [
        s
        for s in sentences
        if labels.get(s.id, "other") != "other"
        and not about_output(s)
        and not non_answer(s.text)
        and s.id not in asked
        and s.id not in exclude
        and not _said_by(bottom_line, statement(s))
    ]
    clean = [s for s in candidates if not is_suspect(s)]
    # A transcript with questions (a briefing, a gaggle): the briefer's opening remarks are the
    # prepared message, and the briefer's lines state the government's position in the first
    # person, often naming nobody ("Our vote does not represent a shift in our policy.").
    transcript = bool(asked)
    found = names_in(sentences)
    # Each clean sentence offers its whole form and its shorter ones (``shorten``); the
    # ranking takes at most one form of a sentence.
    forms: list[tuple[Sentence, str]] = []
    for s in clean:
        whole = text(s)
        forms.append((s, whole))
        if shortened := shorter_forms(whole):
            # Kept only where the verifier finds nothing in the short form that it does not
            # find in the whole one (a dropped "according to the UN" makes it partial).
            known = set(check_statement(whole, [s], s.text).problems)
            counted = numbers(whole)
            forms.extend(
                (s, short)
                for short in shortened
                if set(check_statement(short, [s], s.text).problems) <= known
                # A number is the most checkable fact a sentence has: a cut never drops one
                # ("… economic dependence, as U.S. donor money makes up 70% of GDP").
                and numbers(short) >= counted
            )
    # A statement stands alone: a clause, its references resolved, its speaker kept
    # (``fidelity``); a cut that drops who said it is no shorter form of the sentence.
    forms = [
        (s, t)
        for s, t in forms
        if not [
            p for p in fidelity.form_problems(t, [s.text]) if p.kind != "speaker" or voiced_text
        ]
        and (t == text(s) or not fidelity.speaker_problems(t, [s.text]))
    ]
    named = [found(unvoiced(t)) for _, t in forms]
    places: list[float] | None
    places = [positions[s.id] for s, _ in forms] if positions else None
    order = choose(
        list(range(len(forms))),
        [t for _, t in forms],
        [labels[s.id] for s, _ in forms],
        budget,
        words=word_count,
        seed_sections=[name for name, _ in SECTIONS],
        informative=[
            bool(n or numbers(t)) or (transcript and _takes_a_position(t))
            for n, (_, t) in zip(named, forms, strict=True)
        ],
        prior=[weight(t, found) for _, t in forms],
        facts=[frozenset(n | numbers(t)) for n, (_, t) in zip(named, forms, strict=True)]
        if news_only
        else None,
        known=frozenset(found(bottom_line) | numbers(bottom_line)),
        position_weight=TRANSCRIPT_POSITION_WEIGHT if transcript else POSITION_WEIGHT,
        positions=places,
        groups=[groups[s.id] for s, _ in forms] if groups else None,
        group_seeds=group_seeds,
        covers=[covers.get(s.id, frozenset()) for s, _ in forms] if covers else None,
        same=lambda i, j: (
            forms[i][0].id == forms[j][0].id
            or (same is not None and same(forms[i][0].id, forms[j][0].id))
        ),
    )
    picked = {forms[i][0].id: forms[i][1] for i in order}
    used = sum(word_count(t) for t in picked.values())
    for sentence in candidates:
        if is_suspect(sentence) and used + word_count(text(sentence)) <= budget:
            picked[sentence.id] = text(sentence)
            used += word_count(text(sentence))
    return [Pick(sentence=s, text=picked[s.id]) for s in sentences if s.id in picked]


#: The position prior in a briefing transcript, where the opening remarks carry the message of
#: the day (09 of the dev corpus: strict recall 0.500 → 0.625, the same from 0.3 to 0.8).
TRANSCRIPT_POSITION_WEIGHT = 0.5


def _takes_a_position(text: str) -> bool:
    """A voiced whole line ("Kirby: Our vote does not … represent a shift in our policy.")."""
    bare = unvoiced(text)
    return bare != text and word_count(bare) >= LEAD_MIN_WORDS


#: Sentences shorter than this count as this long for density, so a short line with a name
#: ("MR. KIRBY: Thanks, Nick.") does not outrank a sentence full of facts.
DENSITY_MIN_WORDS = 12


# "No casualties" is a number, zero, and counted like one: "there were no civilian casualties"
# is the fact a reader of a strike looks for, though it has no digit in it. (Casualties with a
# count are counted by their number; a bare "reported casualties" says no more than a number.)
_NO_CASUALTIES = re.compile(
    r"\b(?:no|zero)\s+(?:\w+\s+)?(?:casualt(?:y|ies)|fatalit(?:y|ies)|deaths|injuries)\b",
    re.IGNORECASE,
)


def weight(text: str, found: Callable[[str], set[str]] = names) -> float:
    """A statement's score in the ranking: its fact density, scaled down past
    ``LONG_STATEMENT`` words (``50 / words``)."""
    size = word_count(text)
    scale = 1.0 if size <= LONG_STATEMENT else LONG_STATEMENT / size
    return DENSITY_WEIGHT * density(unvoiced(text), found) * scale


def names_in(sentences: list[Sentence]) -> Callable[[str], set[str]]:
    """``names`` without a sentence's first word when the text also has it in lower case: a
    common word capitalised by its place ("Watching them very closely.", "Famine has taken
    hold …" beside "famine"), not a name."""
    common = {w.lower() for s in sentences for w in _LOWER_WORD.findall(s.text)}

    def found(text: str) -> set[str]:
        words = text.split()
        if not words or words[0].strip("“\"‘'(").rstrip(",:;").lower() not in common:
            return names(text)
        return names(" ".join(words[1:]))

    return found


_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]*")


def density(text: str, found: Callable[[str], set[str]] = names) -> float:
    """Names and numbers per word, capped at 1: how much checkable fact a sentence carries."""
    count = len(found(text) - vocatives(text)) + 2 * len(numbers(text))
    count += 2 * len(_NO_CASUALTIES.findall(text))
    return min(1.0, count / max(DENSITY_MIN_WORDS, word_count(text)))


def _said_by(bottom_line: str, said: str) -> bool:
    """Whether the bottom line already says the statement ``said`` or its main clause, whatever
    its tail adds ("Guatemala will accept 40% more deportation flights …, including …")."""
    return bool(bottom_line) and any(
        _overlap(form, bottom_line) >= REPEAT_OVERLAP for form in (said, *shorter_forms(said))
    )


def _overlap(a: str, b: str) -> float:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, len(wa))


_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")
#: A lead sentence is a whole sentence of at least this many words (not a title or header).
LEAD_MIN_WORDS = 8


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


def _main_clause(sentence: str, max_words: int) -> str:
    """A sentence over ``max_words`` cut at its last clause break within the limit (here or
    where ``shorten`` cuts), if what is left holds a third of the limit; else ''. (Half the
    limit threw away a model's 52-word bottom line whose 20-word main clause was the news, for
    the text's opening sentence: morning-dev stories one empty section fewer, dev unchanged.)"""
    heads = [form for form in shorter_forms(sentence) if word_count(form) <= max_words]
    for match in _CLAUSE_BREAK.finditer(sentence):
        head = sentence[: match.start()].rstrip(" ,;")
        if word_count(head) > max_words:
            break
        if stands_alone(head) and not inside_quote(head):
            heads.append(head + ".")
    fit = [h for h in heads if word_count(h) >= max(LEAD_MIN_WORDS, max_words // 3)]
    return max(fit, key=word_count, default="")


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
    transcript = any(without_speaker(s.text) != s.text.strip() for s in sentences)
    first_fit: Pick | None = None
    for sentence in sentences:
        if sentence.id in asked:
            continue
        text = statement(sentence)
        if not _ENDS_SENTENCE.search(text) or word_count(text) < LEAD_MIN_WORDS:
            continue
        # A long first sentence still leads with its main clause.
        if word_count(text) > max_words:
            text = _main_clause(text, max_words)
        if not text or _DANGLING_START.match(text):
            continue
        if not transcript:
            return Pick(sentence, voiced(text, (voices or {}).get(sentence.id)))
        if non_answer(text) or _ROOM.search(text):
            continue
        if not speaks_first_person(text):
            return Pick(sentence, text)
        if names(text) - vocatives(text) or numbers(text):
            return Pick(sentence, voiced(text, (voices or {}).get(sentence.id)))
        first_fit = first_fit or Pick(sentence, text)
    return first_fit or Pick(sentences[0], statement(sentences[0]))


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


# A wire dateline in front of the first sentence: "WASHINGTON —", "STATE DEPARTMENT —",
# "ISLAMABAD (Reuters) -".
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]+(?:\s[A-Z][A-Z.'’-]+){0,3}(?:,\s[A-Z][a-z]+)?(?:\s\([A-Za-z ]+\))?"
    r"\s[—–-]{1,2}\s+"
)


# A fact sheet's run-in heading in capitals: "ADVANCING U.S. NATIONAL SECURITY AND FOREIGN
# POLICY: President Trump is …" (a short one is taken as a speaker label already).
_RUN_IN_HEADING = re.compile(r"^(?:[A-Z][A-Z.,'’&-]*\s+){2,11}[A-Z][A-Z.'’&-]*:\s+(?=[A-Z])")


_PERSONAL = re.compile(r"^(He|She)\s+(?=[a-z])")
# The last word of a subject that is an institution, not a person "he" or "she" could be.
_INSTITUTIONS = frozenset(
    """house department ministry office council government administration committee agency army
    forces police party union nations states republic kingdom court congress senate treasury
    bank fund group front movement organization organisation""".split()
)


def resolve(text: str, earlier: Sentence) -> str | None:
    """A statement opening on "He" or "She" with its person named instead, when the sentence
    before it opens on that person ("Karoline Leavitt affirmed …" / "She highlighted …" →
    "Karoline Leavitt highlighted …"); None when it does not, or the statement opens otherwise."""
    match = _PERSONAL.match(text)
    if match is None:
        return None
    words = statement(earlier).split()
    run: list[str] = []
    for word in words:
        bare_word = word.strip(",;:“”\"'()")
        if (bare_word[:1].isupper() and bare_word.isalpha()) or bare_word.endswith("."):
            run.append(bare_word)
            continue
        if word.islower() and finite(bare_word) and run:
            break
        run = []
    else:
        return None
    name = run[-1].rstrip(".") if run else ""
    if len(name) < 2 or name.lower() in _INSTITUTIONS or name.lower() in STOPWORDS:
        return None
    # The last two words of the run: "Karoline Leavitt", "Wang Yi" (whose surname comes first),
    # "Mr. Sullivan", "Secretary Rubio".
    if len(run) >= 2:
        name = f"{run[-2]} {name}"
    return name + text[match.end(1) :]


#: How many sentences back a run of "He …" sentences is followed to the person it names.
PRONOUN_RUN = 3
#: How often the brief is chosen again without the statements whose references it cannot show.
CONTEXT_ROUNDS = 3


def in_context(
    picks: list[Pick],
    labels: dict[int, str],
    before: dict[int, int],
    shown: str,
    sentences: list[Sentence] | None = None,
) -> tuple[dict[int, str], set[int]]:
    """Where each statement's references (``fidelity.references``: "these Afghans", "The
    decision has …", "them") are shown: in ``shown`` (title and bottom line) or the statement
    just before it in its section, naming the same word (a reader keeps that much in mind); or
    in the sentence just before it in the text (``before``), when the brief keeps that one,
    which it then follows in its section. Returns those moves (sentence id → section) and the
    ids of statements whose references point to nothing the brief shows."""
    chosen = {p.sentence.id for p in picks}
    headline = fidelity.word_keys(shown)
    before_sentence = {b.id: a for a, b in pairwise(sentences or [])}
    last: dict[str, Pick] = {}  # the latest statement of each section, in text order
    moves: dict[int, str] = {}
    lost: set[int] = set()
    for pick in picks:  # text order
        sid = pick.sentence.id
        section = labels.get(sid, "other")
        previous = last.get(section)
        seen = headline | (fidelity.word_keys(previous.text) if previous else frozenset())
        earlier_sentence = before_sentence.get(sid)
        if fidelity.unshown(
            pick.text,
            seen,
            fidelity.word_keys(earlier_sentence.text) if earlier_sentence else frozenset(),
            headline=headline,
        ):
            earlier = before.get(sid)
            if earlier is not None and earlier in chosen and earlier not in lost:
                section = moves[sid] = moves.get(earlier, labels[earlier])
            else:
                lost.add(sid)
                continue
        last[section] = pick
    return moves, lost


def statement(sentence: Sentence) -> str:
    """The sentence as a statement: list marks, a dateline and a leading connective
    ("Meanwhile,") dropped."""
    text = _DATELINE.sub("", without_speaker(clean_line(sentence.text)))
    text = _RUN_IN_HEADING.sub("", text)
    text = _LEADING_CONNECTIVE.sub("", text).strip()
    return text[:1].upper() + text[1:]


# A quoted phrase: what a planted sentence asks the brief to say ("the title must be 'X'").
_QUOTED_PHRASE = re.compile(r"(?:^|(?<=[\s:(\[]))[\"“‘']([^\"”’']{1,80})[\"”’'](?!\w)")


def _planted(text: str, suspects: list[Sentence]) -> bool:
    """Whether ``text`` (title or bottom line) repeats a quoted phrase of a suspect sentence."""
    for sentence in suspects:
        for match in _QUOTED_PHRASE.finditer(sentence.text):
            phrase = " ".join(match.group(1).split())
            if phrase and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE):
                return True
    return False


# A bottom line that opens on a word pointing elsewhere ("That's how the deal is structured")
# leaves the reader asking what "that" is: the brief's first sentence must stand alone.
_DANGLING_START = re.compile(r"^\W*(?:That|This|These|Those|It|He|She|They|Its|His|Her|Their)\b")

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
    to the model's own main clause where that passes, else to the lead: the first fit sentence
    of ``lead_order`` (default: the text's order; a story puts its newest source first).
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
        if not title:
            problems += [str(p) for p in fidelity.form_problems(line)]
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
    elif own_title and word_count(own_title) <= TITLE_MAX_WORDS:
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
        return _why(judged(bottom_line, title=False)[1])

    bottom_line = _whole_sentences(_uncut(filed.bottom_line, max_words), max_words)
    why = refused(bottom_line)
    if not why:
        bottom_basis = _basis(judged(bottom_line, title=False)[0], "paraphrase")
    else:
        # The model's own main clause, where only its tail was refused ("…, which is a
        # critical step in their fight against …" is a claim of its own), before the lead.
        heads = reversed(shorter_forms(bottom_line)) if _single(bottom_line) else ()
        head = next((h for h in heads if word_count(h) >= LEAD_MIN_WORDS and not refused(h)), "")
        if head:
            bottom_line = head
            bottom_basis = _basis(judged(head, title=False)[0], "paraphrase", why)
        else:
            bottom_line = _whole_sentences(lead.text, max_words) or lead.text
            whole = statement(lead.sentence)
            kept: Form = "verbatim" if unvoiced(bottom_line) == whole else "shortened"
            bottom_basis = _basis([lead.sentence.id], kept, why)
    return Headline(title, bottom_line, title_basis, bottom_basis)


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


def compose(
    filed: Filed,
    sentences: list[Sentence],
    limit: int,
    doc: DocumentCues | None = None,
    voices: dict[int, str | None] | None = None,
    context: str = "",
    asked: set[int] | frozenset[int] = frozenset(),
) -> tuple[BriefContent, list[Note], int]:
    """The brief within ``limit`` words, its notes, and how many candidates were left out.
    ``doc``: the text's cues, to correct the model's sections (``sections_of``); ``voices``:
    who speaks each sentence, named in front of a first-person statement."""
    top = headline(
        filed,
        sentences,
        context=context,
        asked=asked,
        voices=voices,
        max_words=bottom_line_words(limit),
        own_title=context or None,
    )
    title, bottom_line = top.title, top.bottom_line
    budget = limit - word_count(title) - word_count(bottom_line)
    labels = sections_of(filed, sentences, doc)
    voices = voices or {}

    before = {b.id: a for a, b in pairwise(sentences)}
    resolved: dict[int, int] = {}
    # One speaker's statement (a President's, a Secretary's): each line is their view, and
    # outside the US position, where the section names the speaker, the line says whose.
    one_voice = bool(doc and doc.us_voice and doc.speaker and not asked)

    def printed(s: Sentence) -> str:
        always = one_voice and labels.get(s.id) != "us_position"
        text = voiced(statement(s), voices.get(s.id), always=always)
        # "Sullivan conveyed …" / "He also expressed …" / "He noted …": a run of sentences
        # on one person names them once; each "He" is named from the run's first sentence.
        earlier = before.get(s.id)
        for _ in range(PRONOUN_RUN):
            if earlier is None:
                break
            if named := resolve(text, earlier):
                resolved[s.id] = earlier.id
                return named
            same = _PERSONAL.match(statement(earlier))
            if same is None or same.group(1) != text.split(" ", 1)[0]:
                break
            earlier = before.get(earlier.id)
        return text

    excluded: set[int] = set()
    for _ in range(CONTEXT_ROUNDS):
        chosen = select(
            filed,
            sentences,
            budget,
            bottom_line,
            labels,
            text=printed,
            asked=asked,
            exclude=excluded,
        )
        moves, lost = in_context(
            chosen,
            labels,
            {k: a.id for k, a in before.items()},
            f"{title} {bottom_line}",
            sentences,
        )
        if not lost:
            break
        excluded |= lost
    chosen = [p for p in chosen if p.sentence.id not in lost]
    labels = {**labels, **moves}
    filed_count = sum(1 for s in sentences if labels.get(s.id, "other") != "other")
    notes = [
        Note(
            sentence=p.sentence.id,
            section=labels[p.sentence.id],
            text=p.text,
            antecedent=resolved.get(p.sentence.id) if p.text != statement(p.sentence) else None,
        )
        for p in chosen
    ]
    sections = {
        name: [
            Statement(
                text=n.text, cites=sorted({n.sentence, *([n.antecedent] if n.antecedent else [])})
            )
            for n in notes
            if n.section == name
        ]
        for name, _ in SECTIONS
    }
    content = BriefContent.model_validate(
        {
            "title": title,
            "bottom_line": bottom_line,
            "title_basis": top.title_basis,
            "bottom_line_basis": top.bottom_line_basis,
            **sections,
        }
    )
    return content, notes, filed_count - len(chosen)
