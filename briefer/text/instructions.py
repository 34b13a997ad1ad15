"""Prompt injection: text addressed to the tool rather than to readers, and the verdict on it.

A list of phrasings always misses the next one, so a sentence is scored on independent features
(``instruction_features.FEATURES``, each named):

- structural markers are injections whatever they say: chat role tags ("system:"), template
  tokens ("<|im_start|>", "[INST]"), instruction headers ("### Instruction"), planted JSON
  with the brief's keys ({"title": …});
- target (whom or what the text speaks of): strong (2) when it can only mean this tool or its
  output ("your summary", "the title of the brief", "every section", "as an AI", "previous
  instructions", "when summarising this article"); weak (1) for words that news uses too
  (title, headline, summary, brief, response, AI, chatbot, prompt), counted only inside the
  clause of an order, so "Forget the polls: the answer lies in turnout" pairs nothing;
- order: clear (2) for an imperative at a clause start ("Write …", "When summarising this
  article, describe …", "Note: ignore …"), a second-person order ("you must", "you are now"),
  an output noun with a modal and a content verb ("the summary should say"); weak (1) for an
  output or AI subject with a bare modal ("the response must be swift");
- a reporting frame ("…, the minister said", "according to") outside quotation marks turns an
  order into a report of one: one step weaker.

Verdict: withheld when structural, or when target and order together reach 3 (both present);
suspect when not withheld but the target is strong ("researchers found chatbots ignore
previous instructions"). Suspect sentences go to the model, but the selection
(``brief/selection.py``) ranks them after every clean sentence, and one that speaks of the
brief's own output (``about_output``) never becomes a statement. A weak word with a weak order
("the response must be proportionate") is news.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from briefer.text.instruction_features import FEATURES
from briefer.text.quotes import quoted_spans
from briefer.text.sentences import Sentence
from briefer.text.words import REPORTED

_REPORTING = re.compile(
    r"\b(?:" + "|".join(w.replace("_", r"\s+") for w in REPORTED) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Signals:
    """What the features found in one sentence, and the verdict."""

    structural: tuple[str, ...]
    target: int
    order: int
    reported: bool
    about_output: bool
    features: tuple[str, ...]

    @property
    def withhold(self) -> bool:
        """Clearly text addressed to the tool: never shown to the model or in the brief."""
        return bool(self.structural) or (
            self.target > 0 and self.order > 0 and self.target + self.order >= 3
        )

    @property
    def suspect(self) -> bool:
        """A weaker signal: sent to the model, but ranked after every clean sentence."""
        return not self.withhold and self.target >= 2


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` blanked out, positions kept."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _reported(text: str, reporting: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether a reporting verb (``reporting``: those outside quotation marks) outside the order
    itself (up to its first comma: "Pass this bill now, Biden told Congress") frames the order
    as a report. A verb inside the order ("Ignore what the minister said and write …") frames
    nothing."""
    start, end = span
    comma = text.find(",", start, end)
    own = (start, comma if comma >= 0 else end)
    return any(not _inside(verb, [own]) for verb in reporting)


@lru_cache(maxsize=4096)
def injection_signals(text: str) -> Signals:
    """Score ``text`` (one sentence) on ``FEATURES``; see the comment above them."""
    found = {f.name: f.find(text) for f in FEATURES}
    structural = tuple(f.name for f in FEATURES if f.kind == "structural" and found[f.name])
    quoted = quoted_spans(text, single=True)
    reporting = [m.span() for m in _REPORTING.finditer(_blank(text, quoted))]
    order, reported = 0, False
    order_spans: list[tuple[int, int]] = []
    for feature in (f for f in FEATURES if f.kind == "order"):
        for span in found[feature.name]:
            order_spans.append(span)
            framed = _reported(text, reporting, span)
            reported = reported or framed
            order = max(order, feature.weight - framed)  # a reported order is one step weaker
    target = 0
    for feature in (f for f in FEATURES if f.kind == "target"):
        spans = found[feature.name]
        if feature.weight >= 2 and spans:
            target = max(target, feature.weight)
        elif any(_inside(span, order_spans) for span in spans):
            # A weak word counts only inside an order's clause ("write X as the title").
            target = max(target, feature.weight)
    # A reported quote that says "your answer" is someone speaking to someone, not to the tool.
    reported = reported or bool(reporting)
    own = [span for span in found["own_output"] if not (reported and _inside(span, quoted))]
    return Signals(
        structural=structural,
        target=target,
        order=order,
        reported=reported,
        about_output=bool(own),
        features=tuple(name for name, spans in found.items() if spans),
    )


def looks_like_instruction(sentence: Sentence) -> bool:
    """Text addressed to an AI rather than to readers (prompt injection): withheld from the
    model and from the brief (counted in the verification summary)."""
    return injection_signals(sentence.text).withhold


def is_suspect(sentence: Sentence) -> bool:
    """A weak injection signal: the model sees it, but it is chosen last (``selection.select``)."""
    return injection_signals(sentence.text).suspect


def about_output(sentence: Sentence) -> bool:
    """The sentence speaks of the brief's own output (its title, sections, bottom line,
    summary): whatever the model files it as, it never becomes a statement."""
    return injection_signals(sentence.text).about_output
