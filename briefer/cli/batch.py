"""``briefer brief --batch``: every input (files, URLs, folders of articles) briefed through the
OpenAI Batch API; each brief is written as soon as its answers are in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console

from briefer.batching import (
    BatchOptions,
    check_batch_settings,
    estimate_batches,
    run_in_batches,
)
from briefer.brief.planning import Plan
from briefer.brief_many import unique_stem
from briefer.cli.common import Reporter
from briefer.config import Settings
from briefer.errors import BrieferError
from briefer.models import Article, Brief
from briefer.morning.collect import folder_files
from briefer.morning.state import State
from briefer.pipeline import Briefer


@dataclass
class _Job:
    stem: str
    articles: list[Article]


def expand_inputs(inputs: tuple[str, ...]) -> list[str]:
    """Each input, a folder standing for its article files (.txt, .md, .html …)."""
    specs: list[str] = []
    for spec in inputs:
        path = Path(spec).expanduser()
        if spec != "-" and "://" not in spec and path.is_dir():
            specs += [str(p) for p in folder_files(path)]
        else:
            specs.append(spec)
    return specs


def _load(
    briefer: Briefer, specs: list[str], reporter: Reporter
) -> tuple[list[Article], list[BrieferError]]:
    articles: list[Article] = []
    failures: list[BrieferError] = []
    for spec in specs:
        try:
            articles.append(briefer.load(spec))
        except BrieferError as err:
            reporter.error(err)
            failures.append(err)
    return articles, failures


def brief_in_batches(
    settings: Settings,
    specs: list[str],
    out_dir: Path,
    wanted: tuple[str, ...],
    max_words: int | None,
    reporter: Reporter,
    options: BatchOptions,
    *,
    stem: str | None = None,
) -> tuple[list[BrieferError], list[str]]:
    """Brief every input (``stem``: one story brief of them all); the failures, and the ids
    of batches left running (``options.wait`` off)."""
    check_batch_settings(settings)
    briefer = Briefer(settings)
    articles, failures = _load(briefer, specs, reporter)
    used: set[str] = set()
    jobs = (
        [_Job(stem, articles)]
        if stem is not None and articles
        else [_Job(unique_stem(a.id, used), [a]) for a in articles]
    )

    def work(job: _Job) -> Brief:
        if len(job.articles) == 1:
            return briefer.brief(job.articles[0], max_words=max_words)
        return briefer.brief_story(job.articles, name=job.stem, max_words=max_words)

    def done(job: _Job, result: Brief | BrieferError) -> None:
        if isinstance(result, Brief):
            try:
                paths = briefer.write(result, out_dir, job.stem, wanted)
            except BrieferError as err:
                result = err
            else:
                for path in paths:
                    click.echo(str(path))
                reporter.done(f"✓ {job.stem}: {result.content_words()} words")
                return
        reporter.error(result)
        failures.append(result)

    state = State()
    try:
        outcome = run_in_batches(
            briefer.model,
            jobs,
            work,
            done,
            state,
            options,
            label=lambda job: job.stem,
            say=reporter.progress,
        )
    finally:
        state.close()
    if outcome.submitted or outcome.resumed:
        reporter.done(
            f"batches: {len(outcome.submitted)} submitted ({outcome.requests} requests), "
            f"{len(outcome.resumed)} resumed; {outcome.answers} answers received, "
            f"{outcome.prompt_tokens:,}+{outcome.completion_tokens:,} tokens"
        )
    return failures, outcome.waiting


def batch_dry_run(
    briefer: Briefer, specs: list[str], max_words: int | None, *, merge: bool
) -> None:
    """What the batches would hold: first-round requests, later ones, tokens, half-price cost."""
    reporter = Reporter(quiet=False)
    articles, _ = _load(briefer, specs, reporter)
    plans: list[Plan] = []
    groups = [articles] if merge and len(articles) > 1 else [[a] for a in articles]
    for group in groups:
        try:
            if len(group) == 1:
                plans.append(briefer.plan(group[0], max_words=max_words)[0])
            else:
                plans.append(briefer.plan_story(group, max_words=max_words)[0])
        except BrieferError as err:
            reporter.error(err)
    estimate = estimate_batches(plans, briefer.estimate_cost)
    Console(highlight=False).print(
        f"briefer dry run: {len(plans)} briefs of {len(specs)} inputs, {briefer.model_name}\n"
        + estimate.line(),
        markup=False,
    )
