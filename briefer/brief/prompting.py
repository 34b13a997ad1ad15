"""Chat messages rendered from ``prompts/*.j2``: the article goes in as delimited data."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from briefer.errors import ConfigError
from briefer.models import Article
from briefer.resources import search_path
from briefer.text.sentences import Sentence

#: Bump when the bundled prompts change meaning; the version also hashes the files actually used,
#: so an edited or overridden prompt never shares a cache entry with the bundled one.
PROMPT_SERIES = "brief-1"

# Article text must not be able to close the delimiter it sits in.
_DELIMITER = re.compile(r"</?\s*article", re.IGNORECASE)


def fence_article(text: str) -> str:
    """Data for inside ``<article>``: one line (a value with a line break could start a fake
    ``[S9]`` or ``Title:`` line) that cannot open or close the delimiter. Sentences, title,
    outlet and date all go through it."""
    one_line = " ".join(str(text).split())
    return _DELIMITER.sub(lambda m: m.group(0).replace("<", "\u2039"), one_line)


@dataclass(frozen=True)
class StoryPart:
    """Which source of a story a part comes from, for its prompt's header."""

    article: Article
    number: int
    total: int


class PromptSet:
    """The prompt templates of one run."""

    def __init__(self, override: Path | None = None) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in search_path("prompts", override)]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # prompts are plain text, not HTML
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["fence"] = fence_article

    def render(self, name: str, **context: object) -> str:
        try:
            return self.env.get_template(name).render(**context).strip()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt {name}: {exc}", hint="fix the prompt file") from exc

    def version(self, *names: str) -> str:
        digest = hashlib.sha256()
        for name in names:
            assert self.env.loader is not None
            source, _, _ = self.env.loader.get_source(self.env, name)
            digest.update(source.encode())
        return f"{PROMPT_SERIES}+{digest.hexdigest()[:8]}"

    def file_messages(self, article: Article, sentences: list[Sentence]) -> list[dict[str, str]]:
        context = {"article": article, "sentences": sentences}
        return [
            {"role": "system", "content": self.render("system.j2", **context)},
            {"role": "user", "content": self.render("file_sentences.j2", **context)},
        ]

    def part_messages(
        self,
        sentences: list[Sentence],
        part: int,
        parts: int,
        source: StoryPart | None = None,
    ) -> list[dict[str, str]]:
        """One part of a long article, or (``source``) one source of a story, or a part of it."""
        context = {"sentences": sentences, "part": part, "parts": parts, "source": source}
        return [
            {"role": "system", "content": self.render("system.j2", **context)},
            {"role": "user", "content": self.render("file_part.j2", **context)},
        ]

    def headline_messages(
        self, article: Article, sentences: list[Sentence], *, sources: int = 1
    ) -> list[dict[str, str]]:
        context = {"article": article, "sentences": sentences, "sources": sources}
        return [
            {"role": "system", "content": self.render("system.j2", **context)},
            {"role": "user", "content": self.render("headline.j2", **context)},
        ]

    def reask_message(self, error: str, max_words: int) -> dict[str, str]:
        return {
            "role": "user",
            "content": self.render("reask.j2", error=error, max_words=max_words),
        }
