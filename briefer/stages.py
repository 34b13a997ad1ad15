"""The pure stages of a brief, and where they run: in the calling thread, or in a process pool.

A brief is CPU work (split the article, plan its calls; compose, verify and render the answer)
around model calls that only wait. Threads wait well, but Python runs one thread's code at a
time, so many inputs at once are CPU-bound in one interpreter long before the model's servers
are busy. With ``processes`` > 1 (``briefer brief --processes N``), ``Briefer.brief`` and
``Briefer.write`` hand these stages to a ``ProcessPoolExecutor`` (a bounded executor: N worker
processes, each with its own prompts and templates built from the settings), while the model
calls, the fleet's limiter, the budgets and the usage accounting stay in the main process.
``processes = 1`` runs the very same functions in the calling thread.

Every stage function takes the ``Tools`` first and only picklable arguments after it.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from briefer.brief import compose, headline, selection
from briefer.brief.budget import word_limit
from briefer.brief.model_answer import Filed
from briefer.brief.planning import Counter, Plan, make_plan
from briefer.brief.prompting import PromptSet
from briefer.check.reverify import other_sentences
from briefer.check.scoring import normalise
from briefer.check.verify import apply_policy, unsupported, verify_brief, with_title
from briefer.config import Settings
from briefer.errors import InputEmptyError, InternalError, UnsupportedStatementsError
from briefer.model.tokens import count_messages, count_text
from briefer.models import Article, Brief, BriefMeta, VerificationSummary
from briefer.render.output import render_files
from briefer.render.render import Renderer
from briefer.text.cues import document_cues
from briefer.text.instructions import looks_like_instruction
from briefer.text.line_filters import back_matter, is_content
from briefer.text.sentences import Sentence, split_sentences
from briefer.text.turns import asked, speakers

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Tools:
    """What the stages need besides their arguments: built from the settings, once a process."""

    settings: Settings
    prompts: PromptSet
    renderer: Renderer

    @classmethod
    def from_settings(cls, settings: Settings) -> Tools:
        return cls(settings, PromptSet(settings.prompts_dir), Renderer(settings.templates_dir))


@dataclass
class Prepared:
    """An article made ready for its model calls: the plan, every sentence, how many read as
    instructions (withheld), and the ids of the questions asked in it (a transcript's)."""

    plan: Plan
    everything: list[Sentence]
    withheld: int
    questions: frozenset[int]


# --- the stages -----------------------------------------------------------------------------


def content(article: Article) -> tuple[list[Sentence], list[Sentence], int]:
    """Every sentence of the article, those with content, and how many read as instructions."""
    everything = split_sentences(article.text)
    # The title line, and the title repeated in the text, is the headline, not a statement.
    title = normalise(article.title or "").rstrip(".")
    # A report's back matter (its disclaimer, its authors) is about the document, not the news.
    after = back_matter(everything)
    sentences = [
        s
        for s in everything
        if is_content(s) and normalise(s.text).rstrip(".") != title and s.id not in after
    ]
    withheld = sum(1 for s in everything if looks_like_instruction(s))
    if not sentences:
        raise InputEmptyError(
            f"{article.origin}: no sentences with content found",
            hint="give an article with running text",
        )
    return everything, sentences, withheld


def plan_article(
    tools: Tools,
    article: Article,
    max_words: int | None,
    window: int,
    encoding_name: str,
    count: Counter | None = None,
) -> tuple[Plan, list[Sentence], int]:
    """The calls a brief of ``article`` takes, counted before any call: with ``count`` where
    given (the embedded server's exact tokens), else tiktoken's estimate."""
    everything, sentences, withheld = content(article)
    plan = make_plan(
        article,
        sentences,
        max_words or word_limit(article.words),
        tools.prompts,
        count or (lambda messages: count_messages(messages, encoding_name)),
        window,
        lambda line: count_text(line, encoding_name),
    )
    return plan, everything, withheld


def prepare(
    tools: Tools,
    article: Article,
    max_words: int | None,
    window: int,
    encoding_name: str,
    count: Counter | None = None,
) -> Prepared:
    """Before the model calls: the plan, and what ``finish`` needs of the article."""
    plan, everything, withheld = plan_article(
        tools, article, max_words, window, encoding_name, count
    )
    return Prepared(plan, everything, withheld, frozenset(asked(everything)))


def headline_prompt(
    tools: Tools,
    article: Article,
    sentences: list[Sentence],
    sections: dict[int, str],
    limit: int,
    questions: frozenset[int],
    sources: int,
) -> list[dict[str, str]]:
    """Between the parts' calls and the headline's (an article read in parts): the headline
    prompt, from the sentences chosen for the brief (a transcript's ``questions`` are not among
    them: a reporter's premise is not the news)."""
    merged = Filed(title="", bottom_line="", sections=sections)
    budget = limit - headline.HEADLINE_WORDS
    chosen = [p.sentence for p in selection.select(merged, sentences, budget, asked=questions)]
    return tools.prompts.headline_messages(article, chosen or sentences[:20], sources=sources)


def finish(
    tools: Tools, article: Article, prepared: Prepared, filed: Filed, meta: BriefMeta
) -> Brief:
    """After the model calls: the brief composed from the model's filing, verified against the
    article, under the settings' ``on_unsupported`` policy. ``meta`` gets the statements
    trimmed to the word limit."""
    everything, plan = prepared.everything, prepared.plan
    doc = document_cues(article.title or "", article.text, article.date)
    whole = with_title(article.title, article.text)
    composed, notes, left_out = compose.compose(
        filed,
        plan.sentences,
        plan.limit,
        doc,
        speakers(everything, doc),
        context=article.title or "",
        asked=prepared.questions,
        source=whole,
    )
    by_id = {s.id: s.text for s in everything}
    source = article.source().model_copy(
        update={
            "sentences": (
                cited := {
                    i: by_id[i]
                    for i in sorted(
                        {n.sentence for n in notes}
                        | {n.antecedent for n in notes if n.antecedent is not None}
                        | {n.also for n in notes if n.also is not None}
                        | {
                            ref.sentence
                            for basis in (composed.title_basis, composed.bottom_line_basis)
                            if basis is not None
                            for ref in basis.cites
                        }
                    )
                }
            ),
            "other_sentences": other_sentences(everything, cited),
        }
    )
    brief = Brief.from_content(
        composed,
        [source],
        meta.model_copy(update={"trimmed_statements": left_out}),
        verification=VerificationSummary(withheld_sentences=prepared.withheld),
    )
    on_unsupported = tools.settings.on_unsupported
    brief = apply_policy(verify_brief(brief, everything, whole), on_unsupported)
    if on_unsupported == "fail" and (bad := unsupported(brief)):
        raise UnsupportedStatementsError.listing(article.origin, bad)
    return brief


def render(tools: Tools, brief: Brief, formats: Iterable[str]) -> dict[str, bytes]:
    """Every requested format, complete in memory (so a failure writes nothing)."""
    settings = tools.settings
    return render_files(
        brief,
        tools.renderer,
        tuple(formats),
        handling=settings.handling,
        page_size=settings.page_size,
        dates=settings.pdf_dates,
    ).files


# --- where they run ---------------------------------------------------------------------------


class Stages(Protocol):
    """Where stage functions run: ``run(stage, *args)`` is ``stage(tools, *args)`` somewhere."""

    def run(
        self, stage: Callable[Concatenate[Tools, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R: ...


class InThread:
    """Runs stage functions in the calling thread, with these ``tools``."""

    def __init__(self, tools: Tools) -> None:
        self.tools = tools

    def run(
        self, stage: Callable[Concatenate[Tools, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return stage(self.tools, *args, **kwargs)


class ProcessStages:
    """Runs stage functions in a pool of ``processes`` worker processes, each with its own
    ``Tools`` built from ``settings``; a context manager that shuts the pool down.

    Workers are started fresh ("spawn"), not forked from this process, whose other threads may
    hold locks at the moment of a fork. A worker that dies (killed, out of memory) breaks the
    pool: it is replaced and every stage it failed is tried once more there, so only a stage
    that breaks the pool twice (an input that kills its worker) fails, with an
    ``InternalError``, never a hang.
    """

    def __init__(self, settings: Settings, processes: int) -> None:
        # The workers need no key: they call no model.
        self.settings = settings.model_copy(update={"api_key": None})
        self.processes = processes
        self._lock = threading.Lock()
        self._closed = False
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings,),
        )
        # Started now, each its own (a spawned worker takes a few seconds to import and load
        # its tables), while the caller loads its inputs, not when the first stage waits.
        for _ in range(self.processes):
            pool.submit(_ready)
        return pool

    def run(
        self, stage: Callable[Concatenate[Tools, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        # A worker that dies breaks the whole pool, failing the stages of the inputs it did
        # not hold too: the stages are pure, so each is tried once more on a new pool.
        for attempt in range(2):
            with self._lock:  # never a pool that another thread has just replaced
                if self._closed:
                    raise InternalError(f"{stage.__name__} was asked of a closed worker pool")
                pool = self._pool
                future: Future[R] = pool.submit(partial(_in_worker, stage, *args, **kwargs))
            try:
                return future.result()
            except BrokenProcessPool as exc:
                with self._lock:
                    if self._pool is pool and not self._closed:  # the first to see it
                        pool.shutdown(wait=False, cancel_futures=True)
                        self._pool = self._new_pool()
                if attempt:
                    raise InternalError(
                        f"a briefing worker process died during {stage.__name__} ({exc})",
                        hint="was it killed, or out of memory? rerun with --processes 1",
                    ) from None
        raise AssertionError("unreachable")

    def __enter__(self) -> ProcessStages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._pool.shutdown(wait=True, cancel_futures=True)


#: The worker process's tools, built by ``_start_worker``.
_TOOLS: Tools | None = None


def _start_worker(settings: Settings) -> None:
    global _TOOLS
    _TOOLS = Tools.from_settings(settings)
    from briefer.text.words import lexicon

    lexicon()  # loaded while the main process loads its inputs, not in the first brief


def _ready() -> None:
    """Nothing: submitted to start a worker."""


def _in_worker(stage: Callable[Concatenate[Tools, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    assert _TOOLS is not None, "a stage run outside a worker started by ProcessStages"
    return stage(_TOOLS, *args, **kwargs)
