"""The library API: Article → Brief → files. The CLI is a thin layer over ``Briefer``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TypeVar

from briefer import __version__
from briefer.brief import model_answer
from briefer.brief.budget import word_limit
from briefer.brief.planning import Call, Counter, Plan, make_story_plan
from briefer.check.reverify import other_sentences
from briefer.check.verify import (
    SourceText,
    apply_policy,
    unsupported,
    verify_against,
)
from briefer.config import Settings
from briefer.errors import BudgetError, ConfigError, UnsupportedStatementsError
from briefer.model.batch import AnswerPending
from briefer.model.llm import ChatModel, Progress
from briefer.model.local_server import raise_if_interrupted, uses_local_model
from briefer.model.model_store import MODEL_NAME
from briefer.model.tokens import cost, count_messages, count_text, model_info
from briefer.models import SECTIONS, Article, Brief, BriefMeta, Usage, VerificationSummary
from briefer.render.output import FORMATS, write_atomic
from briefer.stages import (
    InThread,
    Stages,
    Tools,
    content,
    finish,
    headline_prompt,
    plan_article,
    prepare,
    render,
)
from briefer.stories import merge
from briefer.stories.merge import Story
from briefer.text.sentences import Sentence

PROMPT_FILES = (
    "system.j2",
    "article.j2",
    "file_sentences.j2",
    "file_part.j2",
    "headline.j2",
    "reask.j2",
)


class Briefer:
    """One configured briefer: prompts, templates and a model endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tools = Tools.from_settings(settings)
        self.prompts = self.tools.prompts
        self.renderer = self.tools.renderer
        #: Where the pure stages of ``brief`` and ``write`` run unless told: in the caller.
        self.stages: Stages = InThread(self.tools)
        self._model: ChatModel | None = None
        #: Tokens used by this Briefer so far, against --max-tokens / --max-cost.
        self.spent = Usage()
        # Items of a morning run are briefed concurrently by one Briefer.
        self._spent_lock = threading.Lock()
        #: Prompt and completion tokens the briefs' plans estimated (``briefer.model.speed``).
        self.planned: tuple[int, ...] = (0, 0)

    def load(self, spec: str) -> Article:
        """One input (a file, ``-`` for stdin, an http(s) URL), URLs fetched under the
        settings' fetch policy (public addresses only, size and time caps)."""
        from briefer.inputs.fetch import FetchPolicy
        from briefer.inputs.sources import load

        return load(spec, policy=FetchPolicy.from_settings(self.settings))

    @property
    def model(self) -> ChatModel:
        # Created on first use: rendering a saved brief needs no endpoint.
        if self._model is None:
            self._model = ChatModel(self.settings)
        return self._model

    @property
    def model_name(self) -> str:
        """The model's name, without starting anything when the embedded model is meant."""
        if uses_local_model(self.settings):
            return self.settings.model or MODEL_NAME
        return self.model.model

    def window(self) -> int:
        if self.settings.context_window:
            return self.settings.context_window
        if uses_local_model(self.settings):
            return self.settings.local_context
        return model_info(self.model_name, self.settings.models).context

    def _encoding(self) -> str:
        return model_info(self.model_name, self.settings.models).encoding

    def plan(
        self, article: Article, *, max_words: int | None = None, exact: bool = False
    ) -> tuple[Plan, list[Sentence], int]:
        """The calls a brief of ``article`` takes, counted before any call. ``exact`` counts
        with the running embedded server's tokenizer; otherwise tiktoken estimates."""
        encoding_name = self._encoding()
        count = self._exact_counter(encoding_name) if exact else None
        return plan_article(self.tools, article, max_words, self.window(), encoding_name, count)

    def _exact_counter(self, encoding_name: str) -> Counter:
        """Counts with the running embedded server's tokenizer, tiktoken's estimate where it
        has none."""

        def count(messages: list[dict[str, str]]) -> int:
            exact_count = self.model.count_tokens(messages)
            return (
                exact_count if exact_count is not None else count_messages(messages, encoding_name)
            )

        return count

    def estimate_cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        return cost(
            model_info(self.model_name, self.settings.models), prompt_tokens, completion_tokens
        )

    def _check_budget(self, prompt_tokens: int, completion_tokens: int, what: str) -> None:
        """Stop before a call (or a whole brief) would take the run past its budgets."""
        spent = self.spent
        tokens = spent.tokens + prompt_tokens + completion_tokens
        if self.settings.max_tokens is not None and tokens > self.settings.max_tokens:
            raise BudgetError(
                f"{what} would bring the run to ~{tokens:,} tokens, over --max-tokens "
                f"{self.settings.max_tokens:,} ({spent.tokens:,} used so far)",
                hint="raise --max-tokens, or see the estimate with --dry-run",
            )
        if self.settings.max_cost is not None:
            projected = self.estimate_cost(
                spent.prompt_tokens + prompt_tokens, spent.completion_tokens + completion_tokens
            )
            if projected is None:
                raise BudgetError(
                    f"no price is known for model {self.model_name}, so --max-cost cannot be kept",
                    hint="add its prices under [models] in the config file",
                )
            if projected > self.settings.max_cost:
                raise BudgetError(
                    f"{what} would bring the run to ~${projected:.4f}, over --max-cost "
                    f"${self.settings.max_cost:.4f}",
                    hint="raise --max-cost, or see the estimate with --dry-run",
                )

    def brief(
        self,
        article: Article,
        *,
        max_words: int | None = None,
        progress: Progress | None = None,
        stages: Stages | None = None,
    ) -> Brief:
        """Condense one article into a verified brief within its word limit. The work before
        and after the model calls runs in ``stages`` (a process pool), else in this thread.

        Raises ``BudgetError`` before a call would exceed the run's budgets, and
        ``UnsupportedStatementsError`` under ``on_unsupported = "fail"``.
        """
        stages = stages or self.stages
        encoding_name = self._encoding()
        if self.model.use_grammar:
            # Exact counts ask the embedded server: from this process, with its client.
            prepared = prepare(
                self.tools,
                article,
                max_words,
                self.window(),
                encoding_name,
                self._exact_counter(encoding_name),
            )
        else:
            prepared = stages.run(prepare, article, max_words, self.window(), encoding_name)
        plan = prepared.plan
        self._check_budget(*plan.estimate(), f"briefing {article.origin}")
        estimated = plan.estimate()
        if self.model.use_grammar:  # counted exactly; the dry run's figures are tiktoken's
            estimated = (
                sum(
                    count_messages(c.messages, encoding_name) if c.messages else c.prompt_tokens
                    for c in plan.calls
                ),
                estimated[1],
            )
        with self._spent_lock:
            # What the dry run would estimate: the embedded model's speed is kept per these.
            self.planned = tuple(a + b for a, b in zip(self.planned, estimated, strict=True))
        usage = Usage()
        limit = plan.limit
        sentences = plan.sentences
        questions = prepared.questions
        if not plan.chunked:
            call = plan.calls[0]
            self._check_budget(call.prompt_tokens, call.expected_tokens, "the next call")
            filed = self.model.structured(
                call.messages,
                model_answer.schema(sentences, bounded=self.model.use_grammar),
                lambda answer: model_answer.parse(answer, sentences),
                name="FiledSentences",
                max_tokens=max(self.settings.max_output_tokens, call.max_tokens),
                usage=usage,
                reask=lambda problem: self.prompts.reask_message(problem, limit),
                progress=progress,
            )
        else:
            filed = self._map_reduce(
                article, plan, usage, progress, questions=questions, stages=stages
            )
        with self._spent_lock:
            self.spent.merge(usage)
        # The statements trimmed to the word limit are counted by ``finish``.
        meta = self._meta(usage, limit, 0, sum(1 for c in plan.calls if c.kind != "headline"))
        return stages.run(finish, article, prepared, filed, meta)

    def plan_story(
        self, articles: Sequence[Article], *, max_words: int | None = None, exact: bool = False
    ) -> tuple[Plan, Story, int]:
        """The calls a brief of several articles on one story takes, counted before any call;
        the story (sources in time order, sentences numbered per source); withheld sentences."""
        if len(articles) < 2:
            raise ConfigError("a story brief needs at least two sources", hint="give more inputs")
        parts = []
        withheld = 0
        for article in merge.in_time_order(articles):
            everything, sentences, held = content(article)
            parts.append((article, everything, sentences))
            withheld += held
        story = merge.build(parts)
        encoding_name = self._encoding()

        def count(messages: list[dict[str, str]]) -> int:
            exact_count = self.model.count_tokens(messages) if exact else None
            return (
                exact_count if exact_count is not None else count_messages(messages, encoding_name)
            )

        limit = max_words or word_limit(sum(a.words for a in articles))
        per_source = [
            (source.article, [s for s in story.sentences if story.refs[s.id].source == n])
            for n, source in enumerate(story.sources, start=1)
        ]
        plan = make_story_plan(
            per_source,
            limit,
            self.prompts,
            count,
            self.window(),
            lambda line: count_text(line, encoding_name),
        )
        return plan, story, withheld

    def brief_story(
        self,
        articles: Sequence[Article],
        *,
        name: str | None = None,
        max_words: int | None = None,
        progress: Progress | None = None,
    ) -> Brief:
        """One verified brief of several articles on one story: each fact once, citing every
        source that states it (``[source:sentence]``), each source heard, disagreements shown."""
        plan, story, withheld = self.plan_story(articles, max_words=max_words, exact=True)
        what = f"briefing the story {name}" if name else "briefing the story"
        self._check_budget(*plan.estimate(), what)
        usage = Usage()
        headline_article = Article(id=name or "story", text="", title=None)
        filed = self._map_reduce(
            headline_article, plan, usage, progress, sources=len(story.sources)
        )
        content, _, left_out, relations = merge.compose_story(filed, story, plan.limit)
        with self._spent_lock:
            self.spent.merge(usage)
        cited: dict[int, set[int]] = {}
        for statement in (st for key, _ in SECTIONS for st in content.section(key)):
            cited.setdefault(statement.source, set()).update(statement.cites)
            for ref in statement.also:
                cited.setdefault(ref.source, set()).add(ref.sentence)
        for basis in (content.title_basis, content.bottom_line_basis):
            for ref in basis.cites if basis is not None else []:
                cited.setdefault(ref.source, set()).add(ref.sentence)
        found = merge.disagreements(story, relations)
        for disagreement in found:
            for ref in disagreement.refs:
                cited.setdefault(ref.source, set()).add(ref.sentence)
        sources = []
        for source in story.sources:
            by_id = {s.id: s.text for s in source.everything}
            mine = {i: by_id[i] for i in sorted(cited.get(source.number, ()))}
            sources.append(
                source.article.source().model_copy(
                    update={
                        "sentences": mine,
                        # the rest too, so a saved story brief re-verifies as it was verified
                        "other_sentences": other_sentences(source.everything, mine),
                    }
                )
            )
        meta = self._meta(usage, plan.limit, left_out, len(plan.calls) - 1)
        brief = Brief.from_content(
            content,
            sources,
            meta,
            disagreements=found,
            verification=VerificationSummary(withheld_sentences=withheld),
        )
        checked = verify_against(
            brief, [SourceText(s.everything, s.article.text) for s in story.sources]
        )
        brief = apply_policy(checked, self.settings.on_unsupported)
        if self.settings.on_unsupported == "fail" and (bad := unsupported(brief)):
            raise UnsupportedStatementsError.listing(name or "the story", bad)
        return brief

    def _meta(self, usage: Usage, limit: int, left_out: int, chunks: int) -> BriefMeta:
        return BriefMeta(
            model=self.model.model,
            endpoint=self.model.display_url,
            prompt_version=self.prompts.version(*PROMPT_FILES),
            usage=usage,
            response_format="grammar" if self.model.use_grammar else self.model.response_format,
            word_limit=limit,
            trimmed_statements=left_out,
            chunks=chunks,
            cost_usd=self.estimate_cost(usage.prompt_tokens, usage.completion_tokens),
            briefer_version=__version__,
        )

    def _map_reduce(
        self,
        article: Article,
        plan: Plan,
        usage: Usage,
        progress: Progress | None,
        *,
        sources: int = 1,
        questions: frozenset[int] = frozenset(),
        stages: Stages | None = None,
    ) -> model_answer.Filed:
        """File each part's sentences (concurrently where allowed), then write the headline
        from the sentences chosen for the brief (a transcript's ``questions`` are not among
        them: a reporter's premise is not the news)."""
        parts = [c for c in plan.calls if c.kind == "part"]
        limit = plan.limit
        # The model's fleet bounds the requests in flight, whatever else of the run is asking.
        workers = self.model.slots
        # Tokens of finished parts plus the estimates of parts in flight: each part's budget
        # check sees every part before it, not only its own call.
        lock = threading.Lock()
        committed = [0, 0]

        def file_part(index: int, call: Call) -> tuple[model_answer.Filed, Usage]:
            own = Usage()
            if progress and workers == 1:
                progress(f"reading part {index} of {len(parts)}…")
            with lock:
                self._check_budget(
                    committed[0] + call.prompt_tokens,
                    committed[1] + call.expected_tokens,
                    f"part {index} of {len(parts)}",
                )
                committed[0] += call.prompt_tokens
                committed[1] += call.expected_tokens
            try:
                filed = self.model.structured(
                    call.messages,
                    model_answer.schema(call.sentences, headline=False),
                    lambda answer: model_answer.parse(answer, call.sentences, headline=False),
                    name="FiledPart",
                    max_tokens=call.max_tokens,
                    usage=own,
                    reask=lambda problem: self.prompts.reask_message(problem, limit),
                )
            finally:
                with lock:  # the estimate gives way to what the call really used
                    committed[0] += own.prompt_tokens - call.prompt_tokens
                    committed[1] += own.completion_tokens - call.expected_tokens
            return filed, own

        results = _run_all(workers, file_part, parts)
        sections: dict[int, str] = {}
        for filed, own in results:
            usage.merge(own)
            for sid, label in filed.sections.items():
                # A sentence split across parts keeps its first filing that is not "other".
                if sections.get(sid, "other") == "other":
                    sections[sid] = label
        messages = (stages or self.stages).run(
            headline_prompt, article, plan.sentences, sections, limit, questions, sources
        )
        if progress:
            progress("writing the headline…")
        self._check_budget(
            usage.prompt_tokens + plan.calls[-1].prompt_tokens,
            usage.completion_tokens + model_answer.EXPECTED_HEADLINE_TOKENS,
            "the headline call",
        )
        title, bottom_line = self.model.structured(
            messages,
            # The schema of a filing with no sentences is exactly title + bottom line.
            model_answer.schema([], bounded=self.model.use_grammar),
            model_answer.parse_headline,
            name="Headline",
            max_tokens=model_answer.HEADLINE_TOKENS,
            usage=usage,
            reask=lambda problem: self.prompts.reask_message(problem, limit),
        )
        return model_answer.Filed(title=title, bottom_line=bottom_line, sections=sections)

    def render(
        self, brief: Brief, formats: Iterable[str] = FORMATS, *, stages: Stages | None = None
    ) -> dict[str, bytes]:
        """Every requested format, complete in memory (so a failure writes nothing)."""
        return (stages or self.stages).run(render, brief, tuple(formats))

    def write(
        self,
        brief: Brief,
        out_dir: str | Path,
        stem: str,
        formats: Iterable[str] = FORMATS,
        *,
        stages: Stages | None = None,
    ) -> list[Path]:
        rendered = self.render(brief, formats, stages=stages)
        # Nothing is written after Ctrl-C or SIGTERM, even one swallowed while rendering.
        raise_if_interrupted()
        directory = Path(out_dir)
        return write_atomic({directory / f"{stem}.{ext}": data for ext, data in rendered.items()})


T = TypeVar("T")


class _NotStarted(Exception):
    """A call left unsent because another call of the run failed first."""


def _run_all(workers: int, work: Callable[[int, Call], T], calls: list[Call]) -> list[T]:
    """``work(i, call)`` for every call, ``workers`` at a time, results in order. The first
    failure (or Ctrl-C) cancels every call not yet started, so nothing more is requested or
    paid for, and returns at once (a call in flight ends when its endpoint is closed). Answers
    pending for a batch are not failures: all calls run, then one ``AnswerPending`` with every
    key is raised."""
    pool = ThreadPoolExecutor(max_workers=workers)
    # A worker that fails takes the next queued call at once, before this thread wakes to
    # cancel it: every call looks at ``failed`` before it sends anything.
    failed = threading.Event()

    def guarded(i: int, call: Call) -> T:
        if failed.is_set():
            raise _NotStarted
        try:
            return work(i, call)
        except AnswerPending:
            raise
        except BaseException:
            failed.set()
            raise

    futures = [pool.submit(guarded, i, call) for i, call in enumerate(calls, start=1)]
    try:
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        if any(isinstance(f.exception(), _NotStarted) for f in done):
            # Left unsent for a failure whose own call is still ending: wait for it.
            done, _ = wait(futures)
        if any(isinstance(f.exception(), AnswerPending) for f in done):
            # Collecting for a batch (nothing is sent): every part's request goes in this
            # round, as the parts do not depend on each other.
            done, _ = wait(futures)
        errors = [
            e
            for f in futures
            if f in done and (e := f.exception()) is not None and not isinstance(e, _NotStarted)
        ]
        for error in errors:
            if not isinstance(error, AnswerPending):
                raise error
        if errors:
            raise AnswerPending(
                key for e in errors if isinstance(e, AnswerPending) for key in e.keys
            )
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [f.result() for f in futures]
