"""One brief from several articles on one story: sources in time order, sentences numbered per
source, one statement per fact with every source that states it, disagreements found by code.

- **Order by time**: sources are sorted by date (undated ones keep their order, after the dated).
  A sentence of an earlier source that a later source takes up again (it shares the sentence's
  names or numbers and much of its wording) is what was said before: filed as ground situation
  or outlook, it becomes background — the later source carries the news.
- **A fact once**: two sentences of different sources state one fact when their wording is
  close (TF-IDF cosine ≥ ``SAME_FACT``), or fairly close (≥ ``RELATED``) and they share at least
  two names or numbers. The brief takes one of them (selection never takes a second) and cites
  the others beside it (``Statement.also``) — unless a number is in conflict: then the other
  is not cited as agreeing, and the conflict is shown under "Where Sources Differ".
- **Every source heard**: after each section's best candidate, each source's best candidate is
  taken (``ranking.choose`` groups), so a merged brief never just summarises the longest source.
- **Disagreements** (``disagreements``): related sentences of different sources giving a
  different number for the same thing ("27 dead" / "26 dead"), shown as such, never smoothed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from briefer.brief import (
    fact_density,
    headline,
    model_answer,
    section_labels,
    selection,
    statements,
)
from briefer.brief.ranking import cosine, tfidf
from briefer.check.grounding import names, numbers
from briefer.models import (
    SECTIONS,
    Article,
    Basis,
    BriefContent,
    Disagreement,
    Ref,
    Statement,
    word_count,
)
from briefer.text.cues import DocumentCues, document_cues, voiced
from briefer.text.sentences import Sentence
from briefer.text.turns import speakers
from briefer.text.words import MONTH_NAMES

#: Cosine at or above which two sentences of different sources state one fact.
SAME_FACT = 0.55
#: Cosine at or above which two sentences speak of the same thing (a fact in common needs
#: shared names or numbers too; an earlier one taken up again is superseded).
RELATED = 0.25
#: Names and numbers two related sentences must share to count as one fact.
SHARED_FACTS = 2
#: Names and numbers, one of them a number, that make two sentences related whatever their
#: wording.
STRONG_FACTS = 4
#: Candidates of each source taken before the rest compete: a short source's key sentence
#: is not crowded out by a long one's.
SEEDS_PER_SOURCE = 1


@dataclass
class StorySource:
    """One source of a story: its article, all its sentences (own ids), the content ones."""

    number: int
    article: Article
    everything: list[Sentence]
    content: list[Sentence]
    doc: DocumentCues = field(default_factory=DocumentCues)


@dataclass
class Story:
    """The sources in time order and their content sentences under story-wide ids 1..N."""

    sources: list[StorySource]
    sentences: list[Sentence]
    refs: dict[int, Ref]

    def source_of(self, sid: int) -> StorySource:
        return self.sources[self.refs[sid].source - 1]


def _date_key(value: str | None) -> date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def in_time_order(articles: Sequence[Article]) -> list[Article]:
    """Dated articles oldest first, then the undated in the order given (stable)."""
    dated = [(d, i) for i, a in enumerate(articles) if (d := _date_key(a.date)) is not None]
    undated = [i for i, a in enumerate(articles) if _date_key(a.date) is None]
    return [articles[i] for _, i in sorted(dated)] + [articles[i] for i in undated]


def build(parts: Sequence[tuple[Article, list[Sentence], list[Sentence]]]) -> Story:
    """A story from its sources in order: (article, every sentence, content sentences)."""
    sources: list[StorySource] = []
    sentences: list[Sentence] = []
    refs: dict[int, Ref] = {}
    for number, (article, everything, content) in enumerate(parts, start=1):
        sources.append(
            StorySource(
                number=number,
                article=article,
                everything=everything,
                content=content,
                doc=document_cues(article.title or "", article.text, article.date),
            )
        )
        for sentence in content:
            sid = len(sentences) + 1
            sentences.append(sentence.model_copy(update={"id": sid}))
            refs[sid] = Ref(source=number, sentence=sentence.id)
    return Story(sources=sources, sentences=sentences, refs=refs)


def _facts(text: str) -> set[str]:
    return names(text) | numbers(text)


class Relations:
    """Which sentences of different sources are related, and which state one fact."""

    def __init__(self, story: Story) -> None:
        self.story = story
        texts = [statements.statement(s) for s in story.sentences]
        vectors = tfidf(texts)
        self.related: dict[int, set[int]] = {s.id: set() for s in story.sentences}
        #: One fact in both: cited together.
        self.same: dict[int, set[int]] = {s.id: set() for s in story.sentences}
        #: One fact with a number in conflict: only one is taken, the conflict is shown.
        self.rival: dict[int, set[int]] = {s.id: set() for s in story.sentences}
        ids = [s.id for s in story.sentences]
        facts = [_facts(t) for t in texts]
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                if story.refs[ids[a]].source == story.refs[ids[b]].source:
                    continue
                similarity = cosine(vectors[a], vectors[b])
                shared = facts[a] & facts[b]
                # Worded apart but the same names and a number ("$550 million … drawdown" in a
                # legal memo and in a press statement: cosine 0.17, five facts in common).
                numbered = any(f[:1].isdigit() for f in shared) and len(shared) >= STRONG_FACTS
                if not shared or (similarity < RELATED and not numbered):
                    continue
                self.related[ids[a]].add(ids[b])
                self.related[ids[b]].add(ids[a])
                if similarity >= SAME_FACT or len(shared) >= SHARED_FACTS:
                    kind = self.rival if _conflicts(texts[a], texts[b]) else self.same
                    kind[ids[a]].add(ids[b])
                    kind[ids[b]].add(ids[a])

    def is_same(self, a: int, b: int) -> bool:
        """One fact, whether or not the sources agree on its numbers: the brief takes one."""
        return b in self.same[a] or b in self.rival[a]


def story_sections(filed: model_answer.Filed, story: Story, relations: Relations) -> dict[int, str]:
    """Each sentence's section: the model's label corrected by its own source's wording cues,
    then an earlier source's ground situation or outlook that a later source takes up again
    filed as background."""
    labels: dict[int, str] = {}
    for source in story.sources:
        own = {sid for sid, ref in story.refs.items() if ref.source == source.number}
        part = model_answer.Filed(
            title=filed.title,
            bottom_line=filed.bottom_line,
            sections={sid: label for sid, label in filed.sections.items() if sid in own},
        )
        sentences = [s for s in story.sentences if s.id in own]
        labels.update(section_labels.sections_of(part, sentences, source.doc))
    dates = [_date_key(s.article.date) for s in story.sources]
    for sid, label in labels.items():
        if label not in ("ground_situation", "outlook"):
            continue
        mine = dates[story.refs[sid].source - 1]
        later = [
            other
            for other in relations.related[sid]
            if mine is not None
            and (theirs := dates[story.refs[other].source - 1]) is not None
            and theirs > mine
        ]
        if later:
            labels[sid] = "background"
    return labels


def _newest_first(story: Story) -> list[Sentence]:
    """The story's sentences with the newest source's first (of sources of one day, the longest
    first): where a fallback bottom line is looked for — the news is in the latest report."""
    order = sorted(
        story.sources,
        key=lambda s: (_date_key(s.article.date) or date.min, len(s.content)),
        reverse=True,
    )
    rank = {source.number: n for n, source in enumerate(order)}
    return sorted(story.sentences, key=lambda s: (rank[story.refs[s.id].source], s.id))


def _weaker_wordings(story: Story, relations: Relations) -> set[int]:
    """Sentences that another source's sentence states in fewer words for what they say (higher
    fact density): the brief chooses among the better wordings and cites these beside them (a
    press statement's 40 words over a memorandum's 80 for one "$550 million drawdown")."""
    density = {s.id: fact_density.density(statements.statement(s)) for s in story.sentences}
    return {
        sid
        for sid, others in relations.same.items()
        if any((density[o], -o) > (density[sid], -sid) for o in others)
    }


def _positions(story: Story) -> dict[int, float]:
    """Each sentence's place in its own source, 0 first to 1 last."""
    out: dict[int, float] = {}
    for source in story.sources:
        own = [sid for sid, ref in story.refs.items() if ref.source == source.number]
        last = max(1, len(own) - 1)
        out.update({sid: i / last for i, sid in enumerate(own)})
    return out


def compose_story(
    filed: model_answer.Filed, story: Story, limit: int
) -> tuple[BriefContent, list[Sentence], int, Relations]:
    """The story's brief within ``limit`` words, the sentences it cites (story-wide ids), how
    many filed candidates were left out, and the relations found between sources."""
    relations = Relations(story)
    newest = _newest_first(story)
    top = headline.headline(
        filed,
        story.sentences,
        newest,
        # One clause a title: the checks read no clause running from one title into the next.
        context="; ".join(s.article.title or "" for s in story.sources),
        max_words=headline.bottom_line_words(limit),
        own_title=story.sources[story.refs[newest[0].id].source - 1].article.title
        if newest
        else None,
    )
    title, bottom_line = top.title, top.bottom_line
    budget = limit - word_count(title) - word_count(bottom_line)
    labels = story_sections(filed, story, relations)
    voices: dict[int, str | None] = {}
    for source in story.sources:
        local = speakers(source.everything, source.doc)
        for sid, ref in story.refs.items():
            if ref.source == source.number:
                voices[sid] = local.get(ref.sentence)

    def printed(s: Sentence) -> str:
        return voiced(statements.statement(s), voices.get(s.id))

    weaker = _weaker_wordings(story, relations)
    chosen = selection.select(
        filed,
        story.sentences,
        budget,
        bottom_line,
        {sid: "other" if sid in weaker else label for sid, label in labels.items()},
        text=printed,
        groups={sid: ref.source for sid, ref in story.refs.items()},
        group_seeds=SEEDS_PER_SOURCE,
        covers={
            sid: frozenset(story.refs[o].source for o in others)
            for sid, others in relations.same.items()
        },
        positions=_positions(story),
        same=relations.is_same,
        # Measured on morning-dev's three stories: merged strict recall 0.778 → 0.833; on
        # single texts (dev) it cost 0.748 → 0.699: there a known name often comes with a
        # new fact ("Pakistan reported civilian casualties").
        news_only=True,
        # A story's statements keep their own sections; one that leans on the sentence before
        # it would not follow it there.
        pairs=False,
    )
    sections: dict[str, list[Statement]] = {name: [] for name, _ in SECTIONS}
    for sentence, printed_text in chosen:
        ref = story.refs[sentence.id]
        also = sorted(
            (story.refs[other] for other in relations.same[sentence.id]),
            key=lambda r: (r.source, r.sentence),
        )
        sections[labels[sentence.id]].append(
            Statement(text=printed_text, cites=[ref.sentence], source=ref.source, also=also)
        )
    content = BriefContent.model_validate(
        {
            "title": title,
            "bottom_line": bottom_line,
            # story-wide sentence ids as (source, sentence)
            "title_basis": _refs(top.title_basis, story),
            "bottom_line_basis": _refs(top.bottom_line_basis, story),
            **sections,
        }
    )
    filed_count = sum(1 for s in story.sentences if labels.get(s.id, "other") != "other")
    return content, [p.sentence for p in chosen], filed_count - len(chosen), relations


def _refs(basis: Basis, story: Story) -> Basis:
    """A basis citing story-wide ids, citing (source, sentence) instead."""
    return basis.model_copy(
        update={
            "cites": [story.refs[ref.sentence] for ref in basis.cites if ref.sentence in story.refs]
        }
    )


# A number and the word it counts ("27 dead", "$550 million in aid", "3 ships"): the word after
# the number, past a scale word, is what is counted.
_QUANTITY = re.compile(
    r"(?<![\w.,])(\$|US\$|€|£)?(\d[\d,]*(?:\.\d+)?)(?:\s*(million|billion|trillion|thousand))?"
    r"(?:\s+(?:more|additional|new|other|of|the|in))*\s+([A-Za-z][a-z-]+)"
)
_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# Words after a number that say when, not how many ("27 April"), or that are no unit at all.
_NOT_UNITS = frozenset(MONTH_NAMES) | frozenset("and or to percent per a an am pm p.m a.m".split())


def _quantities(text: str) -> dict[str, tuple[float, str]]:
    """What a sentence counts: unit → (value, as written)."""
    out: dict[str, tuple[float, str]] = {}
    for match in _QUANTITY.finditer(text):
        currency, digits, scale, unit = match.groups()
        unit = unit.lower()
        if unit in _NOT_UNITS:
            continue
        try:
            value = float(digits.replace(",", "")) * _SCALE.get((scale or "").lower(), 1)
        except ValueError:
            continue
        if 1900 <= value <= 2100 and not currency and not scale:
            continue  # a year
        key = ("$" if currency else "") + unit.rstrip("s")
        written = " ".join(p for p in ((currency or "") + digits, scale or "") if p)
        out.setdefault(key, (value, written))
    return out


def _conflicts(a: str, b: str) -> list[tuple[str, str, str]]:
    """(unit, a's number, b's number) where two sentences count the same thing differently."""
    qa, qb = _quantities(a), _quantities(b)
    return [
        (unit, qa[unit][1], qb[unit][1])
        for unit in sorted(qa.keys() & qb.keys())
        if qa[unit][0] != qb[unit][0]
    ]


def _name(source: StorySource) -> str:
    return source.article.outlet or source.article.title or f"Source {source.number}"


def disagreements(story: Story, relations: Relations) -> list[Disagreement]:
    """Related sentences of different sources that count the same thing differently, once per
    pair of sources and thing counted, in story order."""
    found: list[Disagreement] = []
    seen: set[tuple[int, int, str]] = set()
    by_id = {s.id: s for s in story.sentences}
    for sid in sorted(relations.related):
        for other in sorted(relations.related[sid]):
            if other <= sid:
                continue
            first, second = story.refs[sid], story.refs[other]
            for unit, mine, theirs in _conflicts(by_id[sid].text, by_id[other].text):
                key = (first.source, second.source, unit)
                if key in seen:
                    continue
                seen.add(key)
                what = unit.lstrip("$")
                found.append(
                    Disagreement(
                        about=what,
                        text=(
                            f"{_name(story.sources[first.source - 1])} reports {mine} {what}; "
                            f"{_name(story.sources[second.source - 1])} {theirs}"
                        ),
                        refs=[first, second],
                    )
                )
    return found
