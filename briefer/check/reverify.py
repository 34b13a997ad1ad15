"""Re-verifying a saved (perhaps hand-edited) brief before it is rendered again. No model.

What the brief is checked against, best first:

1. the articles given (``--source``), exactly as ``briefer verify`` does;
2. each source's ``text`` saved in the brief (briefs written since it was stored);
3. each source's cited sentences and title saved in the brief. A statement is still checked
   exactly against the sentences it cites, but a fact found in none of them may be elsewhere in
   the article, so the problems say "the stored sentences", not "the source".
"""

from __future__ import annotations

from briefer.check.verify import SourceText, verify_against, verify_sources
from briefer.models import Article, Brief, Source
from briefer.text.sentences import Sentence, split_sentences

#: How problems name the whole source when only the stored sentences stand in for it.
STORED = "the stored sentences"


def stored_source(source: Source) -> SourceText:
    """What a saved source can be checked against without its article."""
    if source.text:
        return SourceText(split_sentences(source.text), source.text)
    sentences = [
        Sentence(id=i, text=text, paragraph=0) for i, text in sorted(source.sentences.items())
    ]
    # The title stands in for the headline a first-person statement's speaker comes from.
    whole = "\n\n".join([source.title or "", *(s.text for s in sentences)])
    return SourceText(sentences, whole, STORED)


def checked_against_stored(brief: Brief) -> bool:
    """Whether re-verifying without articles falls back to stored sentences for a source."""
    return any(not source.text for source in brief.sources)


def reverify(brief: Brief, articles: list[Article] | None = None) -> Brief:
    """The brief with its statuses, problems and summary computed anew; the articles' text is
    stored in its sources, so the brief can be checked again without them."""
    if articles:
        checked = verify_sources(brief, articles)
        sources = [
            s.model_copy(update={"text": a.text})
            for s, a in zip(brief.sources, articles, strict=True)
        ]
        return checked.model_copy(update={"sources": sources})
    return verify_against(brief, [stored_source(source) for source in brief.sources])
