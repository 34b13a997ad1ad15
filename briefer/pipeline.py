"""The library API: Article → Brief → files. The CLI is a thin layer over ``Briefer``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .budget import fit_to_budget, word_limit
from .config import Settings
from .errors import ConfigError
from .llm import ChatModel
from .models import Article, Brief, BriefContent, BriefMeta, Usage
from .output import write_atomic
from .prompting import PromptSet
from .render import Renderer, to_json

FORMATS: tuple[str, ...] = ("md", "json", "pdf")


def parse_formats(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"md,pdf"`` → ``("md", "pdf")`` in canonical order; unknown names are a ConfigError."""
    names = [s.strip().lower() for s in (spec.split(",") if isinstance(spec, str) else spec)]
    names = [n for n in names if n]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown or not names:
        raise ConfigError(
            f"unknown output format {', '.join(unknown) or '(none)'}",
            hint=f"choose from {','.join(FORMATS)}",
        )
    return tuple(f for f in FORMATS if f in names)


class Briefer:
    """One configured briefer: prompts, templates and a model endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.prompts = PromptSet(settings.prompts_dir)
        self.renderer = Renderer(settings.templates_dir)
        self._model: ChatModel | None = None

    @property
    def model(self) -> ChatModel:
        # Created on first use: rendering a saved brief needs no endpoint.
        if self._model is None:
            self._model = ChatModel(self.settings)
        return self._model

    def brief(self, article: Article, *, max_words: int | None = None) -> Brief:
        """Condense one article into a validated brief within its word limit."""
        limit = max_words or word_limit(article.words)
        usage = Usage()
        content = self.model.structured(
            self.prompts.brief_messages(article, limit),
            BriefContent,
            max_tokens=self.settings.max_output_tokens,
            usage=usage,
            reask=lambda problem: self.prompts.reask_message(problem, limit),
        )
        content, dropped = fit_to_budget(content, limit)
        meta = BriefMeta(
            model=self.model.model,
            endpoint=self.model.base_url,
            prompt_version=self.prompts.version("brief_system.j2", "brief_user.j2", "reask.j2"),
            usage=usage,
            response_format=self.model.response_format,
            word_limit=limit,
            trimmed_statements=dropped,
            briefer_version=__version__,
        )
        return Brief.from_content(content, [article.source()], meta)

    def render(self, brief: Brief, formats: Iterable[str] = FORMATS) -> dict[str, bytes]:
        """Every requested format, complete in memory (so a failure writes nothing)."""
        wanted = parse_formats(formats)
        out: dict[str, bytes] = {}
        if "md" in wanted:
            out["md"] = self.renderer.markdown(brief).encode()
        if "json" in wanted:
            out["json"] = to_json(brief).encode()
        if "pdf" in wanted:
            from .pdf import render_pdf  # WeasyPrint is slow to import; only PDFs need it

            out["pdf"] = render_pdf(brief, self.renderer, handling=self.settings.handling).data
        return out

    def write(
        self, brief: Brief, out_dir: str | Path, stem: str, formats: Iterable[str] = FORMATS
    ) -> list[Path]:
        rendered = self.render(brief, formats)
        directory = Path(out_dir)
        return write_atomic({directory / f"{stem}.{ext}": data for ext, data in rendered.items()})
