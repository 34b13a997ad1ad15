"""Each sentence's section: the model's label corrected by the wording cues (``text/cues.py``),
and an empty Background or Outlook given its best-cued candidate (``sections_of``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

from briefer.brief.model_answer import Filed
from briefer.brief.statements import statement
from briefer.text.cues import DocumentCues, demand, earlier, fuse, future, us_subject
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
    ties: Mapping[int, int] | None = None,
    allowed: Callable[[dict[int, str]], bool] | None = None,
) -> dict[int, str]:
    """The chosen statements' sections (``chosen``: sentence id and text, in text order), where
    a section they leave empty takes the first chosen statement its cue finds, from a section
    that keeps another: a US subject for US Position (the cue ``fuse`` reads), a plan or a
    demand of others for Outlook ("We call on the government to …"), an earlier time for
    Background. ``ties``: a statement that goes on the one before it (its id → that one's);
    they move together ("… the Yemeni parties …" / "The parties must …"). ``allowed``: whether
    the brief may be read so (its references still shown, its speaker still named)."""
    cued: dict[str, Callable[[str], bool]] = {
        "us_position": lambda t: us_subject(t, doc),
        # what is planned, or what the text asks others to do next
        "outlook": lambda t: future(t) or demand(t),
        "background": lambda t: earlier(t, doc),
    }
    ties = ties or {}
    # Runs of tied statements, in text order.
    runs: list[list[int]] = []
    for sid, _ in chosen:
        if runs and ties.get(sid) == runs[-1][-1]:
            runs[-1].append(sid)
        else:
            runs.append([sid])
    texts = dict(chosen)
    labels = dict(labels)
    for section, has_cue in cued.items():
        counts = Counter(labels[sid] for sid, _ in chosen)
        if counts[section]:
            continue
        for run in runs:
            label = labels[run[0]]
            if (
                label != section
                and all(labels[sid] == label for sid in run)
                and counts[label] > len(run)
                and has_cue(texts[run[0]])
            ):
                moved = {**labels, **dict.fromkeys(run, section)}
                if allowed is None or allowed(moved):
                    labels = moved
                    break
    return labels
