"""Split an article into numbered sentences: the units a brief cites and is checked against.

pysbd (pure Python, rule-based) keeps "Minister S. Jaishankar", "U.S." and "Dr." whole, where a
regex splitter cuts them. Ids are 1-based positions in the article and stable for the same text.
Here too are the fixes to pysbd's cuts: a closing brace ends a sentence, a company's "Co." does
not, and a sentence that introduces a quotation keeps it.

Paragraphs come from ``unwrap.paragraphs`` (a hard-wrapped text's broken lines joined again).
Which sentences are no content (headers, headings, procedure) is ``line_filters``; which are
text addressed to the tool is ``instructions``.
"""

from __future__ import annotations

import re
import threading

from pydantic import BaseModel

from briefer.text.quotes import opens_quote
from briefer.text.unwrap import paragraphs


class Sentence(BaseModel):
    id: int
    text: str
    paragraph: int

    @property
    def words(self) -> int:
        return len(self.text.split())


_LOCAL = threading.local()


_TRAILING_SPACE = re.compile(r"\s*")


def _spans(original: str, sentences: list[str]) -> list[str]:
    """pysbd's ``Segmenter.sentences_with_char_spans`` without its regex per sentence: each
    sentence with the whitespace after it, found in ``original`` after the one before. pysbd
    compiles each sentence, escaped, as a pattern (never the same twice, so never from re's
    cache): most of the splitting's time. Same result: the first of the non-overlapping
    occurrences, scanned from the left, that ends past the sentence before."""
    out: list[str] = []
    prior_end = 0
    for sentence in sentences:
        if not sentence:  # pysbd's pattern would match the whitespace anywhere: never seen
            raise ValueError("empty sentence")
        start = original.find(sentence)
        while start >= 0:
            spaces = _TRAILING_SPACE.match(original, start + len(sentence))
            assert spaces is not None  # "\s*" matches anywhere
            end = spaces.end()
            if end > prior_end:
                out.append(original[start:end])
                prior_end = end
                break
            start = original.find(sentence, end)
    return out


class _Segmenter:
    """pysbd's English segmenter (not cleaning: the text is kept as written), with its spans
    found by ``_spans``."""

    def __init__(self) -> None:
        import pysbd

        self._pysbd = pysbd.Segmenter(language="en", clean=False)

    def segment(self, text: str) -> list[str]:
        if not text:
            return []
        sentences = self._pysbd.processor(text).process()
        try:
            return _spans(text, sentences)
        except ValueError:
            return list(self._pysbd.segment(text))


def _segmenter() -> _Segmenter:
    """pysbd's segmenter keeps the text being split on itself: one per thread (a morning run
    briefs several articles at once; a shared one mixed their sentences up)."""
    segmenter: _Segmenter | None = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        segmenter = _LOCAL.segmenter = _Segmenter()
    return segmenter


# A closing brace or bracket before a capital letter ends a sentence (pysbd joins them), so a
# fake JSON answer planted in an article is withheld alone, not with the sentence after it.
_AFTER_BRACE = re.compile(r"(?<=[}\]])\s+(?=[A-Z])")


# A company's name is no sentence end: "Golden Warrior Shipping Co. Ltd., that has engaged …"
# was cut after "Co." and again after "Ltd.".
_COMPANY_END = re.compile(r"\b(?:Co|Corp|Inc|Ltd|Pte|Pvt|Bros|Cos)\.$")
_COMPANY_NEXT = re.compile(r"^(?:Ltd|Limited|LLC|Inc|PLC|LLP|Co|Corp|GmbH|AG|S\.A)\b|^[a-z,;]")


def _split_paragraph(paragraph: str) -> list[str]:
    segmenter = _segmenter()
    pieces: list[str] = []
    for part in _AFTER_BRACE.split(paragraph):
        pieces.extend(segmenter.segment(part))
    out: list[str] = []
    for piece in (" ".join(p.split()) for p in pieces if p.strip()):
        if out and _COMPANY_END.search(out[-1]) and _COMPANY_NEXT.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


# A sentence that introduces a quotation ("…, Guo Jiakun said in a press briefing,") and the
# quotation after it, on its next line or in its next piece, are one sentence: apart, the first
# is a fragment and the second has lost its speaker.
_INTRODUCES_QUOTE = re.compile(r"[,:]\s*$")
_SPEAKER_LABEL = re.compile(r"^[A-Z][A-Z.'’ -]*:\s*$")


def split_sentences(text: str) -> list[Sentence]:
    """All sentences of ``text`` in order, paragraph by paragraph (see ``paragraphs``)."""
    pieces: list[tuple[str, int]] = []
    for index, paragraph in enumerate(paragraphs(text)):
        for piece in _split_paragraph(paragraph):
            if (
                pieces
                and _INTRODUCES_QUOTE.search(pieces[-1][0])
                and opens_quote(piece)
                and not _SPEAKER_LABEL.match(pieces[-1][0])
            ):
                pieces[-1] = (f"{pieces[-1][0]} {piece.strip()}", pieces[-1][1])
                continue
            pieces.append((piece, index))
    return [
        Sentence(id=n, text=piece, paragraph=index)
        for n, (piece, index) in enumerate(pieces, start=1)
    ]
