"""Each sentence's section: the model's label corrected by the wording cues (``text/cues.py``),
and an empty Background or Outlook given its best-cued candidate (``sections_of``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import pairwise

from briefer.brief.model_answer import Filed
from briefer.brief.statements import statement
from briefer.text.cues import DocumentCues, earlier, fuse, future
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
