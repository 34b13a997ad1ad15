"""Each sentence's section: the model's label corrected by the wording cues (``text/cues.py``),
and an empty Background or Outlook given its best-cued candidate (``sections_of``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise

from briefer.brief.model_answer import Filed
from briefer.brief.statements import statement
from briefer.text.cues import DocumentCues, earlier, fuse, future, us_actor
from briefer.text.instructions import about_output
from briefer.text.sentences import Sentence


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


def fill_after_selection(
    chosen: Sequence[tuple[int, str]],
    labels: dict[int, str],
    doc: DocumentCues,
    pinned: set[int] | frozenset[int] = frozenset(),
) -> dict[int, str]:
    """The chosen statements' sections (``chosen``: sentence id and text, in text order), where
    a section they leave empty takes the first chosen statement its cue finds, from a section
    that keeps another: a US actor for US Position ("… has been a priority for the United
    States"), a plan for Outlook, an earlier time for Background. ``pinned``: statements that
    stand where they are (one that follows the sentence before it, and that sentence)."""
    cued: dict[str, Callable[[str], bool]] = {
        "us_position": lambda t: us_actor(t, doc),
        "outlook": future,
        "background": lambda t: earlier(t, doc),
    }
    labels = dict(labels)
    for section, has_cue in cued.items():
        counts = Counter(labels[sid] for sid, _ in chosen)
        if counts[section]:
            continue
        for sid, text in chosen:
            label = labels[sid]
            if label != section and counts[label] >= 2 and sid not in pinned and has_cue(text):
                labels[sid] = section
                break
    return labels
