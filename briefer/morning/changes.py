"""What changed in a continuing story: the statements of today's brief that the story's
previous brief did not make.

Two statements make one fact by the rule a merged brief uses for two sources' sentences
(``stories.merge``): close wording (TF-IDF cosine ≥ ``SAME_FACT``), or related wording
(≥ ``RELATED``) with at least ``SHARED_FACTS`` names or numbers in common. A statement with no
such counterpart in the previous brief, or with a number its counterpart lacks, is new.
"""

from __future__ import annotations

from briefer.brief.ranking import cosine, tfidf
from briefer.check.grounding import names, numbers
from briefer.models import SECTIONS, Brief, Change, Statement
from briefer.stories.merge import RELATED, SAME_FACT, SHARED_FACTS


def statements(brief: Brief) -> list[Statement]:
    return [st for key, _ in SECTIONS for st in brief.section(key)]


def _facts(text: str) -> set[str]:
    return names(text) | numbers(text)


def what_changed(brief: Brief, previous: Brief, since: str) -> Change:
    """Today's statements (in reading order) that state no fact of ``previous``."""
    now, before = statements(brief), statements(previous)
    texts = [s.text for s in now] + [s.text for s in before] + [previous.bottom_line]
    vectors = tfidf(texts)
    old = range(len(now), len(texts))
    new = []
    for i, statement in enumerate(now):
        mine, counts = _facts(statement.text), numbers(statement.text)
        known = False
        for j in old:
            similarity = cosine(vectors[i], vectors[j])
            same = similarity >= SAME_FACT or (
                similarity >= RELATED and len(mine & _facts(texts[j])) >= SHARED_FACTS
            )
            # A number the earlier statement did not have is news ("40 monitors").
            if same and counts <= numbers(texts[j]):
                known = True
                break
        if not known:
            new.append(statement)
    return Change(since=since, previous_title=previous.title, statements=new)
