"""Re-verifying a saved (perhaps hand-edited) brief before it is rendered again. No model.

What the brief is checked against, best first:

1. the articles given (``--source``), exactly as ``briefer verify`` does;
2. each source's sentences saved in the brief: the cited ones and, in briefs written since they
   are stored, all the others but those that read as instructions to an AI (a withheld sentence
   supports nothing). In older briefs only the cited sentences and the title are there: a
   statement is still checked exactly against the sentences it cites, but a fact found in none of
   them may be elsewhere in the article, so the problems say "the stored sentences", not "the
   source".
"""

from __future__ import annotations

from briefer.check.verify import SourceText, verify_against, verify_sources, with_title
from briefer.models import Article, Brief, Source
from briefer.text.instructions import looks_like_instruction
from briefer.text.sentences import Sentence, split_sentences

#: How problems name the whole source when only the stored sentences stand in for it.
STORED = "the stored sentences"


def other_sentences(sentences: list[Sentence], cited: dict[int, str]) -> dict[int, str]:
    """What a brief stores of its article besides the cited sentences (see ``Source``)."""
    return {s.id: s.text for s in sentences if s.id not in cited and not looks_like_instruction(s)}


def stored_source(source: Source) -> SourceText:
    """What a saved source can be checked against without its article."""
    stored = {**source.other_sentences, **source.sentences}
    sentences = [Sentence(id=i, text=text, paragraph=0) for i, text in sorted(stored.items())]
    whole = "\n\n".join(s.text for s in sentences)
    if source.other_sentences:
        # with its title, as the brief was checked (``stages.finish``)
        return SourceText(sentences, with_title(source.title, whole))
    # The title stands in for the headline a first-person statement's speaker comes from.
    return SourceText(sentences, f"{source.title or ''}\n\n{whole}", STORED)


def checked_against_stored(brief: Brief) -> bool:
    """Whether re-verifying without articles has only the cited sentences of a source."""
    return any(not source.other_sentences for source in brief.sources)


def reverify(brief: Brief, articles: list[Article] | None = None) -> Brief:
    """The brief with its statuses, problems and summary computed anew; the articles' sentences
    are stored in its sources, so the brief can be checked again without them."""
    if articles:
        checked = verify_sources(brief, articles)
        sources = [
            s.model_copy(
                update={"other_sentences": other_sentences(split_sentences(a.text), s.sentences)}
            )
            for s, a in zip(brief.sources, articles, strict=True)
        ]
        return checked.model_copy(update={"sources": sources})
    return verify_against(brief, [stored_source(source) for source in brief.sources])
