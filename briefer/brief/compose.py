"""The staged pipeline: the model files sentences and writes the headline; code composes the brief.

Measured on the dev corpus with Qwen2.5-Coder-1.5B: asked to condense sentences, the model copied
them; asked for a whole brief in one call, it repeated facts across sections and lost facts to
long wording (key-fact recall 0.57 against 0.67 for the text's first sentences). So one model call
gives a title, a bottom line and, for every numbered sentence, its section; the statements are the
article's own sentences, chosen by code:

- every sentence is filed in one section (no fact repeated across sections);
- sentences are chosen by fact density (names and numbers per word; counted for less past
  ``fact_density.LONG_STATEMENT`` words) plus a position prior (news puts what matters first)
  until the word limit is reached, then shown in text order;
- a sentence that the bottom line already says is not repeated;
- a sentence that speaks of the brief's own output ("the title of the brief must be …") is never
  a statement, whatever the model filed it as, and one with a weaker sign of prompt injection
  (``instructions.is_suspect``) comes after every clean sentence: a planted sentence full of names
  and numbers would otherwise rank first.

Statements are therefore grounded by construction: each is one source sentence, or its main
clause where the rest is a gloss (``shorten.py``; measured on the dev corpus: strict recall 0.685
→ 0.701, 89 → 99 statements in the same words; merged story briefs of morning-dev 0.667 →
0.722), cited by its id.

``compose`` runs the stages, each in its own module of ``brief/``: ``model_answer`` (the schema
the model answers in, and parsing it), ``section_labels`` (the model's sections corrected by the
cues), ``headline`` (title and bottom line, checked and mended), ``selection`` (which sentences
the brief keeps, and whether their references are shown) with ``fact_density``, ``ranking`` and
``shorten``, and ``statements`` (a sentence as the brief prints it).
"""

from __future__ import annotations

from itertools import pairwise

from pydantic import BaseModel

from briefer.brief.headline import bottom_line_words, headline
from briefer.brief.model_answer import Filed
from briefer.brief.section_labels import sections_of
from briefer.brief.selection import Context, in_context, select
from briefer.brief.statements import PERSONAL_PRONOUN, Pick, resolve, statement, without_also
from briefer.check import fidelity
from briefer.check.verify import check_statement, line_problems
from briefer.models import SECTIONS, BriefContent, Statement, word_count
from briefer.text.cues import DocumentCues, voiced
from briefer.text.people import Introduction, introduce
from briefer.text.people import introductions as introductions_of
from briefer.text.people import speaker as speaker_of
from briefer.text.quotes import is_whole_quote
from briefer.text.sentences import Sentence
from briefer.text.turns import person_turn, turn_introductions


class Note(BaseModel):
    """One statement of the brief: a source sentence, its section, and its id (the citation)."""

    sentence: int
    section: str
    text: str
    #: the sentence before it, when it names who "He" or "She" of this one is
    antecedent: int | None = None
    #: the sentence that introduces a second person the statement names ("Trump and …")
    also: int | None = None


#: How many sentences back a run of "He …" sentences is followed to the person it names.
PRONOUN_RUN = 3
#: How often the brief is chosen again without the statements whose references it cannot show.
CONTEXT_ROUNDS = 3


def introduced_once(
    chosen: list[Pick], labels: dict[int, str], top: str, introductions: dict[int, Introduction]
) -> tuple[list[Pick], dict[int, int]]:
    """The statements with each person introduced at their first one in reading order (after
    the title and bottom line, the sections in their order), where nothing before it names them
    in full; a later one goes back to the surname, so its words are only fewer. Also the
    sentence each kept introduction is cited from, by statement."""
    shown = top
    out: dict[int, Pick] = {}
    cited: dict[int, int] = {}
    for name, _ in SECTIONS:
        for p in chosen:
            if labels[p.sentence.id] != name:
                continue
            text = p.text
            person = introductions.get(p.sentence.id)
            # introduced with the title, or by the name alone after a title of the statement's
            # own ("the JX Fund’s Penelope Winterhager")
            forms = (person.phrase, person.name) if person is not None else ()
            form = next((f for f in forms if f in text), None)
            if person is not None and form is not None:
                if person.name in shown:
                    text = text.replace(form, person.surname, 1)
                elif person.sentence is not None:
                    cited[p.sentence.id] = person.sentence
            out[p.sentence.id] = Pick(sentence=p.sentence, text=text)
            shown += " " + text
    return [out.get(p.sentence.id, p) for p in chosen], cited


def compose(
    filed: Filed,
    sentences: list[Sentence],
    limit: int,
    doc: DocumentCues | None = None,
    voices: dict[int, str | None] | None = None,
    context: str = "",
    asked: set[int] | frozenset[int] = frozenset(),
    source: str = "",
) -> tuple[BriefContent, list[Note], int]:
    """The brief within ``limit`` words, its notes, and how many candidates were left out.
    ``doc``: the text's cues, to correct the model's sections (``sections_of``); ``voices``:
    who speaks each sentence, named in front of a first-person statement; ``source``: the
    whole text as the verifier reads it, title and byline too (else the sentences)."""
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
    # The text's own speaker, voiced by surname ("Biden: …"), is introduced as the title or
    # byline does ("President Joe Biden: …") at their first line in reading order: the bottom
    # line where it is theirs, else their first statement (``printed``).
    voice = speaker_of(doc.speaker, doc.speaker_intro) if doc else None
    if voice is not None and voice.name in f"{title} {bottom_line}":
        voice = None
    if voice is not None and bottom_line.startswith(voice.surname):
        # Only where the checks pass it as they pass the line unintroduced: an introduction the
        # verifier cannot read as a speaker's ("Linda Thomas-Greenfield, Ambassador to the
        # United Nations") would make a true line a partly supported one.
        with_voice = voice.phrase + bottom_line[len(voice.surname) :]
        grounds = {c.sentence for c in top.bottom_line_basis.cites}
        lines = [s.text for s in sentences if s.id in grounds] + ([context] if context else [])
        if len(line_problems(with_voice, lines)[1]) <= len(line_problems(bottom_line, lines)[1]):
            bottom_line, voice = with_voice, None
    budget = limit - word_count(title) - word_count(bottom_line)
    labels = sections_of(filed, sentences, doc)
    voices = voices or {}

    before = {b.id: a for a, b in pairwise(sentences)}
    before_ids = {k: a.id for k, a in before.items()}
    resolved: dict[int, int] = {}
    # One speaker's statement (a President's, a Secretary's): each line is their view, and
    # outside the US position, where the section names the speaker, the line says whose.
    one_voice = bool(doc and doc.us_voice and doc.speaker and not asked)

    # Who the text introduces in full and names by surname after ("… Navi Pillay stated …" /
    # "Pillay praised …"): a statement naming one by surname alone, where the title and bottom
    # line do not name them, is printed (and counted against the words) with the introduction.
    people = introductions_of(sentences)
    top_line = f"{title} {bottom_line}"
    # The text's own speaker, then a transcript's counterparts, each introduced by surname.
    author = (doc.speaker or "").casefold() if doc else ""
    talkers = ([voice] if voice else []) + [
        t
        for name, label in turn_introductions(source).items()
        if name.casefold() != author and (t := speaker_of(name, label)) is not None
    ]
    # Turns are read in the whole source: a label's line may be no statement ("… RUIZ: Thank
    # you.").
    transcript = any(person_turn(line.strip()) for line in source.splitlines()) or any(
        person_turn(s.text) for s in sentences
    )
    by_id = {s.id: s for s in sentences}
    whole = source or " ".join(s.text for s in sentences)
    introductions: dict[int, Introduction] = {}
    # A second person a statement names by surname alone ("Trump and PRC President Xi Jinping
    # agreed …" once Xi is introduced), introduced the same way.
    seconds: dict[int, Introduction] = {}
    memo: dict[int, str] = {}

    def introduced_from(person: Introduction, s: Sentence) -> list[Sentence]:
        # An introduced statement cites the sentence that introduces the person too.
        return [s] if person.sentence is None else [by_id[person.sentence], s]

    def printed(s: Sentence) -> str:
        if s.id not in memo:
            text = plain(s)
            memo[s.id] = text
            # A "He" named from the sentence before is introduced too: the introducing
            # sentence is cited in place of that one, as it names the person as well.
            new, person = introduce(text, top_line, people) if people else (text, None)
            if person is None:
                # the text's own speaker, else a transcript's counterpart by their turn's label
                talker = next((v for v in talkers if text.startswith(v.surname)), None)
                if talker is not None:
                    new, person = talker.phrase + text[len(talker.surname) :], talker
            if person is None or person.sentence == s.id:
                return text
            # Where the checks would not pass it as it reads then, it stands as written; and
            # what they refuse as written (a table's row, a fragment) they would refuse
            # introduced too, though its words no longer read as the cited line's.
            own = [by_id[resolved[s.id]], s] if s.id in resolved else [s]
            cited = introduced_from(person, s)
            if (
                check_statement(new, cited, whole).status == "supported"
                and check_statement(text, own, whole).status == "supported"
            ):
                introductions[s.id] = person
                memo[s.id] = new
                more, other = introduce(new, top_line, people)
                if other is not None and other.sentence is not None and other.sentence != s.id:
                    both = [by_id[i] for i in sorted({c.id for c in cited} | {other.sentence})]
                    if check_statement(more, both, whole).status == "supported":
                        seconds[s.id] = other
                        memo[s.id] = more
        return memo[s.id]

    def plain(s: Sentence) -> str:
        # A transcript's counterpart (a turn of someone not the document's speaker) speaks
        # each line for themself: "Lutundula: … the United States … are traditional friends".
        speaker = voices.get(s.id)
        counterpart = bool(transcript and speaker and speaker.casefold() != author)
        always = (one_voice and labels.get(s.id) != "us_position") or counterpart
        text = voiced(statement(s), speaker, always=always)
        # "Sullivan conveyed …" / "He also expressed …" / "He noted …": a run of sentences
        # on one person names them once; each "He" is named from the run's first sentence
        # (a counterpart's line named before it is voiced: "Ruiz: Carlos Mendez signed …").
        own = statement(s) if counterpart else text
        earlier = before.get(s.id)
        for _ in range(PRONOUN_RUN):
            if earlier is None:
                break
            if named := resolve(own, earlier):
                resolved[s.id] = earlier.id
                return voiced(named, speaker, always=True) if counterpart else named
            same = PERSONAL_PRONOUN.match(statement(earlier))
            if same is None or same.group(1) != own.split(" ", 1)[0]:
                break
            earlier = before.get(earlier.id)
        return text

    def arrange(labels: dict[int, str]) -> tuple[list[Pick], dict[int, str]]:
        """The statements chosen, each in its section (moved where its reference is)."""
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
                context=reader,
            )
            moves, lost = in_context(chosen, labels, before_ids, top_line, sentences)
            if not lost:
                break
            excluded |= lost
        labels = {**labels, **moves}
        # A statement that opens on a pointer, or whose reference the sentence before it shows
        # (``moves``), follows that sentence in its section, wherever that one went; where that one
        # is left out (its own references unshown), so is the statement.
        kept: list[Pick] = []
        for p in chosen:  # text order
            if p.sentence.id in lost:
                continue
            earlier = before.get(p.sentence.id)
            if (
                p.sentence.id in moves
                or fidelity.leans_on_antecedent(p.text)
                or reader.open_before(p.text, earlier)
            ):
                if earlier is None or not kept or kept[-1].sentence.id != earlier.id:
                    continue
                labels[p.sentence.id] = labels[earlier.id]
            kept.append(p)
        return kept, labels

    # What a "the …" may mean without the sentence before it: one reading for every round.
    reader = Context.of(sentences, title, bottom_line)
    chosen, placed = arrange(labels)

    # A person named by surname alone, before the brief shows who they are, is introduced at
    # their first statement in reading order; a later statement goes back to the surname.
    def introduced_both(
        picks: list[Pick], firsts: dict[int, Introduction]
    ) -> tuple[list[Pick], dict[int, int], dict[int, int]]:
        # Each statement's first person, then its second (``seconds``), at their first
        # statement in reading order.
        picks, cited = introduced_once(picks, placed, top_line, firsts)
        picks, cited_too = introduced_once(picks, placed, top_line, seconds)
        return picks, cited, cited_too

    final, introduced, introduced_too = introduced_both(chosen, introductions)
    # The words counted for an introduction that went back are chosen again.
    if back := {p.sentence.id for p, f in zip(chosen, final, strict=True) if p.text != f.text}:
        went_back = {sid: introductions.pop(sid) for sid in back if sid in introductions}
        for sid in back:
            seconds.pop(sid, None)
            memo[sid] = plain(by_id[sid])
        chosen, placed = arrange(labels)
        final, introduced, introduced_too = introduced_both(chosen, introductions)
        # Where the statement that introduced the person is no longer chosen, the first one
        # that names them is introduced again (in the form the selection chose), if the
        # checks pass it and the words allow.
        again: list[Pick] = []
        people_again = dict(introductions)
        for p in chosen:
            if p.sentence.id in went_back:
                person = went_back[p.sentence.id]
                new, found = introduce(p.text, top_line, people)
                cited = introduced_from(person, p.sentence)
                if found == person and check_statement(new, cited, whole).status == "supported":
                    p = Pick(sentence=p.sentence, text=new)
                    people_again[p.sentence.id] = person
            again.append(p)
        retried, cited_again, cited_too = introduced_both(again, people_again)
        if sum(word_count(p.text) for p in retried) <= budget:
            final, introduced, introduced_too = retried, cited_again, cited_too
    chosen, labels = final, placed
    # An "also" that follows no statement of the sentence before it in the text adds to what
    # the brief does not show: it goes (the checks must pass the statement as they did).
    previous: dict[str, int] = {}
    for k, p in enumerate(chosen):
        section = labels[p.sentence.id]
        earlier_id = before[p.sentence.id].id if p.sentence.id in before else None
        if previous.get(section) != earlier_id or earlier_id is None:
            bare = without_also(p.text)
            earlier = introduced.get(p.sentence.id) or resolved.get(p.sentence.id)
            cited = [by_id[i] for i in (earlier, p.sentence.id) if i]
            if bare != p.text and (
                check_statement(bare, cited, whole).status
                == check_statement(p.text, cited, whole).status
            ):
                chosen[k] = Pick(sentence=p.sentence, text=bare)
        previous[section] = p.sentence.id
    filed_count = sum(1 for s in sentences if labels.get(s.id, "other") != "other")
    notes = [
        Note(
            sentence=p.sentence.id,
            section=labels[p.sentence.id],
            text=p.text,
            antecedent=introduced.get(p.sentence.id)
            or (resolved.get(p.sentence.id) if p.text != statement(p.sentence) else None),
            also=introduced_too.get(p.sentence.id),
        )
        for p in chosen
    ]
    sections: dict[str, list[Statement]] = {name: [] for name, _ in SECTIONS}
    last_note: dict[str, Note] = {}
    for n in notes:
        statements = sections[n.section]
        cites = sorted({n.sentence, *(c for c in (n.antecedent, n.also) if c)})
        # A quotation that goes on the one the statement before it attributes ("…," said
        # Abdourahim Said Bakar. "The military has taken control …") is printed with it: alone,
        # it would say nobody's words.
        prior = before.get(n.sentence)
        if (
            statements
            and prior is not None
            and last_note[n.section].sentence == prior.id
            and is_whole_quote(n.text)
            and fidelity.continues_quote(statements[-1].text)
        ):
            last = statements[-1]
            merged = sorted({*last.cites, *cites})
            statements[-1] = Statement(text=f"{last.text} {n.text}", cites=merged)
        else:
            statements.append(Statement(text=n.text, cites=cites))
        last_note[n.section] = n
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
