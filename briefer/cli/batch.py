"""``briefer brief --batch``: every input (files, URLs, folders of articles) briefed through the
OpenAI Batch API; each brief is written as soon as its answers are in. ``briefer batches``:
the batches the state keeps, and cancelling or forgetting one."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from briefer.cli.common import Reporter, endpoint_options, settings_from
from briefer.config import Settings
from briefer.errors import BrieferError, BudgetError, ConfigError
from briefer.model.batch import BATCH_PRICE
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
    # The budget is kept here, before anything is submitted (the pipeline's own check counts
    # only what has finished, and at the price of one-by-one calls).
    briefer = Briefer(settings.model_copy(update={"max_cost": None, "max_tokens": None}))
    articles, failures = _load(briefer, specs, reporter)
    used: set[str] = set()
    jobs = (
        [_Job(stem, articles)]
        if stem is not None and articles
        else [_Job(unique_stem(a.id, used), [a]) for a in articles]
    )
    jobs, over = _within_budget(briefer, settings, jobs, max_words)
    for err in over:
        reporter.error(err)
    failures += over

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
    for note in outcome.notes:
        reporter.done(note)
    if outcome.submitted or outcome.resumed:
        reporter.done(
            f"batches: {len(outcome.submitted)} submitted ({outcome.requests} requests), "
            f"{len(outcome.resumed)} resumed; {outcome.answers} answers received, "
            f"{outcome.prompt_tokens:,}+{outcome.completion_tokens:,} tokens"
        )
    return failures, outcome.waiting


def _plan(briefer: Briefer, job: _Job, max_words: int | None) -> Plan:
    if len(job.articles) == 1:
        return briefer.plan(job.articles[0], max_words=max_words)[0]
    return briefer.plan_story(job.articles, max_words=max_words)[0]


def _within_budget(
    briefer: Briefer, settings: Settings, jobs: list[_Job], max_words: int | None
) -> tuple[list[_Job], list[BrieferError]]:
    """The jobs, in order, while their summed estimates fit ``--max-cost`` (at the batch price)
    and ``--max-tokens``; a ``BudgetError`` for each one left out (nothing is spent on it)."""
    max_cost, max_tokens = settings.max_cost, settings.max_tokens
    if max_cost is None and max_tokens is None:
        return jobs, []
    kept: list[_Job] = []
    over: list[BrieferError] = []
    prompt_sum = completion_sum = 0
    for job in jobs:
        try:
            prompt, completion = _plan(briefer, job, max_words).estimate()
        except BrieferError:
            kept.append(job)  # its own error is reported when it is briefed
            continue
        tokens = prompt_sum + completion_sum + prompt + completion
        if max_tokens is not None and tokens > max_tokens:
            over.append(
                BudgetError(
                    f"briefing {job.stem} would bring the run to ~{tokens:,} tokens, over "
                    f"--max-tokens {max_tokens:,}; left out, nothing submitted for it",
                    hint="raise --max-tokens, or see the estimate with --dry-run",
                )
            )
            continue
        if max_cost is not None:
            price = briefer.estimate_cost(prompt_sum + prompt, completion_sum + completion)
            if price is None:
                raise BudgetError(
                    f"no price is known for model {briefer.model_name}, so --max-cost cannot "
                    "be kept",
                    hint="add its prices under [models] in the config file",
                )
            if price * BATCH_PRICE > max_cost:
                over.append(
                    BudgetError(
                        f"briefing {job.stem} would bring the run to ~${price * BATCH_PRICE:.4f} "
                        f"at the batch price, over --max-cost ${max_cost:.4f}; left out, "
                        "nothing submitted for it",
                        hint="raise --max-cost, or see the estimate with --dry-run",
                    )
                )
                continue
        kept.append(job)
        prompt_sum, completion_sum = prompt_sum + prompt, completion_sum + completion
    return kept, over


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


@click.command()
@click.option("--cancel", "cancel_id", metavar="ID", help="cancel batch ID at the endpoint")
@click.option(
    "--forget",
    "forget_id",
    metavar="ID",
    help="forget batch ID (not collected; its requests go again in the next run)",
)
@endpoint_options
def batches(cancel_id: str | None, forget_id: str | None, **options: Any) -> None:
    """List the Batch API batches briefer stored (--batch), or cancel or forget one."""
    state = State()
    try:
        if forget_id is not None or cancel_id is not None:
            wanted = forget_id or cancel_id
            if not any(b.id == wanted for b in state.batches(None)):
                raise ConfigError(
                    f"no stored batch {wanted}", hint="`briefer batches` lists the stored ones"
                )
            if cancel_id is not None:
                from briefer.model.batch_api import BatchService
                from briefer.model.llm import ChatModel

                BatchService(ChatModel(settings_from(options))).cancel(cancel_id)
                state.set_batch_status(cancel_id, "cancelled", "cancelled with briefer batches")
            else:
                state.forget_batch(forget_id or "")
            click.echo(f"batch {wanted}: {'cancelled' if cancel_id else 'forgotten'}")
            return
        for b in state.batches(None):
            click.echo(
                f"{b.id}  {b.status}  {b.scope} round {b.round}, {len(b.keys)} requests, "
                f"{b.endpoint}, {b.created[:19]}" + (f"  ({b.note})" if b.note else "")
            )
    except BrieferError as err:
        click.echo(f"briefer: error: {err}", err=True)
        sys.exit(err.exit_code)
    finally:
        state.close()
