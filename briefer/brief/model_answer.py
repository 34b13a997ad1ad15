"""The model's answer: the JSON schema it is asked for (a title, a bottom line and a section for
every numbered sentence, each keyed by its id and first words), the token bounds of that answer,
and parsing it into ``Filed``."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from briefer.model.llm import load_json_answer
from briefer.models import SECTIONS, clean_line
from briefer.text.sentences import Sentence

LABELS: tuple[str, ...] = (*(name for name, _ in SECTIONS), "other")
#: The grammar's caps on title and bottom line, in characters (``headline`` mends a line cut there).
TITLE_MAX_CHARS = 110
BOTTOM_LINE_MAX_CHARS = 330

_KEY_WORDS = re.compile(r"[A-Za-z0-9]+")


class Filed(BaseModel):
    """The model's answer: headline, and the section of each sentence id."""

    title: str
    bottom_line: str
    sections: dict[int, str]


def key(sentence: Sentence) -> str:
    """``S3 The attack which resulted``: the id plus first words keeps a small model on track
    (with bare ids it cycled through the labels in order)."""
    words = _KEY_WORDS.findall(sentence.text)[:5]
    return " ".join([f"S{sentence.id}", *words])


def schema(
    sentences: list[Sentence], *, bounded: bool = False, headline: bool = True
) -> dict[str, Any]:
    """The answer's JSON schema: title and bottom line (``headline``), then a section for each
    sentence. ``bounded`` caps title and bottom line length (for grammars: the small model wrote
    170-word bottom lines when asked for 40 words)."""
    label = {"type": "string", "enum": list(LABELS)}
    title: dict[str, Any] = {"type": "string"}
    bottom: dict[str, Any] = {"type": "string"}
    if bounded:
        title["maxLength"] = TITLE_MAX_CHARS
        bottom["maxLength"] = BOTTOM_LINE_MAX_CHARS
    props: dict[str, Any] = {"title": title, "bottom_line": bottom} if headline else {}
    props.update({key(s): label for s in sentences})
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


HEADLINE_TOKENS = 200  # bound on title + bottom line (the grammar caps them at 440 characters)
ENTRY_TOKENS = 20  # bound on one sentence's entry: key of id and first words, and its label
EXPECTED_ENTRY_TOKENS = 13  # measured: ~13 tokens an entry, ~90 for the headline
EXPECTED_HEADLINE_TOKENS = 90


def max_tokens(sentences: list[Sentence], *, headline: bool = True) -> int:
    return HEADLINE_TOKENS * headline + 30 + ENTRY_TOKENS * len(sentences)


def expected_tokens(sentences: list[Sentence], *, headline: bool = True) -> int:
    return EXPECTED_HEADLINE_TOKENS * headline + 10 + EXPECTED_ENTRY_TOKENS * len(sentences)


def parse(content: str | None, sentences: list[Sentence], *, headline: bool = True) -> Filed:
    data = load_json_answer(content)
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    missing = [k for k in ("title", "bottom_line") if not clean_line(data.get(k, ""))]
    if missing and headline:
        raise ValueError(f"{' and '.join(missing)} missing or empty")
    by_id: dict[int, str] = {}
    for name, value in data.items():
        match = re.match(r"S(\d+)\b", str(name))
        if match and value in LABELS:
            by_id[int(match.group(1))] = value
    known = {s.id for s in sentences}
    sections = {i: label for i, label in by_id.items() if i in known}
    if not sections:
        raise ValueError("no sentence was filed; give a section for every sentence id")
    return Filed(
        title=clean_line(data.get("title", "")),
        bottom_line=clean_line(data.get("bottom_line", "")),
        sections=sections,
    )


def parse_headline(content: str | None) -> tuple[str, str]:
    data = load_json_answer(content)
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    title, bottom = clean_line(data.get("title", "")), clean_line(data.get("bottom_line", ""))
    if not title or not bottom:
        raise ValueError("title or bottom_line missing or empty")
    return title, bottom
