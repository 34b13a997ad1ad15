"""Split an article into numbered sentences: the units a brief cites and is checked against.

pysbd (pure Python, rule-based) keeps "Minister S. Jaishankar", "U.S." and "Dr." whole, where a
regex splitter cuts them. Ids are 1-based positions in the article and stable for the same text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel

# Lines that carry no reportable content: timestamps, speaker-only labels, housekeeping,
# pleasantries and the moderation of a briefing.
_PROCEDURAL = re.compile(
    r"""^(
        \d{1,2}:\d{2}(\s*[AaPp]\.?[Mm]\.?)?(\s+[A-Z]{2,4})?\.?   # 1:32 P.M. EST
      | [A-Z]{2,4}                                           # EDT
      | (Q|MR\.?\s+[A-Z]+|MS\.?\s+[A-Z]+|[A-Z .]{2,30}):        # Q:  MR. KIRBY:
      | (END|\#\#\#|\*\*\*|-{3,})
      | (Thank\s+you|Thanks|Sorry|Hey|Hi|Hello|Good\s+(morning|afternoon|evening))
            [^.?!]{0,40}[.!?—-]*
      | (Go\s+ahead|Next\s+question|Okay|OK|All\s+right|Sure|Yeah|Yes|No)[^.?!]{0,25}[.!?—-]*
      | (Our\s+)?(next|last|final|first)\s+question\b.*
      | .{0,60}\b(we'll|we\s+will)\s+(take|go\s+to)\s+(one|a\s+few|the\s+next|your)\b.*
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
# "MR. KIRBY: ", "Q " or "MODERATOR: " in front of a transcript line.
_SPEAKER = re.compile(r"^(?:Q\s+(?=[A-Z])|(?:[A-Z][A-Za-z.'’-]*\s){0,3}?[A-Z][A-Z.'’-]+:\s+)")
_MODERATOR = re.compile(r"^(MODERATOR|OPERATOR)\s*:", re.IGNORECASE)


# Text addressed to an AI rather than to readers: prompt injection. Such sentences are withheld
# from the model and from the brief (counted in the verification summary).
_INSTRUCTION = re.compile(
    r"""(
        \b(ignore|disregard|forget|override)\b[^.]{0,40}\b(instructions?|prompts?|rules|
            messages?|directions)\b
      | \b(system|developer)\s+(prompt|message|instructions?)\b
      | ^\W*(system|assistant|user|developer)\s*:
      | <\|(im_start|im_end|system|user|assistant)\|> | \[/?INST\]
      | \byou\s+are\s+now\b | \bnew\s+instructions?\b
      | \b(as|for)\s+the\s+(title|headline|bottom\s+line)\b
      | \b(write|output|print|respond\s+with|reply\s+with|answer\s+with)\b[^.]{0,30}
            \b(title|json|the\s+word)\b
      | \{\s*"(title|bottom_line|background|us_position|ground_situation|outlook)"\s*:
      | \b(AI|language\s+model|LLM|chatbot|assistant)s?\b[^.]{0,30}\b(must|should|will)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


class Sentence(BaseModel):
    id: int
    text: str
    paragraph: int

    @property
    def words(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=1)
def _segmenter() -> object:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


# A closing brace or bracket before a capital letter ends a sentence (pysbd joins them), so a
# fake JSON answer planted in an article is withheld alone, not with the sentence after it.
_AFTER_BRACE = re.compile(r"(?<=[}\]])\s+(?=[A-Z])")


def _split_paragraph(paragraph: str) -> list[str]:
    segmenter = _segmenter()
    pieces: list[str] = []
    for part in _AFTER_BRACE.split(paragraph):
        pieces.extend(segmenter.segment(part))  # type: ignore[attr-defined]
    return [" ".join(p.split()) for p in pieces if p.strip()]


def split_sentences(text: str) -> list[Sentence]:
    """All sentences of ``text`` in order, paragraph by paragraph (blank or single newlines)."""
    out: list[Sentence] = []
    paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    for index, paragraph in enumerate(paragraphs):
        for piece in _split_paragraph(paragraph):
            out.append(Sentence(id=len(out) + 1, text=piece, paragraph=index))
    return out


def looks_like_instruction(sentence: Sentence) -> bool:
    return bool(_INSTRUCTION.search(sentence.text))


def without_speaker(text: str) -> str:
    """A transcript line without its speaker label ("MR. KIRBY: …", "Q …")."""
    return _SPEAKER.sub("", text.strip(), count=1)


def is_content(sentence: Sentence) -> bool:
    """False for procedural lines, a moderator's lines, questions, fragments too short to report,
    and instructions to an AI: none of them is a fact for a brief."""
    text = sentence.text.strip()
    if _MODERATOR.match(text) or looks_like_instruction(sentence):
        return False
    bare = without_speaker(text)
    if _PROCEDURAL.match(text) or _PROCEDURAL.match(bare) or bare.endswith("?"):
        return False
    return len(bare.split()) >= 4 and any(c.isalpha() for c in bare)
