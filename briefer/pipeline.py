"""The library API: Article → Brief → files. The CLI is a thin layer over ``Briefer``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import __version__, compose
from .budget import word_limit
from .config import Settings
from .errors import ConfigError, InputEmptyError, InputTooLongError, UnsupportedStatementsError
from .llm import ChatModel, Progress
from .models import Article, Brief, BriefMeta, Usage, VerificationSummary
from .output import write_atomic
from .prompting import PromptSet
from .render import Renderer, to_json
from .sentences import is_content, looks_like_instruction, split_sentences
from .verify import apply_policy, unsupported, verify_brief

FORMATS: tuple[str, ...] = ("md", "json", "pdf")
PROMPT_FILES = ("system.j2", "article.j2", "file_sentences.j2", "reask.j2")


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

    def brief(
        self, article: Article, *, max_words: int | None = None, progress: Progress | None = None
    ) -> Brief:
        """Condense one article into a verified brief within its word limit.

        Raises ``UnsupportedStatementsError`` under ``on_unsupported = "fail"``.
        """
        limit = max_words or word_limit(article.words)
        usage = Usage()
        everything = split_sentences(article.text)
        sentences = [s for s in everything if is_content(s)]
        withheld = sum(1 for s in everything if looks_like_instruction(s))
        if not sentences:
            raise InputEmptyError(
                f"{article.origin}: no sentences with content found",
                hint="give an article with running text",
            )
        messages = self.prompts.file_messages(article, sentences)
        answer_tokens = max(self.settings.max_output_tokens, compose.max_tokens(sentences))
        self._check_fits(article, messages, answer_tokens)
        filed = self.model.structured(
            messages,
            compose.schema(sentences, bounded=self.model.use_grammar),
            lambda answer: compose.parse(answer, sentences),
            name="FiledSentences",
            max_tokens=answer_tokens,
            usage=usage,
            reask=lambda problem: self.prompts.reask_message(problem, limit),
            progress=progress,
        )
        content, notes, left_out = compose.compose(filed, sentences, limit)
        by_id = {s.id: s.text for s in everything}
        source = article.source().model_copy(
            update={"sentences": {n.sentence: by_id[n.sentence] for n in notes}}
        )
        meta = BriefMeta(
            model=self.model.model,
            endpoint=self.model.base_url,
            prompt_version=self.prompts.version(*PROMPT_FILES),
            usage=usage,
            response_format="grammar" if self.model.use_grammar else self.model.response_format,
            word_limit=limit,
            trimmed_statements=left_out,
            briefer_version=__version__,
        )
        brief = Brief.from_content(
            content,
            [source],
            meta,
            verification=VerificationSummary(withheld_sentences=withheld),
        )
        brief = apply_policy(
            verify_brief(brief, everything, article.text), self.settings.on_unsupported
        )
        if self.settings.on_unsupported == "fail" and (bad := unsupported(brief)):
            raise UnsupportedStatementsError.listing(article.origin, bad)
        return brief

    def _check_fits(self, article: Article, messages: list[dict[str, str]], answer: int) -> None:
        """Refuse before calling when prompt and answer cannot fit the model's context."""
        window = self.settings.context_window
        if not window:
            return
        prompt = self.model.count_tokens(messages)
        if prompt is not None and prompt + answer > window:
            raise InputTooLongError(
                f"{article.origin}: {prompt} prompt tokens plus {answer} for the answer exceed "
                f"the model's {window}-token context",
                hint="shorten the article, raise local_context, or use a larger-context endpoint",
            )

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
