"""Fidelity proxies of a brief: what a program can count of what an analyst reads for.

Key-fact recall counts words; it cannot see a headline that says the opposite of the article.
These counts can (``briefer eval`` reports them per text and overall), each a lower bound of
what a careful reading finds, none a substitute for it:

- words of the title and bottom line that their cited sentences hold in no form;
- negation mismatches: a negation dropped or added against the cited sentences (title, bottom
  line, statements);
- statements without a finite verb (a heading or label printed as a statement);
- statements opening on a pronoun or "this …" that points to nothing in them;
- statements whose reference ("these Afghans", "The decision has …") names nothing in the title,
  the bottom line or the statement before, nor follows the sentence before it in the text;
- statements without a speaker: first person with nobody named, or a claim whose cited sentence
  says who made it;
- titles and bottom lines of the model's that failed the checks and were replaced;
- statements the checks cannot judge (a "the …" nothing shown says which, a judgement in the
  text's own voice), which the verification line names instead of counting as passing.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from briefer.check import fidelity, verify
from briefer.models import SECTIONS, Basis, Brief


class Proxies(BaseModel):
    headline_words_absent: int = Field(
        default=0, description="title and bottom-line words not in their cited sentences"
    )
    negation_mismatches: int = 0
    no_finite_verb: int = Field(default=0, description="statements that are no clause")
    unresolved_openings: int = Field(
        default=0, description="statements opening on a pronoun that points to nothing"
    )
    unshown_references: int = Field(
        default=0, description="statements pointing to something the brief does not show"
    )
    no_speaker: int = Field(
        default=0, description="first-person or attributed statements printed without a speaker"
    )
    replaced: int = Field(default=0, description="model titles and bottom lines replaced")
    unjudged: int = Field(
        default=0, description="statements the checks cannot judge, named in the verification line"
    )

    def __add__(self, other: Proxies) -> Proxies:
        return Proxies(
            **{name: getattr(self, name) + getattr(other, name) for name in Proxies.model_fields}
        )


def _sentences(brief: Brief, source: int) -> dict[int, str]:
    if not 1 <= source <= len(brief.sources):
        return {}
    found = brief.sources[source - 1]
    return {**found.other_sentences, **found.sentences}


def _basis_texts(brief: Brief, basis: Basis) -> list[str]:
    texts = [_sentences(brief, ref.source).get(ref.sentence, "") for ref in basis.cites]
    return [t for t in texts if t]


def proxies(brief: Brief) -> Proxies:
    """The counts of the module's docstring, from the brief and the sentences it stores."""
    counts = Proxies()
    stored = [(i, t) for i, t in _sentences(brief, 1).items()]
    for text, basis, title in (
        (brief.title, brief.title_basis, True),
        (brief.bottom_line, brief.bottom_line_basis, False),
    ):
        if basis is not None and basis.form == "headline":
            continue
        if basis is None:
            # A brief made before titles and bottom lines cited their sentences: the sentences
            # that hold the most of its words stand in, so old and new briefs compare.
            cited = [dict(stored)[i] for i in fidelity.cover(text, stored)]
        else:
            counts.replaced += basis.replaced is not None
            cited = _basis_texts(brief, basis)
        cited += [s.title for s in brief.sources if s.title]
        for problem in fidelity.meaning_problems(text, cited, title=title):
            if problem.kind == "words":
                counts.headline_words_absent += problem.text.count("“")
            counts.negation_mismatches += problem.kind == "negation"
    counts.unjudged = len(verify.unjudged(brief, multi_source=len(brief.sources) > 1))
    headline = fidelity.word_keys(f"{brief.title} {brief.bottom_line}")
    for name, _ in SECTIONS:
        previous = None
        for statement in brief.section(name):
            # shown: the title, the bottom line, the statement before (``selection.in_context``)
            seen = headline | (fidelity.word_keys(previous.text) if previous else frozenset())
            after = verify.follows(previous, statement)
            counts.unshown_references += bool(not after and fidelity.unshown(statement.text, seen))
            previous = statement
            cited = [
                t for i in statement.cites if (t := _sentences(brief, statement.source).get(i, ""))
            ]
            by_id = _sentences(brief, statement.source)
            antecedent = by_id.get(min(statement.cites) - 1) if after else None
            found = fidelity.form_problems(statement.text, cited, antecedent=antecedent)
            found += fidelity.speaker_problems(statement.text, cited)
            counts.no_finite_verb += any(
                p.kind == "fragment" and "finite verb" in p.text for p in found
            )
            counts.unresolved_openings += any(p.kind == "reference" for p in found)
            counts.no_speaker += any(p.kind == "speaker" for p in found)
            counts.negation_mismatches += any("negation" in p for p in statement.problems)
    return counts
